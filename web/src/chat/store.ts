/**
 * The chat's state over the SDK, as Preact signals: rooms with their messages (pending, sent, failed), unread
 * counts, presence and typing, and the connection. Views read signals; only this store talks to the client.
 */
import { batch, type Signal, signal } from '@preact/signals';
import {
  type ChatMessage,
  type ConnectionState,
  type InvitationSummary,
  type MemberSummary,
  ParleyClient,
  type Role,
  type RoomSummary,
  type SystemEvent,
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
  /** A system event (someone joined, was kicked, the room was renamed): shown as a small notice. */
  event?: SystemEvent;
}

/** A line in a room that is not a message: recovery and reset notices. */
export interface Notice {
  /** Placed after the message with this offset (0: at the top). */
  afterOffset: number;
  text: string;
}

/** One joined room. */
export interface RoomModel {
  /** The room's id (what is joined). */
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
  /** The user's rooms as the server keeps them (empty on a server without stored rooms). */
  readonly roomList = signal<RoomSummary[]>([]);
  readonly invitations = signal<InvitationSummary[]>([]);
  /** Unread counts of listed rooms that are not open here (from their activity). */
  readonly listUnread = signal<Record<string, number>>({});
  /** Whether the server keeps rooms (group chat); false with `--store redis`. */
  readonly groupChat = signal(true);
  /** The last refusal or outcome of a room action, shown to the user. */
  readonly notice = signal<string | null>(null);

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
      void this.loadRoomList();
    });
    this.client.on('room_added', ({ room }) => this.upsertListed(room));
    this.client.on('room_removed', ({ room, reason, by }) => this.onRemoved(room, reason, by));
    this.client.on('invited', ({ invitation }) => {
      const rest = this.invitations.value.filter((i) => i.room.id !== invitation.room.id);
      this.invitations.value = [...rest, invitation];
    });
    this.client.on('invitation_removed', ({ room }) => {
      this.invitations.value = this.invitations.value.filter((i) => i.room.id !== room);
    });
    this.client.on('activity', ({ room, last }) => {
      const entry = this.listed(room);
      if (!entry) return;
      const updated: RoomSummary = { ...entry, last, activity: Math.max(entry.activity, last.ts) };
      if (last.event?.type === 'renamed' && last.event.name) updated.name = last.event.name;
      if (last.event?.type === 'topic') updated.topic = last.event.topic ?? '';
      if (last.event?.type === 'archived') updated.archived = true;
      if (last.event?.type === 'unarchived') updated.archived = false;
      if (last.event?.type === 'role' && last.event.user?.id === this.me.id && last.event.role) {
        updated.role = last.event.role;
      }
      this.upsertListed(updated);
      if (last.from.id !== this.me.id && !last.event) {
        this.listUnread.value = { ...this.listUnread.value, [room]: (this.listUnread.value[room] ?? 0) + 1 };
      }
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
    if (this.listUnread.value[name]) {
      const { [name]: _, ...rest } = this.listUnread.value;
      this.listUnread.value = rest;
    }
  }

  /** The room list entry of a room, if the user belongs to it. */
  listed(id: string): RoomSummary | undefined {
    return this.roomList.value.find((r) => r.id === id);
  }

  /** What a room is called on screen: its name, a direct room's other people, or its id. */
  title(id: string): string {
    const entry = this.listed(id);
    if (!entry) return `#${id}`;
    if (entry.kind === 'direct') {
      const others = (entry.members ?? []).filter((m) => m.id !== this.me.id).map((m) => m.name);
      return others.join(', ') || 'Direct message';
    }
    return entry.name || entry.id;
  }

  /** The user's role in a room they belong to. */
  roleIn(id: string): Role | undefined {
    return this.listed(id)?.role;
  }

  private async loadRoomList(): Promise<void> {
    try {
      const { rooms, invitations } = await this.client.roomList();
      batch(() => {
        this.roomList.value = rooms;
        this.invitations.value = invitations;
        this.groupChat.value = true;
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'unsupported') this.groupChat.value = false;
    }
  }

  private upsertListed(room: RoomSummary): void {
    const rest = this.roomList.value.filter((r) => r.id !== room.id);
    this.roomList.value = [room, ...rest].sort((a, b) => b.activity - a.activity);
  }

  private onRemoved(room: string, reason: string, by: UserInfo | undefined): void {
    const title = this.title(room);
    batch(() => {
      this.roomList.value = this.roomList.value.filter((r) => r.id !== room);
      if (this.room(room)) {
        this.rooms.value = this.rooms.value.filter((r) => r.name !== room);
        if (this.current.value === room) this.current.value = this.rooms.value[0]?.name ?? null;
        this.saveRooms();
      }
      if (reason !== 'left')
        this.notice.value = `You were ${reason === 'banned' ? 'banned from' : 'removed from'} ${title}${by ? ` by ${by.name}` : ''}`;
    });
  }

  /** Runs a room action; a refusal is shown as the store's notice instead of thrown. */
  private async act<T>(work: () => Promise<T>, done?: string): Promise<T | undefined> {
    try {
      const result = await work();
      this.notice.value = done ?? null;
      return result;
    } catch (error) {
      this.notice.value = (error as Error).message;
      return undefined;
    }
  }

  /** Creates a room and opens it. */
  async createRoom(name: string, kind: 'public' | 'private'): Promise<void> {
    const room = await this.act(() => this.client.createRoom(name, { kind }));
    if (!room) return;
    this.upsertListed(room);
    await this.join(room.id);
  }

  /** Opens the direct room with a user (the same one every time). */
  async openDirect(user: UserInfo): Promise<void> {
    const room = await this.act(() => this.client.direct([{ id: user.id, name: user.name }]));
    if (!room) return;
    this.upsertListed(room);
    await this.join(room.id);
  }

  async acceptInvitation(room: string): Promise<void> {
    const joined = await this.act(() => this.client.acceptInvitation(room));
    if (!joined) return;
    this.invitations.value = this.invitations.value.filter((i) => i.room.id !== room);
    this.upsertListed(joined);
    await this.join(room);
  }

  async declineInvitation(room: string): Promise<void> {
    await this.act(() => this.client.declineInvitation(room));
    this.invitations.value = this.invitations.value.filter((i) => i.room.id !== room);
  }

  /** Leaves a room for good (every device); an open channel is only closed. */
  async leaveRoom(room: string): Promise<void> {
    if (this.listed(room) && this.listed(room)?.kind !== 'direct') {
      await this.act(() => this.client.leaveRoom(room));
    }
    await this.leave(room);
  }

  invite(room: string, user: string): Promise<unknown> {
    return this.act(() => this.client.invite(room, user), `Invited ${user}`);
  }

  /** A moderation action on a member of a room. */
  moderate(room: string, user: string, action: 'kick' | 'ban' | 'mute' | 'unmute' | Role): Promise<unknown> {
    const client = this.client;
    const work: Record<string, () => Promise<void>> = {
      kick: () => client.kick(room, user),
      ban: () => client.ban(room, user),
      mute: () => client.mute(room, user),
      unmute: () => client.unmute(room, user),
      owner: () => client.setRole(room, user, 'owner'),
      admin: () => client.setRole(room, user, 'admin'),
      member: () => client.setRole(room, user, 'member'),
    };
    return this.act(work[action] as () => Promise<void>);
  }

  /** A page of a room's members. */
  members(room: string, after?: string): Promise<{ members: MemberSummary[]; next?: string }> {
    return this.client.members(room, { ...(after !== undefined ? { after } : {}), limit: 100 });
  }

  /** A page of public rooms. */
  publicRooms(): Promise<RoomSummary[]> {
    return this.client.publicRooms({ limit: 100 }).then((page) => page.rooms);
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
    if (!mine && !message.event && (this.current.value !== message.room || document.hidden)) {
      model.unread.value += 1;
    }
    const entry = this.listed(message.room);
    if (entry) {
      const updated = { ...entry, activity: Math.max(entry.activity, message.ts) };
      if (message.event?.type === 'renamed' && message.event.name) updated.name = message.event.name;
      if (message.event?.type === 'role' && message.event.user?.id === this.me.id && message.event.role) {
        updated.role = message.event.role;
      }
      this.upsertListed(updated);
    }
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
      if (message.event) shown.event = message.event;
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
