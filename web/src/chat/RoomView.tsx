import { typingLine } from '../format.js';
import { Composer } from './Composer.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { MessageList } from './MessageList.js';
import type { ChatStore, RoomModel } from './store.js';

/** One room: header, messages, typing line, composer and who is online. */
export function RoomView({ store, room, onMenu }: { store: ChatStore; room: RoomModel; onMenu: () => void }) {
  const users = room.users.value;
  return (
    <section class="room-view" aria-label={`#${room.name}`}>
      <header class="room-header">
        <button type="button" class="menu" aria-label="Rooms" onClick={onMenu}>
          ☰
        </button>
        <h1>#{room.name}</h1>
        <span class="online-count">{users.length} online</span>
        <span class="header-status">
          <ConnectionStatus state={store.connection.value} />
        </span>
        <button type="button" class="leave" onClick={() => void store.leave(room.name)}>
          Leave
        </button>
      </header>
      <div class="room-body">
        <div class="conversation">
          <MessageList store={store} room={room} />
          <p class="typing" aria-live="polite">
            {typingLine(room.typing.value.map((u) => u.name)).map((part) =>
              typeof part === 'string' ? part : <bdi>{part.name}</bdi>,
            )}
          </p>
          <Composer store={store} room={room.name} />
        </div>
        <aside class="presence" aria-label="Online">
          <h2>Online — {users.length}</h2>
          <ul>
            {users.map((u) => (
              <li key={u.id}>
                <span class="online-dot" aria-hidden="true" />
                <bdi>{u.name}</bdi>
                {u.id === store.me.id ? ' (you)' : ''}
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </section>
  );
}
