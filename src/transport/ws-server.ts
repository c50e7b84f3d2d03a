/**
 * The WebSocket edge (with `frame-writer.ts` and `socket-transport.ts`, the only code that imports `ws`). Upgrades are handled with `noServer`, the handshake
 * (path, version, identity) is checked before a session exists, frames are size-limited by `maxPayload`, and
 * ping/pong liveness terminates dead peers.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { parseRequestTarget } from '../http/request-target.js';
import { CloseCodes } from '../protocol/close-codes.js';
import type { Timers } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Admission } from './admission.js';
import type { ConnectionHandler } from './connection-handler.js';
import { FrameWriter } from './frame-writer.js';
import type { HandshakeResult, Identify } from './identify.js';
import { checkVersion } from './identify.js';
import { PingWheel } from './ping-wheel.js';
import { SocketTransport } from './socket-transport.js';

/** Settings of the WebSocket endpoint. */
export interface WsServerOptions<S> {
  path: string;
  maxPayloadBytes: number;
  /** The sessions' write high-water mark: corked data is flushed well before it. */
  writeHighWaterBytes: number;
  heartbeatIntervalMs: number;
  /** Time a handshake may take, identification included. */
  handshakeTimeoutMs: number;
  identify: Identify;
  admission: Admission;
  /** Where accepted connections go (the hub). */
  handler: ConnectionHandler<S>;
  logger: Logger;
  timers: Timers;
}

/** The endpoint, attached to an HTTP server. */
export interface WsEndpoint {
  /** Stops accepting upgrades (existing connections stay). */
  stopAccepting(): void;
  /** Number of open WebSocket connections. */
  readonly connectionCount: number;
  /** Bytes of data frames written to clients so far. */
  readonly bytesOut: number;
  /** Stops the pings and destroys every remaining connection. */
  close(): Promise<void>;
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

function ignoreError(): void {}

/** Attaches the WebSocket endpoint to `server`. */
export function attachWebSocketServer<S>(server: Server, options: WsServerOptions<S>): WsEndpoint {
  const { handler, logger, admission } = options;
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
  // connection would cost memory for each of tens of thousands of sockets. `alive` is cleared by each
  // ping and set again by any frame from the peer; `slot` is the connection's place in the ping wheel.
  const connections = new WeakMap<
    WebSocket,
    { session: S; ip: string; user: string; alive: boolean; slot: number }
  >();
  // Each connection is pinged once per interval, a slice of them at a time (see PingWheel). Refused handshakes are
  // not in the wheel: ws destroys their socket itself if the peer does not answer its close frame in time.
  const pings = new PingWheel<WebSocket>(
    options.heartbeatIntervalMs,
    (ws) => {
      const connection = connections.get(ws);
      if (!connection?.alive) {
        ws.terminate();
        return;
      }
      connection.alive = false;
      ws.ping();
    },
    options.timers,
  );
  function onPong(this: WebSocket): void {
    const connection = connections.get(this);
    if (connection) connection.alive = true;
  }
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const connection = connections.get(this);
    if (!connection) return;
    connection.alive = true;
    if (isBinary) handler.receiveBinary(connection.session);
    else handler.receive(connection.session, data.toString());
  }
  function onError(this: WebSocket, error: Error): void {
    logger.debug({ err: error, ip: connections.get(this)?.ip }, 'connection error');
  }
  function onClose(this: WebSocket, code: number): void {
    const connection = connections.get(this);
    if (!connection) return;
    connections.delete(this);
    pings.remove(this, connection.slot);
    admission.release(connection.ip, connection.user);
    handler
      .disconnect(connection.session, code)
      .catch((error) => logger.error({ err: error }, 'disconnect failed'));
  }
  const onConnection = (ws: WebSocket, socket: Duplex, session: S, ip: string, user: string) => {
    connections.set(ws, { session, ip, user, alive: true, slot: pings.add(ws) });
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
      let session: S;
      try {
        session = handler.connect(transport, result.identity, {
          compact: url.searchParams.get('format') === 'compact',
        });
      } catch (error) {
        admission.release(ip, result.identity.user.id);
        logger.error({ err: error }, 'connection setup failed');
        return ws.close(CloseCodes.internal, 'internal error');
      }
      onConnection(ws, socket, session, ip, result.identity.user.id);
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
