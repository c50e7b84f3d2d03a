import { type BackoffOptions, backoffDelay, defaultBackoff } from './backoff.js';
import { parseFrame } from './compact.js';
import { ParleyError } from './errors.js';
import type { RefreshedFrame, ServerFrame, WelcomeFrame } from './protocol.js';
import { shouldReconnect } from './wire/close-codes.js';
import type { ClientCommand } from './wire/commands.js';

/**
 * An event handler slot. Declared through a method so its parameter is compared bivariantly: a socket whose handler
 * takes a richer event (the `ws` package's `MessageEvent`, the browser's) fits without a cast.
 */
type Handler<E> = { handle(event: E): void }['handle'];

/** The part of a WebSocket the client uses: the browser's WebSocket and the `ws` package both fit, no cast needed. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<never> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<never> | null;
  /** Text frames carry commands; binary frames the bytes of an upload. */
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet sent (uploads wait while it is high; absent: never waited for). */
  readonly bufferedAmount?: number;
}

/** Opens a WebSocket to a URL. */
export type WebSocketFactory = (url: string) => WebSocketLike;

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

/** How to reach the server (part of the client's options). */
export interface ConnectionOptions {
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
  /**
   * Opens sockets; defaults to the global `WebSocket` (Node 22 and later, browsers). In Node 20 pass one built on
   * the `ws` package: `webSocket: (url) => new WebSocket(url)`. Without either, `connect` ends the connection with
   * an `error` event (code `closed`) instead of throwing.
   */
  webSocket?: WebSocketFactory;
  /** Reconnect delays, or `false` to never reconnect. */
  reconnect?: Partial<BackoffOptions> | false;
  /**
   * Ask for live messages in the compact array form (about a third fewer bytes for short texts; default true).
   * Servers that do not know it send the object form, which the SDK reads too.
   */
  compact?: boolean;
}

/** What the connection tells its owner. */
export interface ConnectionHooks {
  /** Every frame the server sends, the welcome included (the connection is `connected` by then). */
  frame(frame: ServerFrame): void;
  state(state: ConnectionState): void;
  /** The socket went away (a reconnect follows unless the client stopped). */
  lost(): void;
  /** No reconnect will follow: the server refused for good, or reconnecting is off. */
  ended(error: ParleyError): void;
  /** Replaces the token on the open connection (a `refresh` command); resolves with the server's answer. */
  refresh(token: string): Promise<RefreshedFrame>;
  /** A failure no command is waiting for. */
  error(error: ParleyError): void;
}

const OPEN = 1;

function defaultFactory(url: string): WebSocketLike {
  const ctor = (globalThis as { WebSocket?: new (url: string) => unknown }).WebSocket;
  if (!ctor)
    throw new Error(
      "no global WebSocket in this runtime (Node 20): pass options.webSocket, e.g. (url) => new WebSocket(url) with the 'ws' package",
    );
  return new ctor(url) as WebSocketLike;
}

/**
 * One logical connection to Parley over as many sockets as it takes: it opens a socket (fetching a token first
 * when given a function), reconnects with backoff and jitter on every close code that allows it (moving through
 * the URLs when given several), and refreshes the token before it expires.
 */
