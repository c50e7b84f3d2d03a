import { useEffect, useRef, useState } from 'preact/hooks';
import type { RoomSummary, UserInfo } from '../../../client/index.js';
import type { ChatStore } from './store.js';

/** A room to switch to: its id, how the sidebar names it, and its mark; `joins` for a public room not joined yet. */
export interface Target {
  id: string;
  title: string;
  mark: string;
  joins?: boolean;
  /** A closed conversation: found by name, not offered before a letter is typed. */
  closed?: boolean;
  /** A person to start a conversation with (the Forward dialog's): no room yet. */
  person?: UserInfo;
}

const MARK = { public: '#', private: '🔒', direct: '@', channel: '#' } as const;

/**
 * The sidebar's rooms whose title holds `query` (any case), then the public rooms the user has not joined: those
 * starting with it first, then in that order.
 */
export function matches(store: ChatStore, query: string, publicRooms: RoomSummary[]): Target[] {
  const { favorites, rooms, channels, directs, hidden } = store.sidebarRooms();
  const listed = (r: RoomSummary) => ({ id: r.id, title: store.title(r.id), mark: MARK[r.kind] });
  const all: Target[] = [
    ...favorites.map(listed),
    ...rooms.map(listed),
    ...channels.map((id) => ({ id, title: id, mark: MARK.channel })),
    ...directs.map(listed),
    // Closed conversations too: picking one lists it again.
    ...hidden.map((r) => ({ ...listed(r), closed: true })),
    ...publicRooms
      .filter((r) => !store.listed(r.id) && !store.room(r.id))
      .map((r) => ({ id: r.id, title: r.name, mark: MARK.public, joins: true })),
  ];
  const q = query.trim().toLowerCase();
  // Nothing typed yet: the user's own rooms (public rooms to join come as a name is typed).
  if (q === '') return all.filter((t) => !t.joins && !t.closed);
  const found = all.filter((t) => t.title.toLowerCase().includes(q) || t.id.toLowerCase().includes(q));
  const starts = (t: Target) => (t.title.toLowerCase().startsWith(q) ? 0 : 1);
  return found.sort((a, b) => starts(a) - starts(b));
}

/**
 * The keys of a box above a list of rooms: Up and Down move the mark through them, Enter picks the one marked, Escape
 * closes.
 */
export function targetKeys(
  found: Target[],
  marked: number,
  setAt: (at: number) => void,
  pick: (target: Target | undefined) => void,
  close: () => void,
): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key === 'ArrowDown') setAt((marked + 1) % Math.max(1, found.length));
    else if (event.key === 'ArrowUp') setAt((marked - 1 + found.length) % Math.max(1, found.length));
    else if (event.key === 'Enter') pick(found[marked]);
    else if (event.key === 'Escape') close();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };
}

/** Rooms to pick, the marked one set off: each with its mark, its name, "join" for one not joined, its unread count. */
export function TargetList({
  store,
  found,
  marked,
  onPick,
  disabled = false,
}: {
  store: ChatStore;
  found: Target[];
  marked: number;
  onPick: (target: Target) => void;
  disabled?: boolean;
}) {
  return (
    <ul class="switcher-list" aria-label="Rooms">
      {found.map((target, i) => (
        <li key={target.id}>
          <button
            type="button"
            class={`switch-target${i === marked ? ' marked' : ''}`}
            aria-current={i === marked ? 'true' : undefined}
            disabled={disabled}
            onClick={() => onPick(target)}
          >
            <span class="hash" aria-hidden="true">
              {target.mark}
            </span>
            <bdi>{target.title}</bdi>
            {target.joins && <span class="muted small">join</span>}
            {store.unreadOf(target.id) > 0 && <span class="badge">{store.unreadOf(target.id)}</span>}
          </button>
        </li>
      ))}
      {found.length === 0 && <li class="muted">No room by that name</li>}
    </ul>
  );
}

/**
 * Ctrl+K (⌘K): a room by a few letters of its name. Up and Down move through the matches, Enter opens the one
 * marked, Escape closes.
 */
export function QuickSwitcher({ store, onClose }: { store: ChatStore; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [at, setAt] = useState(0);
  // Public rooms to join are offered too: the first page of them, read once when the switcher opens.
  const [publicRooms, setPublicRooms] = useState<RoomSummary[]>([]);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    if (store.groupChat.value) void store.publicRooms().then(setPublicRooms, () => {});
  }, []);
  const found = matches(store, query, publicRooms);
  const marked = Math.min(at, Math.max(0, found.length - 1));
  const pick = (target: Target | undefined) => {
    if (!target) return;
    store.open(target.id);
    onClose();
  };
  return (
    <div class="switcher-layer">
      {/* A click beside the box closes it, as Escape does. */}
      <button type="button" class="switcher-backdrop" aria-label="Close" tabIndex={-1} onClick={onClose} />
      <div class="switcher" role="dialog" aria-modal="true" aria-label="Go to a room">
        <input
          ref={input}
          class="switcher-input"
          value={query}
          placeholder="Go to a room"
          aria-label="Room name"
          autoComplete="off"
          onInput={(event) => {
            setQuery((event.target as HTMLInputElement).value);
            setAt(0);
          }}
          onKeyDown={targetKeys(found, marked, setAt, pick, onClose)}
        />
        <TargetList store={store} found={found} marked={marked} onPick={pick} />
      </div>
    </div>
  );
}
