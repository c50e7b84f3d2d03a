import { MessageLink } from './MessageLink.js';
import type { ChatStore, RoomModel } from './store.js';

/**
 * A room's pinned messages, the most recently pinned first: who wrote each and who pinned it; picking one brings it
 * into view in the conversation; those who may pin unpin it here.
 */
export function PinsPanel({
  store,
  room,
  onClose,
  onPicked,
}: {
  store: ChatStore;
  room: RoomModel;
  onClose: () => void;
  onPicked: () => void;
}) {
  const pins = room.pins.value ?? [];
  const mayPin = store.mayPin(room.name);
  return (
    <section class="search-panel pins-panel" aria-label="Pinned messages">
      <div class="search-head">
        <h2>Pinned — {pins.length}</h2>
        <button type="button" class="link" onClick={onClose}>
          Close
        </button>
      </div>
      {pins.length === 0 && <p class="muted small">No pinned messages.</p>}
      <ol class="search-results">
        {pins.map(({ message, pinnedBy }) => (
          <li key={message.offset} data-pin={message.offset}>
            <MessageLink
              store={store}
              message={message}
              inRoom
              note={
                <>
                  {' '}
                  · pinned by <bdi>{pinnedBy.id === store.me.id ? 'you' : pinnedBy.name}</bdi>
                </>
              }
              onPicked={onPicked}
            />
            {mayPin && (
              <button
                type="button"
                class="link unpin"
                onClick={() => void store.setPinned(room.name, message.offset, false)}
              >
                Unpin
              </button>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
