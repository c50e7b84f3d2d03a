import { useEffect, useState } from 'preact/hooks';
import { ROOM_NAME_HTML_PATTERN } from '../../../client/index.js';
import { InviteOffer } from './InviteOffer.js';
import { PersonCard } from './PersonCard.js';
import { QuickSwitcher } from './QuickSwitcher.js';
import { RoomView } from './RoomView.js';
import { Sidebar } from './Sidebar.js';
import {
  fetchToken,
  forgetSession,
  loadUiConfig,
  savedSession,
  saveSession,
  TokenRefused,
  type UiConfig,
} from './session.js';
import { ChatStore, messageLinkOf } from './store.js';
import { useTabTitle } from './tab-title.js';

/** Token mode without a way to get a token, or without a session: says what to do instead of a dead composer. */
function TokenNeeded({
  config,
  problem,
}: {
  config: UiConfig;
  problem: 'no-endpoint' | 'signed-out' | string;
}) {
  const back = encodeURIComponent(location.href);
  return (
    <main class="signin">
      <section class="card" aria-label="Sign in">
        <h1>Parley</h1>
        {problem === 'no-endpoint' ? (
          <>
            <p>
              This server only accepts signed-in users (verified tokens), and no sign-in is set up for this
              page.
            </p>
            <p class="muted small">
              Operators: run Parley with <code>--ui-token-url</code> (an endpoint of your site that returns{' '}
              <code>{'{"token": "…"}'}</code> for the user's session cookie) and <code>--ui-login-url</code>{' '}
              (see docs/security.md, "The bundled chat with tokens").
            </p>
          </>
        ) : problem === 'signed-out' ? (
          <>
            <p>Sign in to chat.</p>
            {config.loginUrl ? (
              <a
                class="button"
                href={`${config.loginUrl}${config.loginUrl.includes('?') ? '&' : '?'}return=${back}`}
              >
                Sign in
              </a>
            ) : (
              <p class="muted small">Sign in on your site, then come back to this page.</p>
            )}
          </>
        ) : (
          <>
            <p>Could not get a sign-in token: {problem}</p>
            <button type="button" onClick={() => location.reload()}>
              Try again
            </button>
          </>
        )}
      </section>
    </main>
  );
}

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

/**
 * Opens the chat on `room`: one the user just asked for (`fresh`, joined at once), or the session's or the site's
 * default one (joined only if the user may still be in it: the store restores it with the rooms this browser had
 * open).
 */
function openChat(store: ChatStore, room: string, fresh: boolean): ChatStore {
  if (!fresh) {
    store.connect([room], { restore: true });
    return store;
  }
  store.connect([room]);
  store.select(room);
  return store;
}

/** The chat application: sign in (a name, or a token from the site), then rooms. */
export function ChatApp() {
  const [config, setConfig] = useState<UiConfig | null>(null);
  const [store, setStore] = useState<ChatStore | null>(null);
  const [tokenProblem, setTokenProblem] = useState<string | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [switching, setSwitching] = useState(false);
  useEffect(() => {
    void loadUiConfig().then((loaded) => {
      setConfig(loaded);
      if (loaded.auth === 'anonymous') {
        // A reload keeps this tab's session.
        const session = savedSession();
        if (session)
          setStore(openChat(new ChatStore({ kind: 'anonymous', name: session.name }), session.room, false));
        return;
      }
      if (loaded.tokenUrl === '') {
        setTokenProblem('no-endpoint');
        return;
      }
      // The site's session cookie is the session: a token now says whether there is one.
      fetchToken(loaded.tokenUrl).then(
        (first) => {
          // The token just fetched opens the first connection; later ones (reconnects, refreshes) fetch their own.
          let unused: string | undefined = first;
          const token = () => {
            const ready = unused;
            unused = undefined;
            return ready !== undefined ? Promise.resolve(ready) : fetchToken(loaded.tokenUrl);
          };
          setStore(openChat(new ChatStore({ kind: 'token', token }), 'lobby', false));
        },
        (error: Error) =>
          setTokenProblem(error instanceof TokenRefused && error.status < 500 ? 'signed-out' : error.message),
      );
    });
  }, []);
  useEffect(() => () => store?.close(), [store]);
  useEffect(() => {
    if (!store) return;
    // Back to the tab: what is on screen is read now.
    const onVisible = () => {
      const model = store.current.value ? store.room(store.current.value) : undefined;
      if (!document.hidden && model) store.markSeen(model);
      store.readOpenThread();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [store]);
  useEffect(() => {
    if (!store) return;
    // A link to a message of this chat (Copy link) opens it here, as a room of the sidebar does, not in a new tab.
    const onClick = (event: MouseEvent) => {
      const anchor = (event.target as Element | null)?.closest?.('a[href]');
      if (!anchor || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      const url = new URL((anchor as HTMLAnchorElement).href);
      const link = url.origin === location.origin ? messageLinkOf(url.search) : undefined;
      if (!link) return;
      event.preventDefault();
      void store.showMessage(link.room, link.offset, link.thread);
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, [store]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // Escape closes the room list on narrow screens.
      if (event.key === 'Escape') setMenuOpen(false);
      else if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        // Ctrl+K (⌘K): the quick switcher, as in other chats (the browser's own use of it gives way here).
        event.preventDefault();
        if (store) setSwitching(true);
      } else if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
        event.preventDefault();
        store?.openAdjacent(event.key === 'ArrowUp' ? -1 : 1);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [store]);
  useTabTitle(store);
  if (!config) return <main class="signin" aria-busy="true" />;
  if (!store && tokenProblem) return <TokenNeeded config={config} problem={tokenProblem} />;
  if (!store) {
    if (config.auth !== 'anonymous') return <main class="signin" aria-busy="true" />;
    return (
      <SignIn
        onSignIn={(name, room) => {
          saveSession({ name, room });
          setStore(openChat(new ChatStore({ kind: 'anonymous', name }), room, true));
        }}
      />
    );
  }
  const current = store.rooms.value.find((r) => r.name === store.current.value);
  const closePerson = () => {
    store.personShown.value = null;
  };
  const signOut =
    config.auth === 'anonymous'
      ? () => {
          forgetSession();
          store.close();
          setStore(null);
        }
      : undefined;
  return (
    <div class={`chat${menuOpen ? ' menu-open' : ''}`}>
      <Sidebar store={store} onPick={() => setMenuOpen(false)} onSignOut={signOut} />
      <InviteOffer store={store} />
      {switching && (
        <QuickSwitcher
          store={store}
          onClose={() => {
            setSwitching(false);
            setMenuOpen(false);
          }}
        />
      )}
      {store.personShown.value && (
        <PersonCard store={store} person={store.personShown.value} onClose={closePerson} />
      )}
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
