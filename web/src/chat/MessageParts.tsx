import type { ChatStore, ShownMessage } from './store.js';

/** The reactions the picker offers (any emoji can be sent; these are one click away). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '👀', '✅'];

/** A send the server refused: why, with Retry (the same client id: published at most once) and Discard. */
export function SendFailure({ store, message }: { store: ChatStore; message: ShownMessage }) {
  if (message.status !== 'failed') return null;
  return (
    <div class="failure" role="alert">
      <span>Not sent: {message.error ?? 'error'}</span>
      <button type="button" class="retry" onClick={() => store.retry(message)}>
        Retry
      </button>
      <button type="button" class="link" onClick={() => store.discard(message)}>
        Discard
      </button>
    </div>
  );
}

/** A message's reactions, each a chip with its count that adds or takes back this user's. */
export function ReactionChips({ store, message }: { store: ChatStore; message: ShownMessage }) {
  const reactions = message.message?.reactions;
  if (!reactions) return null;
  return (
    <div class="reactions">
      {reactions.map((r) => (
        <button
          type="button"
          key={r.emoji}
          class="reaction"
          aria-pressed={r.users.includes(store.me.id)}
          title={r.users.join(', ')}
          onClick={() => void store.toggleReaction(message, r.emoji)}
        >
          {r.emoji}
          <span class="count">{r.count}</span>
        </button>
      ))}
    </div>
  );
}

/** The quick reactions, one click each (then `onPicked`, which closes the picker). */
export function ReactionPicker({
  store,
  message,
  onPicked,
}: {
  store: ChatStore;
  message: ShownMessage;
  onPicked: () => void;
}) {
  return (
    <span class="picker">
      {QUICK_REACTIONS.map((emoji) => (
        <button
          type="button"
          key={emoji}
          aria-label={`React ${emoji}`}
          onClick={() => {
            onPicked();
            void store.toggleReaction(message, emoji);
          }}
        >
          {emoji}
        </button>
      ))}
    </span>
  );
}
