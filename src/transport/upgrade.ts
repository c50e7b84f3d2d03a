import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { parseRequestTarget } from '../http/request-target.js';
import { CloseCodes } from '../protocol/close-codes.js';
import type { Logger } from '../util/logger.js';
import type { Admission } from './admission.js';
import { type ConnectionHandler, MAX_AGENT_LENGTH } from './connection-handler.js';
import type { FrameWriter } from './frame-writer.js';
import type { HandshakeResult, Identify } from './identify.js';
import { checkVersion } from './identify.js';
import { SocketTransport } from './socket-transport.js';

/** What the upgrade path needs. */
export interface UpgradeOptions<S> {
  path: string;
  /** Time a handshake may take, identification included. */
  handshakeTimeoutMs: number;
  identify: Identify;
  admission: Admission;
  handler: ConnectionHandler<S>;
  logger: Logger;
  wss: WebSocketServer;
  writer: FrameWriter;
  /** An upgrade passed every check: the connection is open. */
  accepted: (ws: WebSocket, connection: SocketTransport<S>) => void;
}

function ignoreError(): void {}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Answers an upgrade with an HTTP status and closes the socket (destroyed soon after, even if never read). */
function reject(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed || socket.writableEnded) return;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(destroy, 1000, socket).unref();
}

function destroy(socket: Duplex): void {
  socket.destroy();
}

/**
 * The upgrade path: every check happens before a WebSocket exists (request target, path, draining, Origin,
 * handshake rate, protocol version, identity), then the connection limits, then the handler.
 *
 * Everything here is guarded: it runs for unauthenticated requests, and one throw (or one rejection nobody
 * handles) would take every connection of the process down with it.
 */
export class UpgradeHandler<S> {
  /** False once the node drains: upgrades are answered 503. */
  accepting = true;
  /** Upgraded connections being closed with a refusal's code (few; the endpoint cuts them when it closes). */
  private readonly refused = new Set<WebSocket>();

  constructor(private readonly options: UpgradeOptions<S>) {}

  /** The HTTP server's `upgrade` listener. */
  readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node removes its own error listener from an upgraded socket: without ours, a reset peer is an uncaught
    // 'error' event. A shared handler: a closure here would keep the whole request alive as long as the socket.
    socket.on('error', destroyOnError);
    try {
      this.admit(request, socket, head);
    } catch (error) {
      this.options.logger.error({ err: error, url: request.url }, 'upgrade failed');
      reject(socket, 500, 'Internal Server Error');
    }
  };

  private admit(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { admission, logger, handshakeTimeoutMs } = this.options;
    const url = parseRequestTarget(request.url);
    const ip = admission.clientIp(request);
    const refusal = this.refusal(request, url, ip);
    if (refusal || !url) {
      reject(socket, ...(refusal ?? [400, 'Bad Request']));
      return;
    }
    const identified = checkVersion(url) ?? this.options.identify(request, url);
    // Known at once (anonymous identity, a refusal): complete in this turn, as ws does when it handles the upgrade
    // itself. A throw from here on is the upgrade listener's to answer (500).
    if (!isPromise(identified)) {
      this.complete(request, socket, head, url, ip, identified);
      return;
    }
    // Node's own timeouts stop at the upgrade: a verification that hangs must not hold the socket forever.
    const deadline = setTimeout(() => {
      logger.warn({ ms: handshakeTimeoutMs }, 'handshake timed out during identification');
      reject(socket, 503, 'Service Unavailable');
    }, handshakeTimeoutMs);
    identified
      .then((result) => {
        clearTimeout(deadline);
        if (!socket.destroyed && !socket.writableEnded) this.complete(request, socket, head, url, ip, result);
      })
      .catch((error: unknown) => {
        clearTimeout(deadline);
        logger.error({ err: error }, 'handshake failed');
        if (!socket.destroyed) reject(socket, 500, 'Internal Server Error');
      });
  }

  /** Upgraded connections still closing with a refusal's code. */
  get refusing(): number {
    return this.refused.size;
  }

  /** Cuts the connections still closing with a refusal's code. */
  terminateRefused(): void {
    for (const ws of [...this.refused]) ws.terminate();
  }

  /** Closes an upgraded connection with a refusal's code and reason (browsers can read them), tracked until closed. */
  private refuse(ws: WebSocket, code: number, reason: string): void {
    this.refused.add(ws);
    // A peer may still send frames meanwhile: a bad one is an 'error' event, which must have a listener.
    ws.on('error', ignoreError);
    ws.once('close', () => this.refused.delete(ws));
    ws.close(code, reason);
  }

  /** The HTTP status an upgrade is refused with before any identification, in the order checks cost. */
  private refusal(request: IncomingMessage, url: URL | undefined, ip: string): [number, string] | undefined {
    const { admission } = this.options;
    if (!url) return [400, 'Bad Request'];
    if (url.pathname !== this.options.path) return [404, 'Not Found'];
    if (!this.accepting) return [503, 'Service Unavailable'];
    if (!admission.originAllowed(request)) return [403, 'Forbidden'];
    if (!admission.handshakeAllowed(ip)) return [429, 'Too Many Requests'];
    return undefined;
  }

  private complete(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    ip: string,
    result: HandshakeResult,
  ): void {
    const { admission, handler, logger, writer } = this.options;
    // The 101 response (written by ws) and the welcome frame leave in one system call instead of two.
    const transport = new SocketTransport<S>(socket, writer);
    writer.cork(transport);
    this.options.wss.handleUpgrade(request, socket, head, (ws) => {
      transport.ws = ws;
      // ws gave the socket an error listener of its own, which it never removes: ours is no longer needed.
      socket.off('error', destroyOnError);
      // A refused handshake still completes the upgrade, so browsers can read the close code and reason.
      if (!result.ok) return this.refuse(ws, result.code, result.reason);
      const user = result.identity.user.id;
      if (!admission.acquire(ip, user)) {
        return this.refuse(ws, CloseCodes.too_many_connections, 'too many connections');
      }
      let session: S;
      try {
        const agent = request.headers['user-agent'];
        session = handler.connect(transport, result.identity, {
          compact: url.searchParams.get('format') === 'compact',
          // Not read yet when nothing needed it: Session.peerAddress reads it from the socket when asked.
          ...(ip ? { address: ip } : {}),
          ...(agent ? { agent: agent.slice(0, MAX_AGENT_LENGTH) } : {}),
        });
      } catch (error) {
        admission.release(ip, user);
        logger.error({ err: error }, 'connection setup failed');
        return this.refuse(ws, CloseCodes.internal, 'internal error');
      }
      transport.session = session;
      transport.ip = ip;
      transport.user = user;
      this.options.accepted(ws, transport);
    });
  }
}
