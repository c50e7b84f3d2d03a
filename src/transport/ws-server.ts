/**
 * The WebSocket edge: the only module that imports `ws`. Upgrades are handled with `noServer`, the handshake
 * (path, version, identity) is checked before a session exists, frames are size-limited by `maxPayload`, and
 * ping/pong liveness terminates dead peers.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import * as wsModule from 'ws';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { parseRequestTarget } from '../http/request-target.js';
import type { Hub } from '../hub/hub.js';
import type { Session } from '../hub/session.js';
import { CloseCodes } from '../protocol/close-codes.js';
import type { Logger } from '../util/logger.js';
import type { Admission } from './admission.js';
import type { HandshakeResult, Identify } from './identify.js';
import { checkVersion } from './identify.js';
import { PingWheel } from './ping-wheel.js';
import type { Transport } from './transport.js';

/** Settings of the WebSocket endpoint. */
export interface WsServerOptions {
  path: string;
  maxPayloadBytes: number;
  /** The sessions' write high-water mark: corked data is flushed well before it. */
  writeHighWaterBytes: number;
  heartbeatIntervalMs: number;
  /** Time a handshake may take, identification included. */
  handshakeTimeoutMs: number;
  identify: Identify;
  admission: Admission;
  hub: Hub;
  logger: Logger;
}

/** The endpoint, attached to an HTTP server. */
export interface WsEndpoint {
  /** Stops accepting upgrades (existing connections stay). */
  stopAccepting(): void;
  /** Number of open WebSocket connections. */
  readonly connectionCount: number;
  /** Bytes of data frames written to clients so far. */
  readonly bytesOut: number;
  /** Stops the heartbeat and destroys every remaining connection. */
  close(): Promise<void>;
}

/** ws exports its frame encoder (`Sender.frame`) but @types/ws does not declare it. */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/**
 * Writes pre-framed WebSocket text frames straight to the TCP socket: each payload is framed once however many
 * members receive it, and every socket written in an event-loop turn is corked until the end of the turn, so a
 * burst of frames leaves in one system call. All data frames take this path (replies too), so their order is kept;
 * ws itself only writes pings and the closing handshake, whole frames that cannot interleave.
 *
 * A socket is also flushed as soon as `flushAtBytes` are corked on it: one connection's commands run in a chain of
 * microtasks without an event-loop turn in between, and data held back by the cork must not look like a slow reader
 * to the session's back-pressure (which compares the socket's buffered bytes with its high-water mark).
 *
 * This runs once per delivery (tens of thousands a second), so it keeps its per-socket state in a flag on the
 * connection and a plain array of the corked ones rather than a Set, and remembers the last payload's frame:
 * a fan-out writes the same payload to every member in a row.
 */
class FrameWriter {
  /** Bytes of data frames written to sockets (framing included). */
  bytesOut = 0;
  private readonly framed = new WeakMap<Buffer, Buffer>();
  private lastPayload?: Buffer;
  private lastWire?: Buffer;
  /** Connections corked in this turn; one flushed early stays listed with its flag cleared. */
  private corked: SocketTransport[] = [];
  private readonly uncorkAll = () => {
    const corked = this.corked;
    this.corked = [];
    for (const connection of corked) {
      if (!connection.corked) continue;
      connection.corked = false;
      connection.socket.uncork();
    }
  };

  constructor(private readonly flushAtBytes: number) {}

  /** Holds what is written to the connection until the end of this event-loop turn (once per turn). */
  cork(connection: SocketTransport): void {
    if (connection.corked) return;
    if (this.corked.length === 0) setImmediate(this.uncorkAll);
    connection.corked = true;
    connection.socket.cork();
    this.corked.push(connection);
  }

  write(connection: SocketTransport, payload: Buffer): void {
    const socket = connection.socket;
    // `writable` is false once the socket is destroyed, ended or errored (one getter per delivery, not two).
    if (!socket.writable) return;
    const wire = payload === this.lastPayload ? (this.lastWire as Buffer) : this.frame(payload);
    this.cork(connection);
    socket.write(wire);
    this.bytesOut += wire.length;
    if (socket.writableLength >= this.flushAtBytes) {
      connection.corked = false;
      socket.uncork();
    }
  }

  private frame(payload: Buffer): Buffer {
    let wire = this.framed.get(payload);
    if (!wire) {
      wire = Buffer.concat(
        Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }),
      );
      this.framed.set(payload, wire);
    }
    this.lastPayload = payload;
    this.lastWire = wire;
    return wire;
  }
}

/**
 * A connection as the hub sees it. A class rather than an object of closures: tens of thousands of these live at
 * once, and methods on the prototype cost nothing per connection. It exists before the upgrade completes (the
 * 101 response is corked with the welcome frame); `ws` is set once it has.
 */
class SocketTransport implements Transport {
  /** Corked by the frame writer in this event-loop turn. */
  corked = false;
  ws!: WebSocket;

  constructor(
    readonly socket: Duplex,
    private readonly writer: FrameWriter,
  ) {}

  send(frame: Buffer): void {
    this.writer.write(this, frame);
  }

