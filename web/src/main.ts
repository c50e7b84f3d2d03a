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
  const seen = new Set<string>();

  const render = (message: ChatMessage, prepend = false) => {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    const item = document.createElement('li');
    item.dataset.offset = String(message.offset);
    if (message.from.id === me) item.className = 'mine';
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${new Date(message.ts).toLocaleTimeString()} ${message.from.name}`;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = message.text; // always text, never HTML
    item.append(meta, body);
    if (prepend) list.prepend(item);
    else list.append(item);
    list.scrollTop = list.scrollHeight;
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
  client.on('joined', async ({ room: joined }) => {
    const page = await client.history(joined, { limit: 50 });
    for (const message of page.messages.reverse()) render(message, true);
    const items = [...list.children] as HTMLElement[];
    items.sort((a, b) => Number(a.dataset.offset) - Number(b.dataset.offset));
    list.replaceChildren(...items);
    list.scrollTop = list.scrollHeight;
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
    client.send(room, value).catch((error: Error) => {
      status.textContent = `send failed: ${error.message}`;
    });
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
