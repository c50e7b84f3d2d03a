/**
 * The chat's state over the SDK, as Preact signals: rooms with their messages (pending, sent, failed), unread
 * counts, presence and typing, and the connection. Views read signals; only this store talks to the client.
 */
import { batch, type Signal, signal } from '@preact/signals';
import {
  type ChatMessage,
  type ConnectionState,
  ParleyClient,
  type UserInfo,
} from '../../../client/index.js';

/** A message as the chat shows it. */
export interface ShownMessage {
  /** The server id once known, the client id before. */
  key: string;
  cid: string;
  offset?: number;
  from: UserInfo;
  text: string;
  ts: number;
  status: 'pending' | 'sent' | 'failed';
  mine: boolean;
  error?: string;
}

/** A line in a room that is not a message: recovery and reset notices. */
export interface Notice {
  /** Placed after the message with this offset (0: at the top). */
  afterOffset: number;
  text: string;
}

/** One joined room. */
export interface RoomModel {
  name: string;
  messages: Signal<ShownMessage[]>;
  notices: Signal<Notice[]>;
  unread: Signal<number>;
  users: Signal<UserInfo[]>;
  typing: Signal<UserInfo[]>;
  /** Older history exists beyond the first message shown. */
  hasMore: Signal<boolean>;
  loadingOlder: Signal<boolean>;
  /** Messages shown when the connection was lost (to count what a resume recovered). */
  shownAtDisconnect?: number;
}

const PAGE = 50;

function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/** The user's id in this browser: shared by its tabs, so they count as one user. */
function browserUserId(): string {
  let id = localStorage.getItem('parley.user');
  if (!id) {
    id = crypto.randomUUID().replaceAll('-', '');
    localStorage.setItem('parley.user', id);
  }
  return id;
}

export class ChatStore {
  readonly me: UserInfo;
  readonly client: ParleyClient;
  readonly connection = signal<ConnectionState>({ status: 'idle' });
  readonly rooms = signal<RoomModel[]>([]);
  readonly current = signal<string | null>(null);
  readonly maxTextLength = signal(4000);
  /** The server's room-name length limit (from its welcome frame). */
  readonly maxRoomNameLength = signal(64);

  constructor(name: string) {
    this.me = { id: browserUserId(), name };
    // A chat should come back quickly: retries are capped at 5 s (with jitter) rather than the SDK's 15 s.
    this.client = new ParleyClient({
      url: wsUrl(),
      name,
      userId: this.me.id,
      reconnect: { maxDelayMs: 5000 },
    });
    this.client.on('state', (state) => this.onState(state));
    this.client.on('welcome', (welcome) => {
      this.maxTextLength.value = welcome.limits.maxTextLength;
      this.maxRoomNameLength.value = welcome.limits.maxRoomNameLength;
    });
    this.client.on('message', (message) => this.onMessage(message));
    this.client.on('presence', ({ room, users }) => {
      const model = this.room(room);
      if (model) model.users.value = users;
    });
    this.client.on('typing', ({ room, users }) => {
      const model = this.room(room);
      if (model) model.typing.value = users.filter((u) => u.id !== this.me.id);
    });
    this.client.on('joined', ({ room, rejoin, recovered }) => this.onJoined(room, rejoin, recovered));
    this.client.on('reset', ({ room }) => this.onReset(room));
  }

  connect(rooms: string[]): void {
    this.client.connect();
    for (const room of rooms) void this.join(room);
  }

  room(name: string): RoomModel | undefined {
    return this.rooms.value.find((r) => r.name === name);
  }

  /** Joins (or creates, by joining) a room and makes it current. */
  async join(name: string): Promise<void> {
    if (!this.room(name)) {
      const model: RoomModel = {
        name,
        messages: signal([]),
        notices: signal([]),
        unread: signal(0),
        users: signal([]),
        typing: signal([]),
        hasMore: signal(false),
        loadingOlder: signal(false),
      };
      this.rooms.value = [...this.rooms.value, model];
      this.saveRooms();
    }
    this.select(name);
    await this.client.join(name);
  }

  async leave(name: string): Promise<void> {
    this.rooms.value = this.rooms.value.filter((r) => r.name !== name);
    if (this.current.value === name) this.current.value = this.rooms.value[0]?.name ?? null;
    this.saveRooms();
    await this.client.leave(name);
  }

  select(name: string): void {
    this.current.value = name;
    const model = this.room(name);
    if (model) model.unread.value = 0;
  }

  /** Sends to the current room; the message shows at once as pending, then sent (or failed). */
  send(text: string): void {
    const room = this.current.value;
    const model = room ? this.room(room) : undefined;
    if (!room || !model || text.trim() === '') return;
    const cid = crypto.randomUUID();
    const shown: ShownMessage = {
      key: cid,
      cid,
      from: this.me,
      text,
      ts: Date.now(),
      status: 'pending',
      mine: true,
    };
    model.messages.value = [...model.messages.value, shown];
    // Re-sent after a reconnect with the same cid by the SDK: published once, whatever happens.
    this.client.send(room, text, cid).then(
      (ack) => this.update(model, cid, { status: 'sent', key: ack.id, offset: ack.offset, ts: ack.ts }),
      (error: Error) => this.update(model, cid, { status: 'failed', error: error.message }),
    );
  }

