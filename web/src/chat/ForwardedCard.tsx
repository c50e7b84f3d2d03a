import type { ForwardedMessage } from '../../../client/index.js';
import { whenOf } from '../format.js';
import { FormattedText } from './FormattedText.js';
import { MessageFiles } from './MessageFiles.js';
import type { ChatStore } from './store.js';

/**
 * The message a forward carries, under the forwarder's words: where it came from, who wrote it and when, what it
 * said. Where it came from opens it there when the user has that room (in their list or open); a room they are not
 * in is not named (its id says nothing to them, and may be a private room's).
 */
export function ForwardedCard({ store, forwarded }: { store: ChatStore; forwarded: ForwardedMessage }) {
  const known = store.listed(forwarded.room) !== undefined || store.room(forwarded.room) !== undefined;
  const place = known
    ? store.title(forwarded.room)
    : forwarded.room.startsWith('dm-')
      ? 'a direct conversation'
      : 'another room';
  return (
    <figure class="forwarded">
      <figcaption class="muted small">
        ↪ Forwarded from{' '}
        {known ? (
          <button
            type="button"
            class="link"
            title="Go to the original"
            onClick={() => void store.showMessage(forwarded.room, forwarded.offset)}
          >
            <bdi>{place}</bdi>
          </button>
        ) : (
          <bdi>{place}</bdi>
        )}
      </figcaption>
      <div class="forwarded-head small">
        <bdi class="from">{forwarded.from.name}</bdi>{' '}
        <time class="muted" dateTime={new Date(forwarded.ts).toISOString()}>
          {whenOf(forwarded.ts)}
        </time>
      </div>
      {forwarded.text !== '' && (
        <div class="text" dir="auto">
          <FormattedText text={forwarded.text} />
        </div>
      )}
      {forwarded.files && <MessageFiles files={forwarded.files} />}
    </figure>
  );
}
