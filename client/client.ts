import { type BackoffOptions, backoffDelay, defaultBackoff } from './backoff.js';
import { parseFrame } from './compact.js';
import { Emitter } from './emitter.js';
import { ParleyError } from './errors.js';
import type {
  ChatMessage,
  ErrorFrame,
  HistoryFrame,
  JoinedFrame,
  LeftFrame,
  PongFrame,
  PresenceStateFrame,
  SentFrame,
  ServerFrame,
  StreamPosition,
  UserInfo,
  WelcomeFrame,
} from './protocol.js';
import { type ResetReason, RoomStream } from './room-stream.js';
import { shouldReconnect } from './wire/close-codes.js';

/** The part of a WebSocket the client uses: the browser's WebSocket and the `ws` package both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens a WebSocket to a URL. */
export type WebSocketFactory = (url: string) => WebSocketLike;

/** Options of {@link ParleyClient}. */
export interface ParleyClientOptions {
  /**
   * WebSocket URL of the server, e.g. `ws://localhost:8080/ws`; or several (instances without a load balancer in
   * front): each reconnect moves on to the next one.
   */
  url: string | readonly string[];
  /** Display name (anonymous mode). */
  name?: string;
  /** Stable user id (anonymous mode): pass the same id from every tab of one user. */
  userId?: string;
  /**
   * Verified-token mode: the token, or a function that fetches a fresh one (called for every connection and
   * before the current token expires, to refresh it in place).
   */
  token?: string | (() => string | Promise<string>);
  /** Opens sockets; defaults to the global `WebSocket` (pass one built on `ws` in Node 20). */
  webSocket?: WebSocketFactory;
  /** Reconnect delays, or `false` to never reconnect. */
  reconnect?: Partial<BackoffOptions> | false;
  /** How long a command may wait for its reply, across reconnects (default 15 s). */
  requestTimeoutMs?: number;
  /** How long a typing indicator lasts without a new signal (default 4 s). */
  typingTimeoutMs?: number;
  /** Least time between two typing signals sent for one room (default 2 s). */
  typingIntervalMs?: number;
  /**
   * Ask for live messages in the compact array form (about a third fewer bytes for short texts; default true).
   * Servers that do not know it send the object form, which the SDK reads too.
   */
  compact?: boolean;
}

/** Where the connection is. */
export type ConnectionState =
  | { status: 'idle' }
  | { status: 'connecting'; attempt: number }
  | { status: 'connected'; node: string; session: string }
  | {
      status: 'reconnecting';
      attempt: number;
      delayMs: number;
      retryAt: number;
      code: number;
      reason: string;
    }
  | { status: 'closed'; code: number; reason: string };

/** Events of {@link ParleyClient}. */
export interface ClientEvents {
  state: ConnectionState;
  welcome: WelcomeFrame;
  /**
   * A room (re)joined; `position` is where live messages continue. After a reconnect, `recovered` tells whether
   * every missed message was recovered (they are emitted as `message` events before this one).
   */
  joined: { room: string; position: StreamPosition; rejoin: boolean; recovered?: boolean };
  /** The room's next message, exactly once and in offset order. */
  message: ChatMessage;
  /**
   * The messages between what this client had and `position` are gone (history lost or trimmed): the stream goes
   * on from `position`; reload recent history to show the room as it is.
   */
  reset: { room: string; position: StreamPosition; reason: ResetReason };
  presence: { room: string; users: UserInfo[] };
  typing: { room: string; users: UserInfo[] };
  /** Messages `from`..`to` did not arrive live; the client is fetching them (informational). */
  gap: { room: string; from: number; to: number };
  /** A server error not tied to a command of this client. */
  error: ParleyError;
}

interface RoomState {
  stream: RoomStream;
  presence: Map<string, UserInfo>;
  typers: Map<string, { user: UserInfo; timer: ReturnType<typeof setTimeout> }>;
  lastTypingSent: number;
  joined: boolean;
  /** Consecutive temporary join failures. */
  joinAttempts?: number;
  retryTimer?: ReturnType<typeof setTimeout>;
  waiters: Array<{ resolve: (frame: JoinedFrame) => void; reject: (error: Error) => void }>;
}