  /**
   * Every data frame goes through the FrameWriter to this socket, so its own buffer is what the session must watch
   * (ws's getter adds a sender queue that the frame writer never uses, at a cost per delivery).
   */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  onDrain(listener: () => void): void {
    this.socket.on('drain', listener);
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

function ignoreError(): void {}

/** Attaches the WebSocket endpoint to `server`. */
export function attachWebSocketServer(server: Server, options: WsServerOptions): WsEndpoint {
  const { hub, logger, admission } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: true,
  });
  const writer = new FrameWriter(Math.min(8 * 1024, Math.floor(options.writeHighWaterBytes / 2)));
  let accepting = true;

  const reject = (socket: Duplex, status: number, text: string) => {
    if (socket.destroyed || socket.writableEnded) return;
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    // A peer that never reads must not keep the socket: it is destroyed once the response is flushed or soon after.
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  // Listeners are shared by every connection and find theirs through `this` (the WebSocket): closures per
  // connection would cost memory for each of tens of thousands of sockets. `alive` is cleared by each heartbeat
  // ping and set again by any frame from the peer; `slot` is the connection's place in the ping wheel.
  const connections = new WeakMap<
    WebSocket,
    { session: Session; ip: string; alive: boolean; slot: number }
  >();
  // Each connection is pinged once per interval, a slice of them at a time (see PingWheel). Refused handshakes are
  // not in the wheel: ws destroys their socket itself if the peer does not answer its close frame in time.
  const pings = new PingWheel<WebSocket>(options.heartbeatIntervalMs, (ws) => {
    const connection = connections.get(ws);
    if (!connection?.alive) {
      ws.terminate();
      return;
    }
    connection.alive = false;
    ws.ping();
  });
  function onPong(this: WebSocket): void {
    const connection = connections.get(this);
    if (connection) connection.alive = true;
  }
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const connection = connections.get(this);
    if (!connection) return;
    connection.alive = true;
    if (isBinary) hub.receiveBinary(connection.session);
    else hub.receive(connection.session, data.toString());
  }
  function onError(this: WebSocket, error: Error): void {
    logger.debug({ err: error, session: connections.get(this)?.session.id }, 'connection error');
  }
  function onClose(this: WebSocket, code: number): void {
    const connection = connections.get(this);
    if (!connection) return;
    connections.delete(this);
    pings.remove(this, connection.slot);
    admission.release(connection.ip, connection.session.user.id);
    hub
      .disconnect(connection.session, code)
      .catch((error) => logger.error({ err: error }, 'disconnect failed'));
  }
  const onConnection = (ws: WebSocket, socket: Duplex, session: Session, ip: string) => {
    connections.set(ws, { session, ip, alive: true, slot: pings.add(ws) });
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
    socket.on('error', ignoreError);
  };

  // Everything on this path is guarded: it runs for unauthenticated requests, and one throw here (or one
  // rejection nobody handles) would take every connection of the process down with it.
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node removes its own error listener from an upgraded socket: without ours, a reset peer is an uncaught
    // 'error' event. A shared handler: a closure here would keep the whole request alive as long as the socket.
    socket.on('error', destroyOnError);
    try {
      admit(request, socket, head);
    } catch (error) {
      logger.error({ err: error, url: request.url }, 'upgrade failed');
      reject(socket, 500, 'Internal Server Error');
    }
  };
  const admit = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = parseRequestTarget(request.url);
    if (!url) return reject(socket, 400, 'Bad Request');
    if (url.pathname !== options.path) return reject(socket, 404, 'Not Found');
    if (!accepting) return reject(socket, 503, 'Service Unavailable');
    if (!admission.originAllowed(request)) return reject(socket, 403, 'Forbidden');
    const ip = admission.clientIp(request);
    if (!admission.handshakeAllowed(ip)) return reject(socket, 429, 'Too Many Requests');
    const refused = checkVersion(url);
    const identified = refused ? Promise.resolve(refused) : options.identify(request, url);
    // Node's own timeouts stop at the upgrade: a verification that hangs must not hold the socket forever.
    const deadline = setTimeout(() => {
      logger.warn({ ms: options.handshakeTimeoutMs }, 'handshake timed out during identification');
      reject(socket, 503, 'Service Unavailable');
    }, options.handshakeTimeoutMs);
    identified
      .then((result) => {
        clearTimeout(deadline);
        if (!socket.destroyed && !socket.writableEnded) complete(request, socket, head, url, ip, result);
      })
      .catch((error: unknown) => {
        clearTimeout(deadline);
        logger.error({ err: error }, 'handshake failed');
        if (!socket.destroyed) reject(socket, 500, 'Internal Server Error');
      });
  };
  const complete = (
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    ip: string,
    result: HandshakeResult,
  ) => {
    // The 101 response (written by ws) and the welcome frame leave in one system call instead of two.
    const transport = new SocketTransport(socket, writer);
    writer.cork(transport);
    wss.handleUpgrade(request, socket, head, (ws) => {
      transport.ws = ws;
      // A refused handshake still completes the upgrade, so browsers can read the close code and reason.
      if (!result.ok) return ws.close(result.code, result.reason);
      if (!admission.acquire(ip, result.identity.user.id)) {
        return ws.close(CloseCodes.too_many_connections, 'too many connections');
      }
      const session = hub.connect(transport, result.identity, {
        compact: url.searchParams.get('format') === 'compact',
      });
      onConnection(ws, socket, session, ip);
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    stopAccepting: () => {
      accepting = false;
    },
    get connectionCount() {
      return wss.clients.size;
    },
    get bytesOut() {
      return writer.bytesOut;
    },
    close: async () => {
      pings.stop();
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
