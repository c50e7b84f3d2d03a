import { backoffDelay } from './backoff.js';
import { Connection, type ConnectionOptions, type ConnectionState } from './connection.js';
import { Emitter } from './emitter.js';
import { ParleyError } from './errors.js';
import type {
  ActedFrame,
  ActivityFrame,
  ChatMessage,
  DraftFrame,
  FavoriteFrame,
  HideFrame,
  HistoryFrame,
  InvitationRemovedFrame,
  InvitedFrame,
  InvitePreviewFrame,
  JoinedFrame,
  NotificationsFrame,
  PresenceStateFrame,
  PreviewFrame,
  ReadFrame,
  ReminderFrame,
  RoomAddedFrame,
  RoomRemovedFrame,
  ScheduleChangedFrame,
  SeenFrame,
  SentFrame,
  ServerFrame,
  SettingsFrame,
  StatusFrame,
  StreamPosition,
  ThreadStateFrame,
  UserInfo,
  WelcomeFrame,
} from './protocol.js';
import { RequestTable } from './requests.js';
import { RoomState } from './room-state.js';
import { type ResetReason, RoomStream } from './room-stream.js';
import type { ClientRequest, SearchCommand } from './wire/commands.js';
import type {
  Draft,
  FileRef,
  LinkPreview,
  MessageVersion,
  Role,
  ScheduledMessage,
  UserStatus,
} from './wire/domain.js';
import type {
  BanSummary,
  FollowedThread,
  FollowedThreadCounts,
  InvitationSummary,
  InviteLinkSummary,
  MemberSummary,
  NotificationLevel,
  PinSummary,
  PublicRoomsCursor,
  RoomInvitationSummary,
  RoomSummary,
  SavedSummary,
  SentInvitationSummary,
  SentInvitationsCursor,
  WebhookSummary,
} from './wire/rooms.js';

export type {
  ConnectionOptions,
  ConnectionState,
  WebSocketFactory,
  WebSocketLike,
} from './connection.js';

/** Options of {@link ParleyClient}: how to reach the server (see {@link ConnectionOptions}), and timings. */
export interface ParleyClientOptions extends ConnectionOptions {
  /** How long a command may wait for its reply, across reconnects (default 15 s). */
  requestTimeoutMs?: number;
  /** How long a typing indicator lasts without a new signal (default 4 s). */
  typingTimeoutMs?: number;
  /** Least time between two typing signals sent for one room (default 2 s). */
  typingIntervalMs?: number;
}

/** Events of {@link ParleyClient}. */
export interface ClientEvents {
  state: ConnectionState;
  welcome: WelcomeFrame;
  /**
   * A room (re)joined; `position` is where live messages continue. After a reconnect, `recovered` tells whether
   * every missed message was recovered (they are emitted as `message` events before this one).
   */
  joined: { room: string; position: StreamPosition; rejoin: boolean; recovered?: boolean };
  /**
   * The room's next message, exactly once and in offset order (actions on earlier messages come as `action`). A reply
   * in a thread comes here too, with `thread` (its root's offset): show it in its thread, not in the room's timeline,
   * and apply it to the root with {@link applyThreadReply}.
   */
  message: ChatMessage;
  /**
   * An edit, delete or reaction of an earlier message (`entry.action` says which and `entry.action.target` the
   * offset), in the same order and exactly-once stream as `message`: apply it with {@link applyAction}.
   */
  action: { room: string; entry: ChatMessage };
  /**
   * The messages between what this client had and `position` are gone (history lost or trimmed): the stream goes
   * on from `position`; reload recent history to show the room as it is.
   */
  reset: { room: string; position: StreamPosition; reason: ResetReason };
  /** Who is in the room: `users` as this client knows them (all, or a part when `count` is larger), `count` all. */
  presence: { room: string; users: UserInfo[]; count: number };
  typing: { room: string; users: UserInfo[] };
  /** Messages `from`..`to` did not arrive live; the client is fetching them (informational). */
  gap: { room: string; from: number; to: number };
  /** A server error not tied to a command of this client. */
  error: ParleyError;
  /** The user now belongs to a room (on any device): add it to the room list. */
  room_added: RoomAddedFrame;
  /** The user no longer belongs to a room (left on any device, kicked, banned); this client left it too. */
  room_removed: RoomRemovedFrame;
  /** The user was invited to a room. */
  invited: InvitedFrame;
  /** An invitation is gone (accepted, declined, withdrawn, or the user was banned). */
  invitation_removed: InvitationRemovedFrame;
  /** A listed room this client has not joined saw a message or an event (after {@link ParleyClient.roomList}). */
  activity: ActivityFrame;
  preview: PreviewFrame;
  /** The user's read marker of a room moved, on this or another device (after {@link ParleyClient.roomList}). */
  read: ReadFrame;
  /**
   * A thread the user follows changed for them, on this or another device (after {@link ParleyClient.roomList}):
   * followed or no longer, read, or a reply came (its counts after the read marker).
   */
  thread_state: ThreadStateFrame;
  /** What the user wants to be notified of in a room changed, on this or another device (after `roomList`). */
  notifications: NotificationsFrame;
  /** A room became one of the user's favorites or no longer, on this or another device (after `roomList`). */
  favorite: FavoriteFrame;
  /**
   * The user hid a room from their room list or showed it again, on this or another device (after `roomList`). A
   * hidden room comes back by itself with a newer message (its `activity`, or a `message` of a joined room).
   */
  hide: HideFrame;
  /**
   * One of this user's scheduled messages changed, on this or another device (after `roomList()`): scheduled, failed
   * (`scheduled` is it now), removed or sent (no `scheduled`; `sent` is the message it became).
   */
  schedule_changed: ScheduleChangedFrame;
  /** A reminder this user set (`remind`) came due, on every device (after `roomList()`): the message as it is now. */
  reminder: ReminderFrame;
  /**
   * A draft of this user's was set or cleared (`text` empty), on this or another device (after `roomList()`); `at`
   * orders the changes.
   */
  draft: DraftFrame;
  /** In a joined direct room, another person has read up to `offset` (unless they turned read receipts off). */
  seen: SeenFrame;
  /**
   * A user's status changed: a member of a joined room (`room` says which), or this user on another device (no
   * `room`; after `roomList()`). An empty `status` is none.
   */
  status: StatusFrame;
}