interface Pending {
  ref: number;
  command: Record<string, unknown>;
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Sent on the current connection. */
  sent: boolean;
  /** A join issued by the client itself to restore a room after reconnecting. */
  rejoinOf?: string;
}

const OPEN = 1;

function defaultFactory(url: string): WebSocketLike {
  const ctor = (globalThis as { WebSocket?: new (url: string) => unknown }).WebSocket;
  if (!ctor) throw new Error('no global WebSocket: pass options.webSocket (e.g. built on the ws package)');
  return new ctor(url) as WebSocketLike;
}

function randomCid(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A Parley connection: joins rooms, sends and receives messages, tracks presence and typing, and reconnects
 * automatically (backoff with jitter), rejoining its rooms and re-sending unanswered commands. Sends carry a
 * client message id, so a re-sent message is never published twice.
 */
export class ParleyClient extends Emitter<ClientEvents> {
  private socket?: WebSocketLike;
  private connectionState: ConnectionState = { status: 'idle' };
  private readonly rooms = new Map<string, RoomState>();
  private readonly pending = new Map<number, Pending>();
  private nextRef = 1;
  private attempt = 0;
  /** Index of the URL used for the next connection. */
  private urlIndex = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private refreshTimer?: ReturnType<typeof setTimeout>;
  private stopped = false;
  private welcomeFrame?: WelcomeFrame;
  private readonly backoff: BackoffOptions | false;
  private readonly factory: WebSocketFactory;

  constructor(private readonly options: ParleyClientOptions) {
    super();
    this.factory = options.webSocket ?? defaultFactory;
    this.backoff = options.reconnect === false ? false : { ...defaultBackoff, ...options.reconnect };
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.connectionState;
  }

  /** The server's welcome on the current connection (who we are, the server's limits). */
  get welcome(): WelcomeFrame | undefined {
    return this.welcomeFrame;
  }

  /** Rooms this client is in (or rejoining). */
  get joinedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  /** Opens the connection (and keeps it open until {@link close}). */
  connect(): void {
    this.stopped = false;
    if (this.socket || this.reconnectTimer) return;
    this.open();
  }

  /** Closes the connection for good; pending commands fail with `closed`. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.refreshTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'client closed');
    }
    this.failAll(new ParleyError('closed', 'client closed', false));
    for (const state of this.rooms.values()) {
      clearTimeout(state.retryTimer);
      for (const { timer } of state.typers.values()) clearTimeout(timer);
      state.typers.clear();
    }
    this.setState({ status: 'closed', code: 1000, reason: 'client closed' });
  }

  /** Joins a room; resolves with the server's reply (position and presence). Rejoined after reconnects. */
  join(room: string): Promise<JoinedFrame> {
    let state = this.rooms.get(room);
    if (!state) {
      state = {
        stream: this.createStream(room),
        presence: new Map(),
        typers: new Map(),
        lastTypingSent: 0,
        joined: false,
        waiters: [],
      };
      this.rooms.set(room, state);
    }
    const waiting = new Promise<JoinedFrame>((resolve, reject) => state.waiters.push({ resolve, reject }));
    this.request(this.joinCommand(room, state)).then(
      (frame) => this.onJoined(room, frame as JoinedFrame, false),
      (error: Error) => this.onJoinFailed(room, error),
    );
    return waiting;
  }

  /** Leaves a room. */
  async leave(room: string): Promise<void> {
    const state = this.rooms.get(room);
    if (!state) return;
    this.rooms.delete(room);
    for (const { timer } of state.typers.values()) clearTimeout(timer);
    if (this.connectionState.status !== 'connected') return;
    await (this.request({ type: 'leave', room }) as Promise<LeftFrame>);
  }

  /**
   * Sends a message; resolves once the server stored it. Retried with the same client id across reconnects,
   * so it is published at most once. Pass `cid` to make retries of your own idempotent too.
   */
  send(room: string, text: string, cid: string = randomCid()): Promise<SentFrame> {
    return this.request({ type: 'send', room, text, cid }) as Promise<SentFrame>;
  }

  /**
   * A page of history, oldest first: the newest messages below `before` (default: the newest), or with `after`
   * the oldest ones above it.
   */
  history(
    room: string,
    query: { before?: number; after?: number; limit?: number } = {},
  ): Promise<HistoryFrame> {
    return this.request({ type: 'history', room, ...query }) as Promise<HistoryFrame>;
  }

  /** The room's users, fresh from the server. */
  presence(room: string): Promise<PresenceStateFrame> {
    return this.request({ type: 'presence', room }) as Promise<PresenceStateFrame>;
  }

  /** The room's users as this client knows them (kept in sync by presence events). */
  users(room: string): UserInfo[] {
    return [...(this.rooms.get(room)?.presence.values() ?? [])];
  }

  /** Tells the room this user is typing; cheap to call on every keystroke (throttled). */
  typing(room: string): void {
    const state = this.rooms.get(room);
    if (!state?.joined || this.connectionState.status !== 'connected') return;
    const now = Date.now();
    if (now - state.lastTypingSent < (this.options.typingIntervalMs ?? 2000)) return;
    state.lastTypingSent = now;
    this.transmit({ type: 'typing', room });
  }

  /** Round trip time to the server, in milliseconds. */
  async ping(): Promise<number> {
    const started = Date.now();
    (await this.request({ type: 'ping' })) as PongFrame;
    return Date.now() - started;
  }

  private open(): void {
    this.setState({ status: 'connecting', attempt: this.attempt });
    this.currentToken().then(
      (token) => {
        if (!this.stopped) this.openWith(token);
      },
      (error: Error) => {
        // Could not get a token: treat like a failed connection and try again later.
        if (!this.stopped) this.onTokenFailure(error);
      },
    );
  }

  private async currentToken(): Promise<string | undefined> {
    const { token } = this.options;
    return typeof token === 'function' ? await token() : token;
  }

  private onTokenFailure(error: Error): void {
    this.scheduleReconnect(0, `token: ${error.message}`);
  }

  /** Waits a backoff delay (with jitter), saying so in the state, then opens a new connection. */
  private scheduleReconnect(code: number, reason: string): void {
    const delayMs = backoffDelay(this.attempt, this.backoff === false ? defaultBackoff : this.backoff);
    this.attempt += 1;
    this.setState({
      status: 'reconnecting',
      attempt: this.attempt,
      delayMs,
      retryAt: Date.now() + delayMs,
      code,
      reason,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.open();
    }, delayMs);
  }

  /** Refreshes the token shortly before it expires (only when `token` is a function that can fetch new ones). */
  private scheduleRefresh(expiresAt: number | undefined): void {
    clearTimeout(this.refreshTimer);
    if (expiresAt === undefined || typeof this.options.token !== 'function') return;
    const lifetime = expiresAt - Date.now();
    const delay = Math.max(0, lifetime - Math.min(30_000, lifetime * 0.2));
    this.refreshTimer = setTimeout(() => {
      this.currentToken()
        .then((token) => (token ? this.request({ type: 'refresh', token }) : undefined))
        .then((frame) => {
          if (frame && frame.type === 'refreshed') this.scheduleRefresh(frame.expiresAt);
        })
        .catch((error: Error) =>
          this.emit('error', new ParleyError('forbidden', `token refresh failed: ${error.message}`, true)),
        );
    }, delay);
  }

  private openWith(token: string | undefined): void {
    const urls = typeof this.options.url === 'string' ? [this.options.url] : this.options.url;
    const url = new URL(urls[this.urlIndex % urls.length] as string);
    url.searchParams.set('v', '1');
    if (this.options.name !== undefined) url.searchParams.set('name', this.options.name);
    if (this.options.userId !== undefined) url.searchParams.set('user', this.options.userId);
    if (token !== undefined) url.searchParams.set('token', token);
    if (this.options.compact !== false) url.searchParams.set('format', 'compact');
    const socket = this.factory(url.toString());
    this.socket = socket;
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const frame = parseFrame(event.data);
      if (frame) this.handleFrame(frame);
    };
    socket.onclose = (event) => this.onSocketClosed(socket, event.code, event.reason);
    socket.onerror = () => {};
  }

  private onSocketClosed(socket: WebSocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.welcomeFrame = undefined;
    clearTimeout(this.refreshTimer);
    for (const pending of this.pending.values()) {
      pending.sent = false;
      // Rejoins are re-issued from the room list on the next connection.
      if (pending.rejoinOf !== undefined) this.dropPending(pending.ref);
    }
    for (const state of this.rooms.values()) {
      state.joined = false;
      for (const { timer } of state.typers.values()) clearTimeout(timer);
      state.typers.clear();
    }
    if (this.stopped) return;
    if (this.backoff === false || !shouldReconnect(code)) {
      this.stopped = true;
      this.failAll(new ParleyError('closed', `connection closed: ${code} ${reason}`, false));
      this.setState({ status: 'closed', code, reason });
      return;
    }
    this.urlIndex += 1;
    this.scheduleReconnect(code, reason);
  }

  private handleFrame(frame: ServerFrame): void {
    if (frame.type === 'welcome') this.onWelcome(frame);
    else if (frame.type === 'message') this.onMessage(frame);
    else if (frame.type === 'presence_diff') this.onPresenceDiff(frame.room, frame.joins, frame.leaves);
    else if (frame.type === 'typing') this.onTyping(frame.room, frame.user);
    else if (frame.type === 'position') this.rooms.get(frame.room)?.stream.caughtUp(frame.position);
    else if (frame.type === 'error') this.onError(frame);
    else this.settle(frame.ref, frame);
  }

  private onWelcome(frame: WelcomeFrame): void {
    this.welcomeFrame = frame;
    this.attempt = 0;
    this.scheduleRefresh(frame.expiresAt);
    this.setState({ status: 'connected', node: frame.node, session: frame.session });
    this.emit('welcome', frame);
    // Rejoins go first: the server runs a connection's commands in order, so re-sent commands find their rooms.
    for (const room of this.rooms.keys()) {
      const alreadyJoining = [...this.pending.values()].some(
        (p) => p.command.type === 'join' && p.command.room === room,
      );
      if (alreadyJoining) continue;
      const state = this.rooms.get(room) as RoomState;
      this.request(this.joinCommand(room, state), room).then(
        (joined) => this.onJoined(room, joined as JoinedFrame, true),
        (error: Error) => this.onJoinFailed(room, error),
      );
    }
    for (const pending of this.pending.values()) {
      if (!pending.sent) this.transmitPending(pending);
    }
  }

  private onJoined(room: string, frame: JoinedFrame, rejoin: boolean): void {
    const state = this.rooms.get(room);
    if (!state) return;
    state.joined = true;
    state.joinAttempts = 0;
    state.stream.joined(frame);
    state.presence = new Map(frame.presence.map((u) => [u.id, u]));
    const waiters = state.waiters;
    state.waiters = [];
    for (const waiter of waiters) waiter.resolve(frame);
    const joined: ClientEvents['joined'] = { room, position: frame.position, rejoin };
    if (frame.recovered !== undefined) joined.recovered = frame.recovered;
    this.emit('joined', joined);
    this.emit('presence', { room, users: this.users(room) });
  }

  private onJoinFailed(room: string, error: Error): void {
    const state = this.rooms.get(room);
    if (!state) return;
    const waiters = state.waiters;
    state.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
    if (!(error instanceof ParleyError && error.temporary) || this.stopped) {
      this.rooms.delete(room);
      return;
    }
    // A temporary failure (e.g. the server's engine is down): keep trying in the background; `joined` tells
    // when it worked. A reconnect rejoins anyway.
    state.joinAttempts = (state.joinAttempts ?? 0) + 1;
    const delay = backoffDelay(state.joinAttempts, this.backoff === false ? defaultBackoff : this.backoff);
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      if (this.rooms.get(room) !== state || state.joined || this.connectionState.status !== 'connected')
        return;
      this.request(this.joinCommand(room, state), room).then(
        (frame) => this.onJoined(room, frame as JoinedFrame, true),
        (retryError: Error) => this.onJoinFailed(room, retryError),
      );
    }, delay);
  }

  private onMessage(message: ChatMessage & { type?: string }): void {
    const { type: _type, ...chat } = message;
    this.rooms.get(message.room)?.stream.live(chat);
  }

  /** Hands a message to the application: the room stream calls this in order, once per offset. */
  private deliver(message: ChatMessage): void {
    const state = this.rooms.get(message.room);
    const typer = state?.typers.get(message.from.id);
    if (state && typer) {
      clearTimeout(typer.timer);
      state.typers.delete(message.from.id);
      this.emitTyping(message.room, state);
    }
    this.emit('message', message);
  }

  private createStream(room: string): RoomStream {
    return new RoomStream(room, {
      deliver: (message) => this.deliver(message),
      fetchAfter: (r, after, limit) => this.history(r, { after, limit }),
      pageLimit: () => this.welcomeFrame?.limits.historyPageMax ?? 100,
      gap: (r, from, to) => this.emit('gap', { room: r, from, to }),
      reset: (r, position, reason) => this.emit('reset', { room: r, position, reason }),
    });
  }

  /** A join command, resuming from the last position this client saw in the room. */
  private joinCommand(room: string, state: RoomState): Record<string, unknown> {
    const since = state.stream.resumeFrom;
    return since ? { type: 'join', room, since } : { type: 'join', room };
  }

  private onPresenceDiff(room: string, joins: UserInfo[], leaves: UserInfo[]): void {
    const state = this.rooms.get(room);
    if (!state) return;
    for (const user of leaves) state.presence.delete(user.id);
    for (const user of joins) state.presence.set(user.id, user);
    this.emit('presence', { room, users: this.users(room) });
  }

  private onTyping(room: string, user: UserInfo): void {
    const state = this.rooms.get(room);
    if (!state) return;
    const existing = state.typers.get(user.id);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      state.typers.delete(user.id);
      this.emitTyping(room, state);
    }, this.options.typingTimeoutMs ?? 4000);
    state.typers.set(user.id, { user, timer });
    this.emitTyping(room, state);
  }

  private emitTyping(room: string, state: RoomState): void {
    this.emit('typing', { room, users: [...state.typers.values()].map((t) => t.user) });
  }

  private onError(frame: ErrorFrame): void {
    const error = new ParleyError(frame.code, frame.message, frame.temporary);
    const pending = frame.ref !== undefined ? this.pending.get(frame.ref) : undefined;
    if (!pending) {
      this.emit('error', error);
      return;
    }
    this.dropPending(pending.ref);
    pending.reject(error);
  }

  private settle(ref: number, frame: ServerFrame): void {
    const pending = this.pending.get(ref);
    if (!pending) return;
    this.dropPending(ref);
    pending.resolve(frame);
  }

  private request(command: Record<string, unknown>, rejoinOf?: string): Promise<ServerFrame> {
    return new Promise<ServerFrame>((resolve, reject) => {
      if (this.stopped) {
        reject(new ParleyError('closed', 'client is closed', false));
        return;
      }
      const ref = this.nextRef++;
      const timeoutMs = this.options.requestTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        this.dropPending(ref);
        reject(
          new ParleyError('timeout', `no reply to ${String(command.type)} within ${timeoutMs} ms`, true),
        );
      }, timeoutMs);
      const pending: Pending = {
        ref,
        command: { ...command, ref },
        resolve,
        reject,
        timer,
        sent: false,
        rejoinOf,
      };
      this.pending.set(ref, pending);
      if (this.connectionState.status === 'connected') this.transmitPending(pending);
    });
  }

  private transmitPending(pending: Pending): void {
    pending.sent = this.transmit(pending.command);
  }

  private transmit(command: Record<string, unknown>): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(command));
    return true;
  }

  private dropPending(ref: number): void {
    const pending = this.pending.get(ref);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(ref);
  }

  private failAll(error: Error): void {
    for (const pending of [...this.pending.values()]) {
      this.dropPending(pending.ref);
      pending.reject(error);
    }
    for (const state of this.rooms.values()) {
      for (const waiter of state.waiters) waiter.reject(error);
      state.waiters = [];
    }
  }

  private setState(state: ConnectionState): void {
    this.connectionState = state;
    this.emit('state', state);
  }
}
