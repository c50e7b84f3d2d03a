/**
 * The WebSocket edge: with the other files of this folder, the only code that imports `ws`. Upgrades are handled
 * with `noServer`, the handshake (target, path, Origin, rate, version, identity) is checked before a session
 * exists, frames are size-limited by `maxPayload`, and ping/pong liveness terminates dead peers.
 */
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import type { Timers } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Admission } from './admission.js';
import type { ConnectionHandler } from './connection-handler.js';
import { FrameWriter } from './frame-writer.js';
import type { Identify } from './identify.js';
import { LiveConnections } from './live-connections.js';
import { UpgradeHandler } from './upgrade.js';

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

/**
 * Attaches the WebSocket endpoint to `server`: the upgrade path (`upgrade.ts`) admits connections, which then live
 * in `live-connections.ts`; every data frame leaves through one frame writer.
 */
export function attachWebSocketServer<S>(server: Server, options: WsServerOptions<S>): WsEndpoint {
  const { handler, logger, admission, timers } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    // The live connections and the upgrade path's refusals are the lists of connections (see LiveConnections).
    clientTracking: false,
  });
  const writer = new FrameWriter(Math.min(8 * 1024, Math.floor(options.writeHighWaterBytes / 2)));
  const live = new LiveConnections<S>({
    pingIntervalMs: options.heartbeatIntervalMs,
    handler,
    admission,
    logger,
    timers,
  });
  // Refused handshakes never join the live connections: ws destroys their socket itself if the peer does not
  // answer its close frame in time.
  const upgrades = new UpgradeHandler<S>({
    path: options.path,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    identify: options.identify,
    admission,
    handler,
    logger,
    wss,
    writer,
    accepted: (ws, connection) => live.add(ws, connection),
  });
  server.on('upgrade', upgrades.onUpgrade);

  return {
    stopAccepting: () => {
      upgrades.accepting = false;
    },
    get connectionCount() {
      return live.size + upgrades.refusing;
    },
    get bytesOut() {
      return writer.bytesOut;
    },
    close: async () => {
      live.stop();
      server.off('upgrade', upgrades.onUpgrade);
      live.terminateAll();
      upgrades.terminateRefused();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