/**
 * Every item of a list answered a page at a time by `skip` (pins, saved messages): each page's `next` is the `skip`
 * of the next one. A page that holds nothing ends it, whatever its `next` says (each page moves on by at least one:
 * a client does not loop on a server that would not).
 */
async function everyPage<T>(
  read: (skip: number) => Promise<{ items: T[]; next?: number | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let skip: number | undefined = 0;
  while (skip !== undefined) {
    const page = await read(skip);
    items.push(...page.items);
    skip = page.items.length > 0 ? page.next : undefined;
  }
  return items;
}

/** How {@link ParleyClient.upload} names a file and reports on it. */
export interface UploadOptions {
  /** The file's name (at most 255 characters). */
  name: string;
  /** Its media type (a `Blob`'s own by default). */
  mime?: string;
  /** Told the bytes handed to the socket so far. */
  onProgress?: (sent: number, size: number) => void;
  /** Abandons the upload: it fails with `cancelled`. */
  signal?: AbortSignal;
}

function randomCid(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A Parley connection: joins rooms, sends and receives messages, tracks presence and typing, and reconnects
 * automatically (backoff with jitter), rejoining its rooms and re-sending unanswered commands. Sends carry a
 * client message id, so a re-sent message is never published twice. Built from three parts: the
 * {@link Connection} (sockets, reconnects, tokens), the {@link RequestTable} (commands and their replies) and a
 * {@link RoomState} per room (message stream, presence, typing).
 */
export class ParleyClient extends Emitter<ClientEvents> {
  private readonly connection: Connection;
  private readonly requests: RequestTable;
  /** Uploads run one after the other (one per connection): the end of the last one asked for. */
  private uploadChain: Promise<void> = Promise.resolve();
  /** The upload whose bytes are being sent: its `uploaded` (or refusal) settles it. */
  private uploadWaiter?: {
    ref: number;
    resolve: (file: FileRef) => void;
    reject: (error: ParleyError) => void;
  };
  private readonly rooms = new Map<string, RoomState>();

  constructor(private readonly options: ParleyClientOptions) {
    super();
    this.connection = new Connection(options, {
      frame: (frame) => this.handleFrame(frame),
      state: (state) => this.emit('state', state),
      lost: () => this.onLost(),
      ended: (error) => this.failAll(error),
      refresh: (token) => this.requests.request({ type: 'refresh', token }),
      error: (error) => this.emit('error', error),
    });
    this.requests = new RequestTable(
      {
        transmit: (command) => this.connection.transmit(command),
        connected: () => this.connection.connected,
        stopped: () => this.connection.stopped,
      },
      options.requestTimeoutMs ?? 15_000,
    );
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The server's welcome on the current connection (who we are, the server's limits). */
  get welcome(): WelcomeFrame | undefined {
    return this.connection.welcome;
  }

  /** Rooms this client is in (or rejoining). */
  get joinedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  /** Opens the connection (and keeps it open until {@link close}). */
  connect(): void {
    this.connection.connect();
  }

  /** Closes the connection for good; pending commands fail with `closed`. */
  close(): void {
    this.failAll(new ParleyError('closed', 'client closed', false));
    for (const state of this.rooms.values()) state.dispose();
    this.connection.close();
  }

  /** Joins a room; resolves with the server's reply (position and presence). Rejoined after reconnects. */
  join(room: string): Promise<JoinedFrame> {
    let state = this.rooms.get(room);
    if (!state) {
      state = new RoomState(this.createStream(room));
      this.rooms.set(room, state);
    }
    const waiting = state.waitJoined();
    this.requestJoin(room, state, false);
    return waiting;
  }

  /** Leaves a room. */
  async leave(room: string): Promise<void> {
    const state = this.rooms.get(room);
    if (!state) return;
    this.rooms.delete(room);
    state.dispose();
    if (!this.connection.connected) return;
    await this.requests.request({ type: 'leave', room });
  }

  /**
   * Sends a message; resolves once the server stored it. `extra`: the offset it replies to, the offset of the
   * thread's root it is a reply in (see {@link replyInThread}; with `broadcast`, also sent to the room), the ids of
   * the users its text mentions, the files it carries (their ids from {@link upload}; the text may then be empty), a
   * message it forwards (see {@link forward}). Retried with the same client id across
   * reconnects, so it is published at most once. Pass `cid` to make retries of your own idempotent too.
   */
  send(
    room: string,
    text: string,
    cid: string = randomCid(),
    extra: {
      replyTo?: number;
      thread?: number;
      broadcast?: boolean;
      mentions?: string[];
      mentionsRoom?: boolean;
      files?: string[];
      forward?: { room: string; offset: number };
    } = {},
  ): Promise<SentFrame> {
    // The message ends this user's typing for everyone: the next keystroke may say so again at once.
    const state = this.rooms.get(room);
    if (state) state.lastTypingSent = 0;
    return this.requests.request({ type: 'send', room, text, cid, ...extra });
  }

  /** Sends a reply to the message at offset `replyTo` (the message carries `replyTo`; show it as a quote). */
  reply(room: string, replyTo: number, text: string, cid: string = randomCid()): Promise<SentFrame> {
    return this.send(room, text, cid, { replyTo });
  }

  /**
   * Forwards the message at `offset` of the joined room `from` to the joined room `room`, with `text` (may be empty)
   * of one's own: the message sent carries a copy of it in `forwarded`.
   */
  forward(
    room: string,
    from: { room: string; offset: number },
    text = '',
    cid: string = randomCid(),
  ): Promise<SentFrame> {
    return this.send(room, text, cid, { forward: from });
  }

  /**
   * Sends a reply in the thread of the message at offset `root`: the reply carries `thread`, the root's `replies`
   * count it (apply each reply to its root with `applyThreadReply`), and `history(room, { thread: root })` reads the
   * thread's replies.
   */
  replyInThread(room: string, root: number, text: string, cid: string = randomCid()): Promise<SentFrame> {
    return this.send(room, text, cid, { thread: root });
  }

  /**
   * Follows the thread of the message at offset `root` (its replies are counted for this user, and every device that
   * listed rooms hears of each with a `thread_state` event), or stops following it. A user also follows a thread
   * they reply in, one whose root they wrote, and one whose reply mentions them.
   */
  async followThread(room: string, root: number, follow = true): Promise<void> {
    await this.requests.request({ type: 'follow_thread', room, thread: root, follow });
  }

  /**
   * Marks a followed thread read up to the reply at `offset` (never back): every device hears of it with a
   * `thread_state` event. Not answered; a thread not followed keeps no marker.
   */
  markThreadRead(room: string, root: number, offset: number): void {
    if (!this.connection.connected) return;
    this.connection.transmit({ type: 'read_thread', room, thread: root, offset });
  }

  /** The threads this user follows, the one with the newest reply first, each root as it is now: all of them. */
  async threads(): Promise<FollowedThread[]> {
    return everyPage(async (skip) => {
      const { threads, next } = await this.requests.request({ type: 'threads', skip });
      return { items: threads, next };
    });
  }

  /**
   * The counts of every thread this user follows (room, root, read marker, unread, mentions), without reading their
   * roots: what a client needs for its badges at connect. All of them (every page).
   */
  async threadCounts(): Promise<FollowedThreadCounts[]> {
    return everyPage(async (skip) => {
      const { threads, next } = await this.requests.request({ type: 'thread_counts', skip });
      return { items: threads, next };
    });
  }

  /**
   * Marks the room read up to `offset` (every message at or before it): cheap to call as messages are seen, the
   * server keeps the newest per room and stores them in batches. Every device of the user gets a `read` event.
   */
  markRead(room: string, offset: number): void {
    if (!this.connection.connected) return;
    this.connection.transmit({ type: 'read', room, offset });
  }

  /**
   * Marks a room unread from the message at `offset` on, for this user on every device: the read marker moves back
   * before it (never forward), and every device hears the room's counts as a `read` event. Resolves once it is kept.
   */
  async markUnread(room: string, offset: number): Promise<void> {
    await this.requests.request({ type: 'unread', room, offset });
  }

  /**
   * The user's settings, changing those given: `readReceipts` (default true) lets the other people of the user's
   * direct rooms see how far they have read.
   */
  settings(change: { readReceipts?: boolean } = {}): Promise<SettingsFrame> {
    return this.requests.request({ type: 'settings', ...change });
  }

  /** Replaces the text of one of this user's messages. */
  edit(room: string, offset: number, text: string): Promise<ActedFrame> {
    return this.requests.request({ type: 'edit', room, offset, text });
  }

  /** Deletes a message: this user's own, or anyone's for a room's owner or admin. */
  deleteMessage(room: string, offset: number): Promise<ActedFrame> {
    return this.requests.request({ type: 'delete', room, offset });
  }

  /** Adds this user's reaction `emoji` to a message (nothing changes when it is there already). */
  react(room: string, offset: number, emoji: string): Promise<ActedFrame> {
    return this.requests.request({ type: 'react', room, offset, emoji });
  }

  /** Removes this user's reaction `emoji` from a message. */
  unreact(room: string, offset: number, emoji: string): Promise<ActedFrame> {
    return this.requests.request({ type: 'unreact', room, offset, emoji });
  }

  /**
   * A page of history, oldest first: the newest messages below `before` (default: the newest), or with `after`
   * the oldest ones above it; with `thread`, only the replies of the thread whose root is at that offset.
   */
  history(
    room: string,
    query: { before?: number; after?: number; limit?: number; thread?: number } = {},
  ): Promise<HistoryFrame> {
    return this.requests.request({ type: 'history', room, ...query });
  }

  /**
   * A page of the room's users by id, fresh from the server, with their count; `next` pages on (`after`). A room's
   * join lists at most the server's `presencePageMax` users: this is how to see everyone in a bigger one.
   */
  presence(room: string, page: { after?: string; limit?: number } = {}): Promise<PresenceStateFrame> {
    return this.requests.request({ type: 'presence', room, ...page });
  }

  /** The room's users as this client knows them (kept in sync by presence events; a part of a big room). */
  users(room: string): UserInfo[] {
    return this.rooms.get(room)?.users() ?? [];
  }

  /**
   * Fetches the room's users page by page (at most `maxPages` of the server's `presencePageMax`) into what
   * {@link users} lists, kept from then on by presence events; emits `presence` once. For "show everyone" in a room
   * bigger than the join's snapshot.
   */
  async loadUsers(room: string, maxPages = 10): Promise<UserInfo[]> {
    const state = this.rooms.get(room);
    if (!state) return [];
    let after: string | undefined;
    let changed = false;
    for (let page = 0; page < maxPages; page += 1) {
      const frame = await this.presence(room, after === undefined ? {} : { after });
      if (this.rooms.get(room) !== state) return [];
      changed = state.addKnown(frame.users, frame.count) || changed;
      after = frame.next;
      if (after === undefined) break;
    }
    if (changed) this.emit('presence', { room, users: state.users(), count: state.count });
    return state.users();
  }

  /** How many users the room has, whether or not {@link users} lists them all. */
  userCount(room: string): number {
    return this.rooms.get(room)?.count ?? 0;
  }

  /** Tells the room this user is typing; cheap to call on every keystroke (throttled). */
  typing(room: string): void {
    const state = this.rooms.get(room);
    if (!state?.joined || !this.connection.connected) return;
    const now = Date.now();
    if (now - state.lastTypingSent < (this.options.typingIntervalMs ?? 2000)) return;
    state.lastTypingSent = now;
    this.connection.transmit({ type: 'typing', room });
  }

  /**
   * The user's rooms (newest activity first) and pending invitations. From then on this client also receives
   * `room_added`, `room_removed`, `invited`, `invitation_removed` and `activity` events, until it disconnects;
   * after a reconnect, call it again (on `welcome`).
   */
  async roomList(): Promise<{ rooms: RoomSummary[]; invitations: InvitationSummary[] }> {
    const { rooms, invitations } = await this.requests.request({ type: 'rooms' });
    return { rooms, invitations };
  }

  /** Creates a room; the user is its owner. */
  async createRoom(
    name: string,
    options: { kind?: 'public' | 'private'; topic?: string; id?: string } = {},
  ): Promise<RoomSummary> {
    return (await this.requests.request({ type: 'create_room', name, ...options })).room;
  }

  /** Renames, sets the topic, archives or unarchives a room (admins and owners). */
  async updateRoom(
    room: string,
    change: { name?: string; topic?: string; archived?: boolean; announceJoins?: boolean },
  ): Promise<RoomSummary> {
    return (await this.requests.request({ type: 'update_room', room, ...change })).room;
  }

  /** A page of public rooms by name; pass `next` back as `after` for the next page. */
  async publicRooms(
    page: { after?: PublicRoomsCursor; limit?: number } = {},
  ): Promise<{ rooms: RoomSummary[]; next?: PublicRoomsCursor }> {
    const { rooms, next } = await this.requests.request({ type: 'public_rooms', ...page });
    return next ? { rooms, next } : { rooms };
  }

  /** A page of a room's members by user id; pass `next` back as `after` for the next page. */
  async members(
    room: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<{ members: MemberSummary[]; next?: string }> {
    const { members, next } = await this.requests.request({ type: 'members', room, ...page });
    return next !== undefined ? { members, next } : { members };
  }

  /** A page of a room's bans in force by user id (for its moderators); pass `next` back as `after`. */
  async bans(
    room: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<{ bans: BanSummary[]; next?: string }> {
    const { bans, next } = await this.requests.request({ type: 'bans', room, ...page });
    return next !== undefined ? { bans, next } : { bans };
  }

  /**
   * A page of a room's pending invitations by invited user id (for those who may invite to it); pass `next` back as
   * `after`.
   */
  async invitations(
    room: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<{ invitations: RoomInvitationSummary[]; next?: string }> {
    const { invitations, next } = await this.requests.request({ type: 'invitations', room, ...page });
    return next !== undefined ? { invitations, next } : { invitations };
  }

  /**
   * A page of the pending invitations this user gave, in every room (also rooms they have left), by room id then
   * invited user id; pass `next` back as `after`. Each names its room by id only.
   */
  async sentInvitations(
    page: { after?: SentInvitationsCursor; limit?: number } = {},
  ): Promise<{ invitations: SentInvitationSummary[]; next?: SentInvitationsCursor }> {
    const { invitations, next } = await this.requests.request({ type: 'sent_invitations', ...page });
    return next !== undefined ? { invitations, next } : { invitations };
  }

  /**
   * Messages holding every word of `query` as the start of a word, newest first: in `room`, or in every room the user
   * belongs to; `from`, `has`, `since` and `until` narrow it (`query` may then be empty). Pass `next` back as
   * `before` for the next page (docs/protocol.md, "Finding messages").
   */
  async search(
    query: string,
    options: Omit<SearchCommand, 'type' | 'ref' | 'query'> = {},
  ): Promise<{ messages: ChatMessage[]; next?: string }> {
    const { messages, next } = await this.requests.request({ type: 'search', query, ...options });
    return next !== undefined ? { messages, next } : { messages };
  }

  /**
   * The texts a message of a joined room had, oldest first: its first, then each edit's (docs/protocol.md,
   * "Acting on messages"). `partial` when older ones are not listed.
   */
  async edits(room: string, offset: number): Promise<{ versions: MessageVersion[]; partial?: true }> {
    const { versions, partial } = await this.requests.request({ type: 'edits', room, offset });
    return partial ? { versions, partial } : { versions };
  }

  /** Invites a user (by id) to a room. */
  async invite(room: string, user: string): Promise<void> {
    await this.requests.request({ type: 'invite', room, user });
  }

  /** Withdraws a user's pending invitation to a room (the one who gave it, or the room's admins and owners). */
  async uninvite(room: string, user: string): Promise<void> {
    await this.requests.request({ type: 'uninvite', room, user });
  }

  /** Accepts an invitation: the user becomes a member (then `join` the room to open it). */
  async acceptInvitation(room: string): Promise<RoomSummary> {
    return (await this.requests.request({ type: 'accept', room })).room;
  }

  async declineInvitation(room: string): Promise<void> {
    await this.requests.request({ type: 'decline', room });
  }

  /** Ends the user's membership of a room, on every device (`leave` only closes it on this client). */
  async leaveRoom(room: string): Promise<void> {
    await this.requests.request({ type: 'leave_room', room });
  }

  async kick(room: string, user: string, reason?: string): Promise<void> {
    await this.requests.request({ type: 'kick', room, user, ...(reason ? { reason } : {}) });
  }

  /** Bans a user; `until` (ms since the Unix epoch) ends it by itself. */
  async ban(room: string, user: string, options: { reason?: string; until?: number } = {}): Promise<void> {
    await this.requests.request({ type: 'ban', room, user, ...options });
  }

  async unban(room: string, user: string): Promise<void> {
    await this.requests.request({ type: 'unban', room, user });
  }

  /** Mutes a member (may read, not send); `until` ends it by itself. */
  async mute(room: string, user: string, until?: number): Promise<void> {
    await this.requests.request({ type: 'mute', room, user, ...(until !== undefined ? { until } : {}) });
  }

  async unmute(room: string, user: string): Promise<void> {
    await this.requests.request({ type: 'unmute', room, user });
  }

  async setRole(room: string, user: string, role: Role): Promise<void> {
    await this.requests.request({ type: 'set_role', room, user, role });
  }

  /** The direct room with these people (the same one every time): 1:1, or a group of up to 8 in all. */
  async direct(users: Array<{ id: string; name?: string }>): Promise<RoomSummary> {
    return (await this.requests.request({ type: 'direct', users })).room;
  }

  /**
   * Sets what this user wants to be notified of in a room (a member's choice, kept by the server): every message,
   * mentions of them, or nothing. Every device that asked for the room list hears it (`notifications`).
   */
  async setNotifications(room: string, level: NotificationLevel): Promise<void> {
    await this.requests.request({ type: 'notifications', room, level });
  }

  /**
   * Makes a room one of this user's favorites (kept by the server; clients list favorites apart, first), or no
   * longer. Every device that asked for the room list hears it (`favorite`).
   */
  async setFavorite(room: string, favorite = true): Promise<void> {
    await this.requests.request({ type: 'favorite', room, favorite });
  }

  /**
   * Keeps a room out of this user's room list until something newer than its newest message is posted in it (a
   * direct room, which cannot be left, whose conversation is over), or shows it again (`hidden: false`). Room list
   * entries say `hidden` while it holds; every device that asked for the room list hears it (`hide`). Asking for
   * the `direct` room of the same people shows it again too.
   */
  async hideRoom(room: string, hidden = true): Promise<void> {
    await this.requests.request({ type: 'hide', room, hidden });
  }

  /** Pins a message of a room for everyone in it (members who may send); the room logs a `pinned` event. */
  async pin(room: string, offset: number): Promise<void> {
    await this.requests.request({ type: 'pin', room, offset });
  }

  /** Unpins a message; the room logs an `unpinned` event (nothing happens when it was not pinned). */
  async unpin(room: string, offset: number): Promise<void> {
    await this.requests.request({ type: 'unpin', room, offset });
  }

  /**
   * A room's pinned messages, the most recently pinned first, each as it is now: all of them (one request, more
   * when long messages do not fit in one reply).
   */
  async pins(room: string): Promise<PinSummary[]> {
    return everyPage(async (skip) => {
      const { pins, next } = await this.requests.request({ type: 'pins', room, skip });
      return { items: pins, next };
    });
  }

  /**
   * Makes an invite link to a room (those who may invite to it): its `code` lets whoever has it join with
   * {@link joinLink} until it is revoked, `expiresInMs` passed or `maxUses` people joined with it.
   */
  async createInviteLink(
    room: string,
    options: { expiresInMs?: number; maxUses?: number } = {},
  ): Promise<InviteLinkSummary> {
    return (await this.requests.request({ type: 'create_invite_link', room, ...options })).link;
  }

  /** A room's invite links, oldest first (those who may invite to it). */
  async inviteLinks(room: string): Promise<InviteLinkSummary[]> {
    return (await this.requests.request({ type: 'invite_links', room })).links;
  }

  /** Revokes an invite link (who made it, or the room's admins and owners). */
  async revokeInviteLink(room: string, code: string): Promise<void> {
    await this.requests.request({ type: 'revoke_invite_link', room, code });
  }

  /**
   * What an invite link lets into, before joining with it: the room as public lists show it (name, kind, topic,
   * member count), who made the link, when it ends, and whether this user is a member already. Counts no use.
   */
  invitePreview(code: string): Promise<InvitePreviewFrame> {
    return this.requests.request({ type: 'invite_preview', code });
  }

  /** Joins the room of an invite link: resolves with the room (the room list's `room_added` follows). */
  async joinLink(code: string): Promise<RoomSummary> {
    return (await this.requests.request({ type: 'join_link', code })).room;
  }

  /** A room's incoming webhooks, oldest first (its owners and admins; never their secrets). */
  async webhooks(room: string): Promise<WebhookSummary[]> {
    return (await this.requests.request({ type: 'webhooks', room })).webhooks;
  }

  /**
   * Adds an incoming webhook to a room (its owners and admins), its messages sent as `name`; the room logs a
   * `webhook_added` event. `path` is its address after the server's origin (`/hooks/{id}/{secret}`): it holds the
   * secret, and no later answer shows it again.
   */
  async createWebhook(room: string, name: string): Promise<{ webhook: WebhookSummary; path: string }> {
    const { webhook, path } = await this.requests.request({ type: 'create_webhook', room, name });
    return { webhook, path };
  }

  /** Removes a room's incoming webhook (its address posts no more); the room logs a `webhook_removed` event. */
  async deleteWebhook(room: string, id: string): Promise<void> {
    await this.requests.request({ type: 'delete_webhook', room, webhook: id });
  }

  /** Saves a message for this user alone (their saved messages, in every room they may read). */
  async save(room: string, offset: number): Promise<void> {
    await this.requests.request({ type: 'save', room, offset });
  }

  async unsave(room: string, offset: number): Promise<void> {
    await this.requests.request({ type: 'unsave', room, offset });
  }

  /**
   * Sets when to remind this user of a message (ms since the Unix epoch), saving it first when it is not; without
   * `at`, takes the reminder off (it stays saved). When it comes due, every device hears `reminder`.
   */
  async remind(room: string, offset: number, at?: number): Promise<void> {
    await this.requests.request({ type: 'remind', room, offset, ...(at !== undefined ? { at } : {}) });
  }

  /** This user's saved messages, the most recently saved first, each as it is now: all of them. */
  async saved(): Promise<SavedSummary[]> {
    return everyPage(async (skip) => {
      const { saved, next } = await this.requests.request({ type: 'saved', skip });
      return { items: saved, next };
    });
  }

  /**
   * Schedules a message to a joined room of members, sent at `at` (ms since the Unix epoch) as this user would send
   * it then (docs/protocol.md, "Scheduled messages"). `options` are `send`'s.
   */
  async schedule(
    room: string,
    text: string,
    at: number,
    options: { replyTo?: number; mentions?: string[]; mentionsRoom?: boolean } = {},
  ): Promise<ScheduledMessage> {
    const { scheduled } = await this.requests.request({ type: 'schedule', room, text, at, ...options });
    return scheduled;
  }

  /**
   * Moves one of this user's scheduled messages to another time (after now), or without `at` sends it now (also one
   * that failed: "try again"); it is pending again.
   */
  async reschedule(id: string, at?: number): Promise<ScheduledMessage> {
    const { scheduled } = await this.requests.request({
      type: 'reschedule',
      id,
      ...(at !== undefined ? { at } : {}),
    });
    return scheduled;
  }

  /** Removes one of this user's scheduled messages (pending or failed): it will not be sent. */
  async unschedule(id: string): Promise<void> {
    await this.requests.request({ type: 'unschedule', id });
  }

  /**
   * Keeps what this user typed in a room's message box and has not sent (`text` blank: none) for every device of
   * theirs, which hears of it as a `draft` event. Call it once typing pauses, and with '' once the message is sent.
   */
  async setDraft(room: string, text: string): Promise<void> {
    await this.requests.request({ type: 'set_draft', room, text });
  }

  /** This user's drafts, the most recently set first: all of them. */
  async drafts(): Promise<Draft[]> {
    return everyPage(async (skip) => {
      const { drafts, next } = await this.requests.request({ type: 'drafts', skip });
      return { items: drafts, next };
    });
  }

  /** This user's scheduled messages, the soonest first, failed ones among them: all of them. */
  async scheduledMessages(): Promise<ScheduledMessage[]> {
    return everyPage(async (skip) => {
      const { scheduled, next } = await this.requests.request({ type: 'scheduled_messages', skip });
      return { items: scheduled, next };
    });
  }

  /**
   * Uploads a file to send in a joined room, and resolves with what `send` names it by (pass its `id` in `files`):
   * `upload`, then the bytes as binary frames of the server's size, then the server's `uploaded`. One upload at a
   * time per connection: calls wait for the one before. `onProgress` is told the bytes handed to the socket so far;
   * `signal` abandons the upload (it fails with `cancelled`). It fails with `interrupted` when the connection drops
   * meanwhile (nothing is resumed: upload again), and with the server's refusal (`file_too_large`, `file_quota`,
   * `muted`...) otherwise. `welcome.limits.maxFileBytes` says how large a file the server takes (0: none).
   */
  upload(room: string, data: Uint8Array | ArrayBuffer | Blob, options: UploadOptions): Promise<FileRef> {
    const run = () => this.uploadNow(room, data, options);
    const result = this.uploadChain.then(run, run);
    this.uploadChain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async uploadNow(
    room: string,
    data: Uint8Array | ArrayBuffer | Blob,
    options: UploadOptions,
  ): Promise<FileRef> {
    const { signal } = options;
    const cancelled = () => new ParleyError('cancelled', 'the upload was cancelled', false);
    if (signal?.aborted) throw cancelled();
    const size = data instanceof Blob ? data.size : data.byteLength;
    const mime = options.mime ?? (data instanceof Blob && data.type !== '' ? data.type : undefined);
    const ready = await this.requests.request({
      type: 'upload',
      room,
      name: options.name,
      size,
      ...(mime !== undefined ? { mime } : {}),
    });
    const ended = new Promise<FileRef>((resolve, reject) => {
      this.uploadWaiter = { ref: ready.ref, resolve, reject };
    });
    // Failing before the end is awaited below must not be an unhandled rejection.
    ended.catch(() => {});
    const bytes = data instanceof Blob ? undefined : new Uint8Array(data);
    const piece = ready.chunkBytes;
    try {
      for (let at = 0; at < size; at += piece) {
        if (signal?.aborted) {
          this.uploadWaiter = undefined;
          this.requests.request({ type: 'cancel_upload' }).catch(() => {});
          throw cancelled();
        }
        if (!this.uploadWaiter) break;
        const end = Math.min(size, at + piece);
        const chunk = bytes
          ? bytes.subarray(at, end)
          : new Uint8Array(await (data as Blob).slice(at, end).arrayBuffer());
        // The socket's queue is kept short: a large file is not all copied into it at once.
        while (this.connection.bufferedAmount > 4 * piece && this.connection.connected)
          await new Promise((resolve) => setTimeout(resolve, 10));
        if (!this.connection.transmitBytes(chunk))
          throw new ParleyError(
            'interrupted',
            'the connection dropped during the upload: upload again',
            true,
          );
        options.onProgress?.(end, size);
      }
      return await ended;
    } finally {
      if (this.uploadWaiter?.ref === ready.ref) this.uploadWaiter = undefined;
    }
  }

  /**
   * Sets what this user says of themselves (`availability` `away` or `dnd`, a `text` line, an `emoji`, an `until`
   * time); `{}` clears it. Kept by the server, told to the user's other devices and to every room they belong to
   * (`status` events); resolves with the status as kept.
   */
  async setStatus(status: UserStatus): Promise<UserStatus> {
    return (await this.requests.request({ type: 'set_status', status })).status;
  }

  /** The statuses in force of some users (at most 100 ids a call), by user id: those without one are left out. */
  async statuses(users: readonly string[]): Promise<Record<string, UserStatus>> {
    return (await this.requests.request({ type: 'statuses', users: [...users] })).statuses;
  }

  /**
   * The preview of a page a message links to (title, description, site, image as a `data:` URL), fetched by the
   * server; undefined when the page has none to show. Rejects with `unsupported` when the server makes no previews,
   * `rate_limited` past the connection's rate (`linkPreviewsPerMin`).
   */
  async linkPreview(url: string): Promise<LinkPreview | undefined> {
    return (await this.requests.request({ type: 'link_preview', url })).preview;
  }

  /** Round trip time to the server, in milliseconds. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.requests.request({ type: 'ping' });
    return Date.now() - started;
  }

  private handleFrame(frame: ServerFrame): void {
    if (frame.type === 'welcome') this.onWelcome(frame);
    else if (frame.type === 'message') this.onMessage(frame);
    else if (frame.type === 'presence_diff')
      this.onPresenceDiff(frame.room, frame.joins, frame.leaves, frame.count);
    else if (frame.type === 'typing') this.onTyping(frame.room, frame.user);
    else if (frame.type === 'position') this.rooms.get(frame.room)?.caughtUp(frame.position);
    else if (frame.type === 'room_removed') this.onRoomRemoved(frame);
    else if (frame.type === 'room_added') this.emit('room_added', frame);
    else if (frame.type === 'invited') this.emit('invited', frame);
    else if (frame.type === 'invitation_removed') this.emit('invitation_removed', frame);
    else if (frame.type === 'activity') this.emit('activity', frame);
    else if (frame.type === 'preview') this.emit('preview', frame);
    else if (frame.type === 'read') this.emit('read', frame);
    else if (frame.type === 'thread_state') this.emit('thread_state', frame);
    else if (frame.type === 'notifications') this.emit('notifications', frame);
    else if (frame.type === 'favorite') this.emit('favorite', frame);
    else if (frame.type === 'hide') this.emit('hide', frame);
    else if (frame.type === 'seen') this.emit('seen', frame);
    else if (frame.type === 'schedule_changed') this.emit('schedule_changed', frame);
    else if (frame.type === 'reminder') this.emit('reminder', frame);
    else if (frame.type === 'draft') this.emit('draft', frame);
    else if (frame.type === 'uploaded') this.endUpload(frame.ref, frame.file);
    else if (frame.type === 'status') {
      // Told (a room's member, or this user on another device), or the answer to this client's set_status.
      if (frame.ref === undefined) this.emit('status', frame);
      else this.requests.settle(frame.ref, frame);
    } else if (frame.type === 'error') {
      if (this.uploadWaiter && frame.ref === this.uploadWaiter.ref)
        this.endUpload(frame.ref, new ParleyError(frame.code, frame.message, frame.temporary));
      else if (!this.requests.refuse(frame))
        this.emit('error', new ParleyError(frame.code, frame.message, frame.temporary));
    } else this.requests.settle(frame.ref, frame);
  }

  /** The upload in progress ended: with its file, or refused. */
  private endUpload(ref: number, outcome: FileRef | ParleyError): void {
    const waiter = this.uploadWaiter;
    if (!waiter || waiter.ref !== ref) return;
    this.uploadWaiter = undefined;
    if (outcome instanceof ParleyError) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  /** Out of a room for good: it is not rejoined after a reconnect either. */
  private onRoomRemoved(frame: RoomRemovedFrame): void {
    this.rooms.get(frame.room)?.dispose();
    this.rooms.delete(frame.room);
    this.emit('room_removed', frame);
  }

  private onWelcome(frame: WelcomeFrame): void {
    this.emit('welcome', frame);
    // Rejoins go first: the server runs a connection's commands in order, so re-sent commands find their rooms.
    for (const [room, state] of this.rooms) {
      if (!this.requests.joining(room)) this.requestJoin(room, state, true);
    }
    this.requests.resend();
  }

  /** The socket went away: nothing is joined any more, and nobody is known to be typing (said as `typing`). */
  private onLost(): void {
    this.requests.connectionLost();
    // The server dropped the upload with the connection.
    const upload = this.uploadWaiter;
    if (upload)
      this.endUpload(
        upload.ref,
        new ParleyError('interrupted', 'the connection dropped during the upload: upload again', true),
      );
    for (const [room, state] of this.rooms) if (state.connectionLost()) this.emitTyping(room, state);
  }

  /** Sends a join of the room (resuming from the last position seen) and applies its outcome. */
  private requestJoin(room: string, state: RoomState, rejoin: boolean): void {
    const since = state.stream.resumeFrom;
    const command = { type: 'join', room, ...(since ? { since } : {}) } as const satisfies ClientRequest;
    this.requests.request(command, rejoin ? room : undefined).then(
      (frame) => this.onJoined(room, frame, rejoin),
      (error: Error) => this.onJoinFailed(room, error, rejoin),
    );
  }

  private onJoined(room: string, frame: JoinedFrame, rejoin: boolean): void {
    const state = this.rooms.get(room);
    if (!state) return;
    const presenceChanged = state.applyJoined(frame);
    const joined: ClientEvents['joined'] = { room, position: frame.position, rejoin };
    if (frame.recovered !== undefined) joined.recovered = frame.recovered;
    this.emit('joined', joined);
    // Only when the users changed: a diff naming this user may have been handled first (the reply settles a
    // promise, one microtask later), and a rejoin often finds the same people.
    if (presenceChanged) this.emit('presence', { room, users: state.users(), count: state.count });
  }

  private onJoinFailed(room: string, error: Error, rejoin: boolean): void {
    const state = this.rooms.get(room);
    if (!state) return;
    state.rejectWaiters(error);
    if (!(error instanceof ParleyError && error.temporary) || this.connection.stopped) {
      this.rooms.delete(room);
      state.dispose();
      // A room this client was in and cannot resume: the user left it on another device, or was removed from it,
      // while this client was away (the server's room_removed went to a connection that was gone). Said the same
      // way, so that the application closes it.
      if (rejoin && !this.connection.stopped && error instanceof ParleyError) {
        const reason = error.code === 'banned' || error.code === 'forbidden' ? error.code : 'left';
        this.emit('room_removed', { type: 'room_removed', room, reason });
      }
      return;
    }
    // A temporary failure (e.g. the server's engine is down): keep trying in the background; `joined` tells
    // when it worked. A reconnect rejoins anyway.
    state.joinAttempts += 1;
    const delay = backoffDelay(state.joinAttempts, this.connection.retryBackoff);
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      if (this.rooms.get(room) !== state || state.joined || !this.connection.connected) return;
      this.requestJoin(room, state, true);
    }, delay);
  }

  private onMessage(message: ChatMessage & { type?: string }): void {
    const { type: _type, ...chat } = message;
    this.rooms.get(message.room)?.live(chat);
  }

  /** Hands a message to the application: the room stream calls this in order, once per offset. */
  private deliver(message: ChatMessage): void {
    const state = this.rooms.get(message.room);
    if (message.action) {
      this.emit('action', { room: message.room, entry: message });
      return;
    }
    if (state?.stopTyping(message.from.id)) this.emitTyping(message.room, state);
    this.emit('message', message);
  }

  private createStream(room: string): RoomStream {
    return new RoomStream(room, {
      deliver: (message) => this.deliver(message),
      fetchAfter: (r, after, limit) => this.history(r, { after, limit }),
      pageLimit: () => this.connection.welcome?.limits.historyPageMax ?? 100,
      gap: (r, from, to) => this.emit('gap', { room: r, from, to }),
      reset: (r, position, reason) => this.emit('reset', { room: r, position, reason }),
    });
  }

  private onPresenceDiff(room: string, joins: UserInfo[], leaves: UserInfo[], count?: number): void {
    const state = this.rooms.get(room);
    if (!state) return;
    // A diff that changes nothing (this user's own join, already in the join's snapshot) is not an event.
    if (state.applyPresenceDiff(joins, leaves, count))
      this.emit('presence', { room, users: state.users(), count: state.count });
  }

  private onTyping(room: string, user: UserInfo): void {
    const state = this.rooms.get(room);
    if (!state) return;
    state.startTyping(user, this.options.typingTimeoutMs ?? 4000, () => this.emitTyping(room, state));
    this.emitTyping(room, state);
  }

  private emitTyping(room: string, state: RoomState): void {
    this.emit('typing', { room, users: state.typing() });
  }

  private failAll(error: Error): void {
    this.requests.failAll(error);
    for (const state of this.rooms.values()) state.rejectWaiters(error);
  }
}
