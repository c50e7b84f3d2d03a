import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessage } from '../../../client/index.js';
import { summaryOf } from '../format.js';
import { matches, type Target, TargetList, targetKeys } from './QuickSwitcher.js';
import type { ChatStore } from './store.js';

/**
 * "Forward": a message passed on to another of the user's rooms (or conversations), with a few words of one's own.
 * The rooms are the quick switcher's, by a few letters of their name, without public rooms not joined (forwarding
 * there would make the user a member), then the people of the user's rooms by that name they have no conversation
 * with yet. Up and Down move through them, Enter forwards to the one marked, Escape
 * closes.
 */
export function ForwardDialog({
  store,
  message,
  onClose,
}: {
  store: ChatStore;
  message: ChatMessage;
  onClose: () => void;
}) {
  const [query, setQuery] = useState('');
  const [at, setAt] = useState(0);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  // The user's rooms and conversations; and, as a name is typed, people they share a room with but have no
  // conversation with yet (picking one starts it).
  const q = query.trim().toLowerCase();
  const people: Target[] =
    q === ''
      ? []
      : store
          .people()
          .filter(
            (p) => p.id !== store.me.id && !store.hasDirectWith(p.id) && p.name.toLowerCase().includes(q),
          )
          .slice(0, 5)
          .map((p) => ({ id: `person:${p.id}`, title: p.name, mark: '@', person: p }));
  const found = [...matches(store, query, []), ...people];
  const marked = Math.min(at, Math.max(0, found.length - 1));
  const send = async (target: Target | undefined) => {
    if (!target || busy) return;
    setBusy(true);
    const room = target.person ? await store.directRoomWith(target.person) : target.id;
    const sent = room !== undefined && (await store.forward(message, room, comment));
    setBusy(false);
    if (sent) onClose();
  };
  return (
    <div class="switcher-layer">
      <button type="button" class="switcher-backdrop" aria-label="Close" tabIndex={-1} onClick={onClose} />
      <div class="switcher forward-dialog" role="dialog" aria-modal="true" aria-label="Forward message">
        <h2 class="forward-title">Forward message</h2>
        <blockquote class="forward-preview">
          <bdi class="from">{message.from.name}</bdi>{' '}
          <span class="muted">{summaryOf(message).slice(0, 200)}</span>
        </blockquote>
        <input
          class="switcher-input"
          value={comment}
          placeholder="Add a message (optional)"
          aria-label="Your message"
          maxLength={store.maxTextLength.value}
          onInput={(event) => setComment((event.target as HTMLInputElement).value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') onClose();
          }}
        />
        <input
          ref={input}
          class="switcher-input"
          value={query}
          placeholder="Forward to…"
          aria-label="Room to forward to"
          autoComplete="off"
          onInput={(event) => {
            setQuery((event.target as HTMLInputElement).value);
            setAt(0);
          }}
          onKeyDown={targetKeys(found, marked, setAt, send, onClose)}
        />
        <TargetList store={store} found={found} marked={marked} onPick={send} disabled={busy} />
      </div>
    </div>
  );
}
