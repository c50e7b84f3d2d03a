import { useState } from 'preact/hooks';
import { roomNameProblem } from '../../../client/index.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import type { ChatStore } from './store.js';

/** Rooms with unread counts, the join/create form and the connection status. */
export function Sidebar({ store, onPick }: { store: ChatStore; onPick: () => void }) {
  const [name, setName] = useState('');
  // The same rule the server applies, with the length limit it announced.
  const valid = roomNameProblem(name, store.maxRoomNameLength.value) === undefined;
  return (
    <nav class="sidebar" aria-label="Rooms">
      <header class="brand">
        <strong>Parley</strong>
        <span class="me" title={store.me.id}>
          <bdi>{store.me.name}</bdi>
        </span>
      </header>
      <ul class="rooms">
        {store.rooms.value.map((room) => (
          <li key={room.name}>
            <button
              type="button"
              class={`room${store.current.value === room.name ? ' active' : ''}`}
              aria-current={store.current.value === room.name ? 'page' : undefined}
              onClick={() => {
                store.select(room.name);
                onPick();
              }}
            >
              <span class="hash">#</span>
              <span class="name">{room.name}</span>
              {room.unread.value > 0 && (
                <span class="badge">
                  {room.unread.value}
                  <span class="sr-only"> unread</span>
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <form
        class="join"
        onSubmit={(event) => {
          event.preventDefault();
          if (!valid) return;
          void store.join(name);
          setName('');
          onPick();
        }}
      >
        <label for="join-room">Join or create a room</label>
        <div class="row">
          <input
            id="join-room"
            value={name}
            maxLength={64}
            placeholder="room-name"
            autoComplete="off"
            onInput={(event) => setName((event.target as HTMLInputElement).value.trim())}
          />
          <button type="submit" disabled={!valid}>
            Join
          </button>
        </div>
        {name !== '' && !valid && <p class="hint">Letters, digits and _ . : - only</p>}
      </form>
      <footer>
        <ConnectionStatus state={store.connection.value} />
        <a href="/dashboard" class="muted">
          Cluster dashboard
        </a>
      </footer>
    </nav>
  );
}
