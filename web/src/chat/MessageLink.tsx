import type { ComponentChildren } from 'preact';
import type { ChatMessage } from '../../../client/index.js';
import { summaryOf, whenOf } from '../format.js';
import type { ChatStore } from './store.js';

/**
 * A message listed outside its conversation (a search result, a pin, a saved message): where (unless `inRoom`), who
 * and when, then the text; a pick opens it in its room (a thread's reply: in its thread, beside its root).
 */
export function MessageLink({
  store,
  message,
  inRoom = false,
  note,
  text,
  onPicked,
  opensThread = false,
}: {
  store: ChatStore;
  message: ChatMessage;
  /** Listed within its own room (its pins): the room goes without saying. */
  inRoom?: boolean;
  /** What follows who and when ("pinned by you"). */
  note?: ComponentChildren;
  /** The text as shown (with what a search matched marked); the message's own by default. */
  text?: ComponentChildren;
  onPicked?: () => void;
  /** A thread's root, listed for its thread: a pick opens the thread beside it. */
  opensThread?: boolean;
}) {
  return (
    <button
      type="button"
      class="search-result"
      onClick={() => {
        onPicked?.();
        void store.showMessage(message.room, message.offset, opensThread ? message.offset : message.thread);
      }}
    >
      <span class="result-head muted small">
        {!inRoom && (
          <>
            <bdi>{store.title(message.room)}</bdi> ·{' '}
          </>
        )}
        <bdi>{message.from.name}</bdi> ·{' '}
        <time dateTime={new Date(message.ts).toISOString()}>{whenOf(message.ts)}</time>
        {note}
      </span>
      <span class="result-text">{text ?? summaryOf(message)}</span>
    </button>
  );
}
