import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { Timers } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Admission } from './admission.js';
import type { ConnectionHandler } from './connection-handler.js';
import { PingWheel } from './ping-wheel.js';

/** What one open connection is, to the endpoint. */
interface Live<S> {
  session: S;
  ip: string;
  user: string;
  /** Cleared by each ping, set again by any frame from the peer. */
  alive: boolean;
  /** The connection's place in the ping wheel. */
  slot: number;
}

function ignoreError(): void {}

/**
 * The accepted connections: frames in to the handler, liveness by ping/pong (a peer silent for two ping intervals is
 * terminated), and the clean-up when a connection closes (admission counts, the handler's disconnect).
 *
 * Listeners are shared by every connection and find theirs through `this` (the WebSocket): closures per connection
 * would cost memory for each of tens of thousands of sockets.
 */
export class LiveConnections<S> {
  private readonly connections = new WeakMap<WebSocket, Live<S>>();
  private readonly pings: PingWheel<WebSocket>;
  private readonly onPong: (this: WebSocket) => void;
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
    // Each connection is pinged once per interval, a slice of them at a time (see PingWheel).
    const pings = new PingWheel<WebSocket>(
      options.pingIntervalMs,
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
    this.pings = pings;
    this.onPong = function onPong() {
      const connection = connections.get(this);
      if (connection) connection.alive = true;
    };
    this.onMessage = function onMessage(data, isBinary) {
      const connection = connections.get(this);
      if (!connection) return;
      connection.alive = true;
      if (isBinary) handler.receiveBinary(connection.session);
      else handler.receive(connection.session, data.toString());
    };
    this.onError = function onError(error) {
      logger.debug({ err: error, ip: connections.get(this)?.ip }, 'connection error');
    };
    this.onClose = function onClose(code) {
      const connection = connections.get(this);
      if (!connection) return;
      connections.delete(this);
      pings.remove(this, connection.slot);
      admission.release(connection.ip, connection.user);
      handler
        .disconnect(connection.session, code)
        .catch((error: unknown) => logger.error({ err: error }, 'disconnect failed'));
    };
  }

  /** Takes an accepted connection in. */
  add(ws: WebSocket, socket: Duplex, session: S, ip: string, user: string): void {
    this.connections.set(ws, { session, ip, user, alive: true, slot: this.pings.add(ws) });
    ws.on('pong', this.onPong);
    ws.on('message', this.onMessage);
    ws.on('error', this.onError);
    ws.on('close', this.onClose);
    socket.on('error', ignoreError);
  }

  /** Stops pinging (the endpoint is closing). */
  stop(): void {
    this.pings.stop();
  }
}
