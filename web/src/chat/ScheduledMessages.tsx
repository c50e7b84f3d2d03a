import { useEffect, useState } from 'preact/hooks';
import type { ScheduledMessage } from '../../../client/index.js';
import type { ChatStore } from './store.js';

/** When a scheduled message goes, as people read a date: "Tue, 8 Dec, 09:00". */
export function scheduledWhen(at: number): string {
  return new Date(at).toLocaleString([], {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** One scheduled message: where (unless listed in its room), when, the text, why it failed; Send now (Try again), Edit, Delete. */
function ScheduledItem({
  store,
  item,
  inRoom,
}: {
  store: ChatStore;
  item: ScheduledMessage;
  inRoom: boolean;
}) {
  return (
    <li class={`scheduled-item${item.failed ? ' failed' : ''}`} data-scheduled={item.id}>
      <span class="result-head muted small">
        {!inRoom && (
          <>
            <bdi>{store.title(item.room)}</bdi> ·{' '}
          </>
        )}
        <time dateTime={new Date(item.at).toISOString()}>{scheduledWhen(item.at)}</time>
      </span>
      <span class="result-text">{item.text}</span>
      {item.failed && (
        <span class="scheduled-failed small" role="note">
          Not sent: {item.failed.message}
        </span>
      )}
      <span class="scheduled-actions">
        <button type="button" class="link" onClick={() => void store.scheduled.sendNow(item.id)}>
          {item.failed ? 'Try again' : 'Send now'}
        </button>
        <button type="button" class="link" onClick={() => void store.editScheduled(item)}>
          Edit
        </button>
        <button
          type="button"
          class="link"
          onClick={() => void store.scheduled.remove(item.id, 'Scheduled message deleted')}
        >
          Delete
        </button>
      </span>
    </li>
  );
}

/**
 * The user's scheduled messages: in the sidebar, all of them (the soonest first; a button until opened, which says
 * how many and how many failed); above a room's message box, that room's, as one line that opens into the list.
 */
export function ScheduledMessages({ store, room }: { store: ChatStore; room?: string }) {
  const [open, setOpen] = useState(false);
  const all = store.scheduled.items.value ?? [];
  const items = room === undefined ? all : all.filter((item) => item.room === room);
  const none = items.length === 0;
  // A room's list closes with its last message (sent, removed): the next one shows as the line again.
  useEffect(() => {
    if (none && room !== undefined) setOpen(false);
  }, [none, room]);
  if (room !== undefined && none) return null;
  const failed = items.filter((item) => item.failed).length;
  const count = `${items.length} scheduled message${items.length === 1 ? '' : 's'}`;
  const summary = failed > 0 ? `${count}, ${failed} not sent` : count;
  if (!open) {
    return (
      <button
        type="button"
        class={`link scheduled-toggle${room === undefined ? '' : ' in-room small'}${failed ? ' has-failed' : ''}`}
        aria-expanded="false"
        onClick={() => setOpen(true)}
      >
        {room === undefined ? `Scheduled messages${items.length ? ` (${items.length})` : ''}` : summary}
        {room === undefined && failed > 0 && <span class="scheduled-failed small"> · {failed} not sent</span>}
      </button>
    );
  }
  return (
    <section
      class={`browse scheduled${room === undefined ? '' : ' in-room'}`}
      aria-label={room === undefined ? 'Scheduled messages' : `Scheduled messages in ${store.title(room)}`}
    >
      <h2>
        {room === undefined ? 'Scheduled messages' : summary}{' '}
        <button type="button" class="link" aria-expanded="true" onClick={() => setOpen(false)}>
          close
        </button>
      </h2>
      {items.length === 0 && (
        <p class="muted empty">Nothing scheduled: the clock beside Send sends a message later.</p>
      )}
      <ul>
        {items.map((item) => (
          <ScheduledItem key={item.id} store={store} item={item} inRoom={room !== undefined} />
        ))}
      </ul>
    </section>
  );
}
