import { useEffect, useRef } from 'preact/hooks';
import { isWebhookSender, type UserInfo } from '../../../client/index.js';
import { Avatar } from './MessageList.js';
import { statusLine } from './StatusPicker.js';
import type { ChatStore } from './store.js';

/**
 * Who someone is, from their name on a message: their name and user id, what they say of themselves (status), whether
 * they are online in the room shown ("Online here"), a button to message them and one to find their messages (a
 * search `from:` them). Escape, the backdrop or Close ends it.
 */
export function PersonCard({
  store,
  person,
  onClose,
}: {
  store: ChatStore;
  person: UserInfo;
  onClose: () => void;
}) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  // Statuses are asked for as people are shown; one more for whoever the card is of.
  useEffect(() => store.wantStatuses([person.id]), [store, person.id]);
  const status = statusLine(store.statusOf(person.id));
  const me = person.id === store.me.id;
  const app = isWebhookSender(person.id);
  const shown = store.current.value ? store.room(store.current.value) : undefined;
  const online = shown?.users.value.some((u) => u.id === person.id) === true;
  return (
    <div class="switcher-layer person-layer">
      <button type="button" class="switcher-backdrop" aria-label="Close" tabIndex={-1} onClick={onClose} />
      <div class="switcher person-card" role="dialog" aria-modal="true" aria-label={person.name}>
        <div class="person-head">
          <Avatar id={person.id} name={person.name} />
          <div>
            <strong>
              <bdi>{person.name}</bdi>
            </strong>
            {me && <span class="muted"> (you)</span>}
            <div class="muted small person-id">
              <bdi>{person.id}</bdi>
            </div>
          </div>
        </div>
        {app ? (
          <p class="small person-line">
            Posted by an integration (an incoming webhook of this room), not a person.
          </p>
        ) : (
          <>
            {status && <p class="person-line">{status}</p>}
            {shown && <p class="small muted person-line">{online ? 'Online here' : 'Not online here'}</p>}
          </>
        )}
        <div class="row person-actions">
          {!me && !app && store.groupChat.value && (
            <button
              type="button"
              onClick={() => {
                onClose();
                void store.openDirect(person);
              }}
            >
              Message
            </button>
          )}
          {store.groupChat.value && (
            <button
              type="button"
              onClick={() => {
                onClose();
                // By id: two people may share a name. Every room of the user's.
                void store.searchMessages(`from:${person.id}`);
              }}
            >
              {me ? 'My messages' : 'Their messages'}
            </button>
          )}
          <button type="button" class="link" ref={close} onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
