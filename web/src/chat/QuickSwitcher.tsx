import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatStore } from './store.js';

/** A room to switch to: its id, how the sidebar names it, and its mark. */
interface Target {
  id: string;
  title: string;
  mark: string;
}

const MARK = { public: '#', private: '🔒', direct: '@', channel: '#' } as const;

/** The sidebar's rooms whose title holds `query` (any case): those starting with it first, then in the sidebar's order. */
function matches(store: ChatStore, query: string): Target[] {
  const { rooms, channels, directs } = store.sidebarRooms();
  const all: Target[] = [
    ...rooms.map((r) => ({ id: r.id, title: store.title(r.id), mark: MARK[r.kind] })),
    ...channels.map((id) => ({ id, title: id, mark: MARK.channel })),
    ...directs.map((r) => ({ id: r.id, title: store.title(r.id), mark: MARK.direct })),
  ];
  const q = query.trim().toLowerCase();
  if (q === '') return all;
  const found = all.filter((t) => t.title.toLowerCase().includes(q) || t.id.toLowerCase().includes(q));
  const starts = (t: Target) => (t.title.toLowerCase().startsWith(q) ? 0 : 1);
  return found.sort((a, b) => starts(a) - starts(b));
}

/**
 * Ctrl+K (⌘K): a room by a few letters of its name. Up and Down move through the matches, Enter opens the one
 * marked, Escape closes.
 */
export function QuickSwitcher({ store, onClose }: { store: ChatStore; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [at, setAt] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const found = matches(store, query);
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
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') setAt((marked + 1) % Math.max(1, found.length));
            else if (event.key === 'ArrowUp') setAt((marked - 1 + found.length) % Math.max(1, found.length));
            else if (event.key === 'Enter') pick(found[marked]);
            else if (event.key === 'Escape') onClose();
            else return;
            event.preventDefault();
            event.stopPropagation();
          }}
        />
        <ul class="switcher-list">
          {found.map((target, i) => (
            <li key={target.id}>
              <button
                type="button"
                class={`switch-target${i === marked ? ' marked' : ''}`}
                aria-current={i === marked ? 'true' : undefined}
                onClick={() => pick(target)}
              >
                <span class="hash" aria-hidden="true">
                  {target.mark}
                </span>
                <bdi>{target.title}</bdi>
                {store.unreadOf(target.id) > 0 && <span class="badge">{store.unreadOf(target.id)}</span>}
              </button>
            </li>
          ))}
          {found.length === 0 && <li class="muted">No room by that name</li>}
        </ul>
      </div>
    </div>
  );
}