  typing(): void {
    if (this.current.value) this.client.typing(this.current.value);
  }

  /** Loads the page of history before the first message shown. */
  async loadOlder(model: RoomModel): Promise<void> {
    if (model.loadingOlder.value || !model.hasMore.value) return;
    const first = model.messages.value.find((m) => m.offset !== undefined)?.offset;
    if (first === undefined) return;
    model.loadingOlder.value = true;
    try {
      const page = await this.client.history(model.name, { before: first, limit: PAGE });
      batch(() => {
        this.merge(model, page.messages);
        model.hasMore.value = page.hasMore;
      });
    } finally {
      model.loadingOlder.value = false;
    }
  }

  private async loadRecent(model: RoomModel): Promise<void> {
    const page = await this.client.history(model.name, { limit: PAGE });
    batch(() => {
      this.merge(model, page.messages);
      model.hasMore.value = page.hasMore;
    });
  }

  private onState(state: ConnectionState): void {
    const wasConnected = this.connection.value.status === 'connected';
    this.connection.value = state;
    if (wasConnected && state.status !== 'connected') {
      for (const model of this.rooms.value) model.shownAtDisconnect ??= model.messages.value.length;
    }
  }

  private onJoined(room: string, rejoin: boolean, recovered: boolean | undefined): void {
    const model = this.room(room);
    if (!model) return;
    if (!rejoin) {
      void this.loadRecent(model);
      return;
    }
    const before = model.shownAtDisconnect;
    model.shownAtDisconnect = undefined;
    if (recovered && before !== undefined) {
      const count = model.messages.value.length - before;
      const last = model.messages.value[before - 1]?.offset ?? 0;
      const text =
        count > 0 ? `Reconnected: ${count} missed message${count === 1 ? '' : 's'} recovered` : 'Reconnected';
      model.notices.value = [...model.notices.value, { afterOffset: last, text }];
    }
  }

  private onReset(room: string): void {
    const model = this.room(room);
    if (!model) return;
    batch(() => {
      // Keep only what is still on its way; everything else is reloaded from the server.
      model.messages.value = model.messages.value.filter((m) => m.status === 'pending');
      model.notices.value = [
        { afterOffset: 0, text: 'History was reset by the server; showing the room as it is now' },
      ];
    });
    void this.loadRecent(model);
  }

  private onMessage(message: ChatMessage): void {
    const model = this.room(message.room);
    if (!model) return;
    this.merge(model, [message]);
    const mine = message.from.id === this.me.id;
    if (!mine && (this.current.value !== message.room || document.hidden)) model.unread.value += 1;
  }

  /** Adds server messages in offset order, replacing this client's pending copies (matched by cid). */
  private merge(model: RoomModel, messages: ChatMessage[]): void {
    let list = model.messages.value;
    for (const message of messages) {
      const mine = message.from.id === this.me.id;
      const shown: ShownMessage = {
        key: message.id,
        cid: message.cid,
        offset: message.offset,
        from: message.from,
        text: message.text,
        ts: message.ts,
        status: 'sent',
        mine,
      };
      if (list.some((m) => m.key === message.id)) continue;
      const pendingIndex = mine ? list.findIndex((m) => m.cid === message.cid && m.offset === undefined) : -1;
      if (pendingIndex >= 0) list = list.filter((_, i) => i !== pendingIndex);
      const at = list.findIndex((m) => m.offset === undefined || m.offset > message.offset);
      list = at < 0 ? [...list, shown] : [...list.slice(0, at), shown, ...list.slice(at)];
    }
    model.messages.value = list;
  }

  private update(model: RoomModel, cid: string, patch: Partial<ShownMessage>): void {
    const list = model.messages.value;
    const index = list.findIndex((m) => m.cid === cid && m.mine && m.offset === undefined);
    if (index < 0) return; // already replaced by the delivered message
    const updated = { ...(list[index] as ShownMessage), ...patch };
    const rest = list.filter((_, i) => i !== index);
    if (updated.offset === undefined) {
      model.messages.value = [...rest.slice(0, index), updated, ...rest.slice(index)];
      return;
    }
    if (rest.some((m) => m.key === updated.key)) {
      model.messages.value = rest;
      return;
    }
    const at = rest.findIndex((m) => m.offset === undefined || (m.offset ?? 0) > (updated.offset ?? 0));
    model.messages.value = at < 0 ? [...rest, updated] : [...rest.slice(0, at), updated, ...rest.slice(at)];
  }

  private saveRooms(): void {
    localStorage.setItem('parley.rooms', JSON.stringify(this.rooms.value.map((r) => r.name)));
  }
}

/** Rooms this browser had open last time. */
export function savedRooms(): string[] {
  try {
    const rooms = JSON.parse(localStorage.getItem('parley.rooms') ?? '[]') as unknown;
    return Array.isArray(rooms) ? rooms.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
