import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { Timers } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Admission } from './admission.js';
import type { ConnectionHandler } from './connection-handler.js';
import { PingWheel } from './ping-wheel.js';

/**
 * What one open connection is, to the endpoint: fields of the connection's transport (one object per connection
 * for the endpoint and the hub, not one each).
 */
export interface LiveConnection<S> {
  session: S;
  ip: string;
  user: string;
  readonly socket: Duplex;
  readonly ws: WebSocket;
  /** The peer's address read from the socket (`ip` is '' when admission did not need it). */
  readonly remoteAddress?: string;
  /**
   * The socket's `bytesRead` when it was last pinged (-1 before the first ping): a peer that sent nothing since,
   * not even the pong, is dead. Counting bytes needs no `pong` listener and no flag set on every frame.
   */
  readAtPing: number;
  /** Sends a ping (nothing once the connection is closing). */
  ping(): void;
}

/** A binary frame's bytes as one buffer (`ws` gives a Buffer with its default binary type). */
function bufferOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Bytes read from the peer so far (an upgraded socket is a `net.Socket`). */
function bytesRead(socket: Duplex): number {
  return (socket as Socket).bytesRead;
}

/**
 * The accepted connections: frames in to the handler, liveness by ping (a peer that sent nothing, not even a pong,
 * for two ping intervals is terminated), and the clean-up when a connection closes (admission counts, the
 * handler's disconnect). This map is the endpoint's only list of its open connections (`ws` tracks none: its
 * client set and the listener it adds to every connection would cost memory for each of tens of thousands).
 *
 * Listeners are shared by every connection and find theirs through `this` (the WebSocket): closures per connection
 * would cost memory for each of tens of thousands of sockets.
 */
export class LiveConnections<S> {
  private readonly connections = new Map<WebSocket, LiveConnection<S>>();
  private readonly pings: PingWheel<LiveConnection<S>>;
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onError: (this: WebSocket, error: Error) => void;
  private readonly onClose: (this: WebSocket, code: number) => void;

  constructor(options: {
    pingIntervalMs: number;
    handler: ConnectionHandler<S>;
    admission: Admission;
    logger: Logger;
    timers: Timers;
  }) {
    const { handler, admission, logger } = options;
    const connections = this.connections;
    // Each connection is pinged once per interval, a slice of them at a time, read from the map itself (see
    // PingWheel): a connection that closed is no longer in it.
    this.pings = new PingWheel<LiveConnection<S>>(
      options.pingIntervalMs,
      connections,
      (connection) => {
        const read = bytesRead(connection.socket);
        if (read === connection.readAtPing) {
          connection.ws.terminate();
          return;
        }
        connection.readAtPing = read;
        connection.ping();
      },
      options.timers,
    );
    this.onMessage = function onMessage(data, isBinary) {
      const connection = connections.get(this);
      if (!connection) return;
      if (isBinary) handler.receiveBinary(connection.session, bufferOf(data));
      else handler.receive(connection.session, data.toString());
    };
    this.onError = function onError(error) {
      const connection = connections.get(this);
      logger.debug({ err: error, ip: connection?.ip || connection?.remoteAddress }, 'connection error');
    };
    this.onClose = function onClose(code) {
      const connection = connections.get(this);
      if (!connection) return;
      connections.delete(this);
      admission.release(connection.ip, connection.user);
      handler
        .disconnect(connection.session, code)
        .catch((error: unknown) => logger.error({ err: error }, 'disconnect failed'));
    };
  }

  /** Open connections. */
  get size(): number {
    return this.connections.size;
  }

  /**
   * Takes an accepted connection in. Its socket keeps the `error` listener ws gave it (ws never leaves a socket
   * without one), so a reset peer is never an uncaught error.
   */
  add(ws: WebSocket, connection: LiveConnection<S>): void {
    connection.readAtPing = -1;
    this.connections.set(ws, connection);
    ws.on('message', this.onMessage);
    ws.on('error', this.onError);
    ws.on('close', this.onClose);
  }

  /** Stops pinging (the endpoint is closing). */
  stop(): void {
    this.pings.stop();
  }

  /** Cuts every open connection (each is cleaned up by its `close` event). */
  terminateAll(): void {
    for (const ws of [...this.connections.keys()]) ws.terminate();
  }
}