export class Connection {
  private socket?: WebSocketLike;
  private current: ConnectionState = { status: 'idle' };
  private attempt = 0;
  /** Index of the URL used for the next socket. */
  private urlIndex = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private refreshTimer?: ReturnType<typeof setTimeout>;
  private isStopped = false;
  private welcomeFrame?: WelcomeFrame;
  private readonly backoff: BackoffOptions | false;
  private readonly factory: WebSocketFactory;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.factory = options.webSocket ?? defaultFactory;
    this.backoff = options.reconnect === false ? false : { ...defaultBackoff, ...options.reconnect };
  }

  get state(): ConnectionState {
    return this.current;
  }

  get welcome(): WelcomeFrame | undefined {
    return this.welcomeFrame;
  }

  get connected(): boolean {
    return this.current.status === 'connected';
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  /** Backoff delays (the defaults when reconnecting is off), for retries of the owner's own. */
  get retryBackoff(): BackoffOptions {
    return this.backoff === false ? defaultBackoff : this.backoff;
  }

  /** Opens the connection (and keeps it open until {@link close}). */
  connect(): void {
    this.isStopped = false;
    if (this.socket || this.reconnectTimer) return;
    this.open();
  }

  /** Closes for good. */
  close(): void {
    this.isStopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.refreshTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'client closed');
    }
    this.setState({ status: 'closed', code: 1000, reason: 'client closed' });
  }

  /** Sends bytes of an upload as a binary frame on the open socket; false when there is none. */
  transmitBytes(bytes: Uint8Array): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(bytes);
    return true;
  }

  /** Bytes the open socket has queued (0 without one, or when the socket does not say). */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Sends a command on the open socket; false when there is none. */
  transmit(command: ClientCommand): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(command));
    return true;
  }

  private open(): void {
    this.setState({ status: 'connecting', attempt: this.attempt });
    this.currentToken().then(
      (token) => {
        if (!this.isStopped) this.openWith(token);
      },
      (error: Error) => {
        // Could not get a token: said as an `error` event, then treated like a failed connection (tried again).
        if (this.isStopped) return;
        this.hooks.error(new ParleyError('unavailable', `could not get a token: ${error.message}`, true));
        this.scheduleReconnect(0, `token: ${error.message}`);
      },
    );
  }

  private async currentToken(): Promise<string | undefined> {
    const { token } = this.options;
    return typeof token === 'function' ? await token() : token;
  }

  /** Waits a backoff delay (with jitter), saying so in the state, then opens a new socket. */
  private scheduleReconnect(code: number, reason: string): void {
    const delayMs = backoffDelay(this.attempt, this.retryBackoff);
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
      if (!this.isStopped) this.open();
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
        .then((token) => (token ? this.hooks.refresh(token) : undefined))
        .then((frame) => {
          if (frame) this.scheduleRefresh(frame.expiresAt);
        })
        .catch((error: Error) =>
          this.hooks.error(new ParleyError('forbidden', `token refresh failed: ${error.message}`, true)),
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
    let socket: WebSocketLike;
    try {
      socket = this.factory(url.toString());
    } catch (error) {
      // No socket can be made (no WebSocket in this runtime, a malformed URL): retrying cannot help. Said as an
      // event and by failing what waits, never thrown from a timer where nobody could catch it.
      this.isStopped = true;
      const reason = (error as Error).message;
      const failure = new ParleyError('closed', `cannot open a WebSocket: ${reason}`, false);
      this.hooks.ended(failure);
      this.hooks.error(failure);
      this.setState({ status: 'closed', code: 1006, reason });
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const frame = parseFrame(event.data);
      if (!frame) return;
      if (frame.type === 'welcome') this.onWelcome(frame);
      this.hooks.frame(frame);
    };
    socket.onclose = (event) => this.onSocketClosed(socket, event.code, event.reason);
    socket.onerror = () => {};
  }

  private onWelcome(frame: WelcomeFrame): void {
    this.welcomeFrame = frame;
    this.attempt = 0;
    this.scheduleRefresh(frame.expiresAt);
    this.setState({ status: 'connected', node: frame.node, session: frame.session });
  }

  private onSocketClosed(socket: WebSocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.welcomeFrame = undefined;
    clearTimeout(this.refreshTimer);
    this.hooks.lost();
    if (this.isStopped) return;
    if (this.backoff === false || !shouldReconnect(code)) {
      this.isStopped = true;
      this.hooks.ended(new ParleyError('closed', `connection closed: ${code} ${reason}`, false));
      this.setState({ status: 'closed', code, reason });
      return;
    }
    this.urlIndex += 1;
    this.scheduleReconnect(code, reason);
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.hooks.state(state);
  }
}
