/** The minimal chat page: sign in with a name, chat in one room. Uses only the public SDK. */
import { type ChatMessage, ParleyClient } from '../../client/index.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const signin = $<HTMLFormElement>('signin');
const chat = $<HTMLElement>('chat');
const list = $<HTMLOListElement>('messages');
const status = $<HTMLSpanElement>('status');
const text = $<HTMLTextAreaElement>('text');

function userId(): string {
  // One id per browser profile, so several tabs count as one user.
  let id = localStorage.getItem('parley.user');
  if (!id) {
    id = crypto.randomUUID().replaceAll('-', '');
    localStorage.setItem('parley.user', id);
  }
  return id;
}

function start(name: string, room: string): void {
  const me = userId();
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const client = new ParleyClient({ url: wsUrl, name, userId: me });
  /** Rendered messages by id, and own messages not yet acknowledged by client id. */
  const shown = new Map<string, HTMLLIElement>();
  const pending = new Map<string, HTMLLIElement>();

  const item = (from: string, text: string, ts: number, mine: boolean) => {
    const li = document.createElement('li');
    if (mine) li.classList.add('mine');
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${new Date(ts).toLocaleTimeString()} ${from}`;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text; // always text, never HTML
    const state = document.createElement('span');
    state.className = 'state';
    li.append(meta, body, state);
    return li;
  };

  const place = (li: HTMLLIElement, offset: number) => {
    li.dataset.offset = String(offset);
    // Keep offset order even when history arrives after live messages.
    const after = [...list.children].find((other) => Number((other as HTMLElement).dataset.offset) > offset);
    list.insertBefore(li, after ?? null);
  };

  const render = (message: ChatMessage) => {
    if (shown.has(message.id)) return;
    const mine = message.from.id === me;
    const waiting = mine ? pending.get(message.cid) : undefined;
    const li = waiting ?? item(message.from.name, message.text, message.ts, mine);
    if (waiting) {
      pending.delete(message.cid);
      li.classList.remove('pending');
      (li.querySelector('.state') as HTMLElement).textContent = '✓';
      li.remove();
    }
    shown.set(message.id, li);
    place(li, message.offset);
    list.scrollTop = list.scrollHeight;
  };

  const loadRecent = async () => {
    const page = await client.history(room, { limit: 50 });
    for (const message of page.messages) render(message);
  };

  client.on('state', (state) => {
    status.dataset.status = state.status;
    status.textContent =
      state.status === 'connected'
        ? `connected to ${state.node}`
        : state.status === 'reconnecting'
          ? `reconnecting in ${Math.ceil(state.delayMs / 1000)} s`
          : state.status;
  });
  client.on('message', (message) => render(message));
  client.on('presence', ({ users }) => {
    $('presence').replaceChildren(
      ...users.map((u) => {
        const li = document.createElement('li');
        li.textContent = u.name;
        return li;
      }),
    );
  });
  client.on('typing', ({ users }) => {
    $('typing').textContent = users.length ? `${users.map((u) => u.name).join(', ')} typing…` : '';
  });
  client.on('joined', ({ rejoin }) => {
    // A rejoin resumes: missed messages arrive as message events. Only a first join loads history.
    if (!rejoin) void loadRecent();
  });
  client.on('reset', () => {
    // What we showed may no longer match the room (history lost or trimmed): show the room as it is now.
    for (const [id, li] of shown) {
      if (!li.classList.contains('pending')) {
        li.remove();
        shown.delete(id);
      }
    }
    void loadRecent();
  });

  $('room-title').textContent = `#${room}`;
  signin.hidden = true;
  chat.hidden = false;
  client.connect();
  void client.join(room);

  $<HTMLFormElement>('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = text.value;
    if (!value.trim()) return;
    text.value = '';
    const cid = crypto.randomUUID();
    const li = item(name, value, Date.now(), true);
    li.classList.add('pending');
    (li.querySelector('.state') as HTMLElement).textContent = 'sending…';
    li.dataset.offset = String(Number.MAX_SAFE_INTEGER);
    list.append(li);
    list.scrollTop = list.scrollHeight;
    pending.set(cid, li);
    // The SDK re-sends it after a reconnect with the same cid, so it is published once.
    client.send(room, value, cid).then(
      (ack) => {
        li.dataset.id = ack.id;
        if (pending.get(cid) === li) (li.querySelector('.state') as HTMLElement).textContent = '✓';
      },
      (error: Error) => {
        li.classList.add('failed');
        (li.querySelector('.state') as HTMLElement).textContent = `not sent: ${error.message}`;
      },
    );
  });
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      $<HTMLFormElement>('composer').requestSubmit();
    } else {
      client.typing(room);
    }
  });
  text.focus();
}

signin.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $<HTMLInputElement>('name').value.trim();
  const room = $<HTMLInputElement>('room').value.trim();
  if (name && room) start(name, room);
});
