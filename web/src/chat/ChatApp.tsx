import { useEffect, useState } from 'preact/hooks';
import { ROOM_NAME_HTML_PATTERN } from '../../../client/index.js';
import { RoomView } from './RoomView.js';
import { Sidebar } from './Sidebar.js';
import { ChatStore, savedRooms } from './store.js';

function SignIn({ onSignIn }: { onSignIn: (name: string, room: string) => void }) {
  const [name, setName] = useState(localStorage.getItem('parley.name') ?? '');
  const [room, setRoom] = useState('lobby');
  return (
    <main class="signin">
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim() && room.trim()) onSignIn(name.trim(), room.trim());
        }}
      >
        <h1>Parley</h1>
        <p class="muted">Real-time chat. Pick a display name to start.</p>
        <p class="muted small demo-label">
          Demo mode: names are not verified, so anyone can use any name. Run Parley with{' '}
          <code>--auth jwt</code> for real accounts.
        </p>
        <label>
          Display name
          <input
            id="name"
            value={name}
            maxLength={32}
            required
            autoComplete="nickname"
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Room
          <input
            id="room"
            value={room}
            maxLength={64}
            required
            pattern={ROOM_NAME_HTML_PATTERN}
            onInput={(e) => setRoom((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Enter</button>
      </form>
    </main>
  );
}

/** The chat application: sign in, then rooms. */
export function ChatApp() {
  const [store, setStore] = useState<ChatStore | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => () => store?.client.close(), [store]);
  useEffect(() => {
    if (!store) return;
    // Back to the tab: what is on screen is read now.
    const onVisible = () => {
      const model = store.current.value ? store.room(store.current.value) : undefined;
      if (!document.hidden && model) store.markSeen(model);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [store]);
  useEffect(() => {
    // Escape closes the room list on narrow screens.
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setMenuOpen(false);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  if (!store) {
    return (
      <SignIn
        onSignIn={(name, room) => {
          localStorage.setItem('parley.name', name);
          const created = new ChatStore(name);
          const rooms = [...new Set([room, ...savedRooms()])];
          created.connect(rooms);
          created.select(room);
          setStore(created);
        }}
      />
    );
  }
  const current = store.rooms.value.find((r) => r.name === store.current.value);
  // Unread messages of every room in the tab's title, so a background tab shows them.
  const unread = store.totalUnread();
  document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
  return (
    <div class={`chat${menuOpen ? ' menu-open' : ''}`}>
      <Sidebar store={store} onPick={() => setMenuOpen(false)} />
      {current ? (
        <RoomView store={store} room={current} onMenu={() => setMenuOpen(!menuOpen)} />
      ) : (
        <section class="room-view empty">
          <button type="button" class="menu" aria-label="Rooms" onClick={() => setMenuOpen(!menuOpen)}>
            ☰
          </button>
          <p class="muted">Join a room to start chatting.</p>
        </section>
      )}
    </div>
  );
}
