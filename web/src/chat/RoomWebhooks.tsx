import { useEffect, useState } from 'preact/hooks';
import type { RoomSummary, WebhookSummary } from '../../../client/index.js';
import { whenOf } from '../format.js';
import { CopyableAddress } from './CopyableAddress.js';
import type { ChatStore } from './store.js';

/**
 * A room's incoming webhooks, for its admins and owners (the server checks again): listed, each with a way to remove
 * it; a new one's address is shown once, with a command to try it, since the server keeps no copy of its secret.
 */
export function RoomWebhooks({ store, entry }: { store: ChatStore; entry: RoomSummary }) {
  const [hooks, setHooks] = useState<WebhookSummary[] | null>(null);
  const [name, setName] = useState('');
  const [address, setAddress] = useState<string | null>(null);
  const reload = () =>
    void store.webhooks(entry.id).then(
      (list) => setHooks(list),
      () => setHooks(null),
    );
  // Reloaded when the room's log shows a change (another moderator's webhook_added or webhook_removed).
  const changes = store.roomEvents(entry.id);
  useEffect(reload, [entry.id, changes]);
  // An address belongs to the room it was made in: not shown in the next one.
  useEffect(() => setAddress(null), [entry.id]);
  return (
    <details class="room-integrations">
      <summary>Integrations{hooks && hooks.length > 0 ? ` (${hooks.length})` : ''}</summary>
      <p class="settings-note">
        Incoming webhooks post into this room from alerting, CI or a script, in Slack's format.
      </p>
      {hooks && hooks.length > 0 && (
        <ul class="webhook-list">
          {hooks.map((hook) => (
            <li key={hook.id} data-webhook={hook.id}>
              <bdi>{hook.name}</bdi>
              <span class="muted small">
                added by <bdi>{hook.createdBy.name || hook.createdBy.id}</bdi> {whenOf(hook.createdAt)}
              </span>
              <button
                type="button"
                class="danger"
                onClick={() => {
                  if (
                    confirm(`Remove the webhook ${hook.name}? Whatever posts to its address will be refused.`)
                  )
                    void store.deleteWebhook(entry.id, hook).then(reload);
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {address && (
        <CopyableAddress
          id="webhook-address"
          label="Its address (copy it now: it is not shown again)"
          address={address}
        >
          <code class="webhook-try">
            curl -X POST -H 'content-type: application/json' -d '{'{"text": "Hello"}'}' {address}
          </code>
        </CopyableAddress>
      )}
      {!entry.archived && (
        <form
          class="settings-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!name.trim()) return;
            void store.createWebhook(entry.id, name).then((made) => {
              if (!made) return;
              setAddress(made);
              setName('');
              reload();
            });
          }}
        >
          <label class="settings-label">
            New webhook, posting as
            <input
              class="field"
              id="webhook-name"
              value={name}
              placeholder="Grafana, CI, Deploys…"
              onInput={(event) => setName((event.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="save" disabled={!name.trim()}>
            Add webhook
          </button>
        </form>
      )}
    </details>
  );
}
