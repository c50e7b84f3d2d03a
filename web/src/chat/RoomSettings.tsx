import { useEffect, useState } from 'preact/hooks';
import type { RoomSummary } from '../../../client/index.js';
import type { ChatStore } from './store.js';

/**
 * A room's settings, for its admins and owners (the server checks again): its name and topic, whether joins and
 * leaves are announced, and archiving (an archived room can be read, not written to, until unarchived).
 */
export function RoomSettings({ store, entry }: { store: ChatStore; entry: RoomSummary }) {
  const [name, setName] = useState(entry.name);
  const [topic, setTopic] = useState(entry.topic);
  // What the room says now (a rename by someone else, an answer) replaces what was typed and not saved.
  useEffect(() => setName(entry.name), [entry.name]);
  useEffect(() => setTopic(entry.topic), [entry.topic]);
  const changed: { name?: string; topic?: string } = {};
  if (name.trim() !== entry.name) changed.name = name.trim();
  if (topic.trim() !== entry.topic) changed.topic = topic.trim();
  const unsaved = Object.keys(changed).length > 0;
  return (
    <details class="room-settings">
      <summary>Room settings</summary>
      <form
        class="settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (unsaved) void store.updateRoom(entry.id, changed);
        }}
      >
        <label class="settings-label">
          Name
          <input
            class="field"
            id="room-settings-name"
            value={name}
            disabled={entry.archived}
            onInput={(event) => setName((event.target as HTMLInputElement).value)}
          />
        </label>
        <label class="settings-label">
          Topic
          <input
            class="field"
            id="room-settings-topic"
            value={topic}
            placeholder="What this room is about"
            disabled={entry.archived}
            onInput={(event) => setTopic((event.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="save" disabled={!unsaved || entry.archived}>
          Save
        </button>
      </form>
      <label class="check">
        <input
          type="checkbox"
          checked={entry.announceJoins}
          disabled={entry.archived}
          onChange={(event) =>
            void store.updateRoom(entry.id, { announceJoins: (event.target as HTMLInputElement).checked })
          }
        />
        Announce joins and leaves in the conversation
      </label>
      <button
        type="button"
        class={entry.archived ? 'archive' : 'archive danger'}
        onClick={() => {
          if (
            entry.archived ||
            confirm(`Archive ${entry.name}? Nobody can write in it until it is unarchived.`)
          )
            void store.updateRoom(entry.id, { archived: !entry.archived });
        }}
      >
        {entry.archived ? 'Unarchive' : 'Archive'}
      </button>
    </details>
  );
}
