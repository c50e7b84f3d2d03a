import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeStats } from './cluster/node-registry.js';
import type { Config } from './config/config.js';
import type { Engine } from './engine/engine.js';
import { CONTROL_ROOM } from './engine/types.js';
import type { StaticFiles } from './http/static-files.js';
import type { StatsFeed } from './http/stats-feed.js';
import type { Hub } from './hub/hub.js';
import { sweepEveryMs } from './hub/uploads.js';
import type { NodeStatsReporter, StatsResponse } from './node-stats.js';
import { CloseCodes } from './protocol/close-codes.js';
import type { WsEndpoint } from './transport/ws-server.js';
import type { Clock, TimerHandle, Timers } from './util/clock.js';
import type { Logger } from './util/logger.js';

export type { StatsResponse } from './node-stats.js';

/** The parts a node runs, all built by the composition root (`createNode` in compose.ts). */
export interface NodeParts {
  config: Config;
  nodeId: string;
  engine: Engine;
  hub: Hub;
  /** The HTTP server, with the WebSocket endpoint attached; not listening yet. */
  server: Server;
  ws: WsEndpoint;
  /** The web UI, loaded at start. */
  files: StaticFiles;
  feed: StatsFeed<StatsResponse>;
  stats: NodeStatsReporter;
  /** Runs first in `start()` (e.g. loads token keys). */
  prepare: () => Promise<void>;
  logger: Logger;
  clock: Clock;
  timers: Timers;
}

/**
 * One Parley server instance, as a lifecycle: `start()` brings the parts up (engine, control channel, web UI,
 * listening, maintenance loops), `shutdown()` drains them. It builds nothing: see compose.ts.
 */
export class ParleyNode {
  private loops: TimerHandle[] = [];
  private stopping?: Promise<void>;
  /** Re-syncs in progress after the engine recovered: the node says it is ready only once they are done. */
  private resyncing = 0;

  constructor(private readonly parts: NodeParts) {}

  get id(): string {
    return this.parts.nodeId;
  }

  get hub(): Hub {
    return this.parts.hub;
  }

  /** What the node runs on: its port, the engine (memory or Redis) and where messages are kept. */
  running(): { port: number; engine: Engine['kind']; store: Engine['store'] } {
    return { port: this.port, engine: this.parts.engine.kind, store: this.parts.engine.store };
  }

  /** The port the node listens on (after start). */
  get port(): number {
    return (this.parts.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Base HTTP URL on the loopback interface (after start). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** WebSocket URL on the loopback interface (after start). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}${this.parts.config.wsPath}`;
  }

  /**
   * Starts the engine, then listens. A shutdown that comes while it starts (a signal while the store opens or Redis
   * is awaited) ends it at the next step: the node never listens after it was told to stop.
   * @returns whether the node is running (false: a shutdown came first)
   */
  async start(): Promise<boolean> {
    const { config, engine, logger, clock, server, files } = this.parts;
    this.parts.stats.startedAt = clock.now();
    await this.parts.prepare();
    if (this.stopping) return false;
    await engine.start();
    if (this.stopping) return false;
    await this.subscribeControl();
    await files.load();
    if (files.size === 0) logger.warn('web UI not built: run npm run build');
    if (this.stopping) return false;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Stopped while it began listening: the drain found no listening server to close, so it is closed here.
    if (this.stopping) {
      if (server.listening) server.close();
      return false;
    }
    this.startMaintenance();
    this.parts.hub.feed.start();
    engine.onRecovered(() => this.recovered());
    logger.info({ port: this.port, engine: engine.kind, store: engine.store }, 'parley listening');
    return true;
  }

  /**
   * The engine is back after an outage (or its subscriptions are): what it may have lost is put back, every hosted
   * room is re-synced (what was missed delivered from the log, then positions), and only then is the node ready.
   */
  private recovered(): void {
    const { engine, hub, logger } = this.parts;
    logger.info('engine recovered: restoring presence, announcing positions');
    if (!engine.broker.subscribedRooms().has(CONTROL_ROOM)) void this.subscribeControl();
    hub.membership
      .restorePresence(hub.sessions)
      .catch((error) => logger.warn({ err: error }, 'presence restore failed'));
    this.resyncing += 1;
    hub.membership
      .announcePositions()
      .catch((error) => logger.warn({ err: error }, 'position announce failed'))
      .finally(() => {
        this.resyncing -= 1;
      });
  }

  /** Subscribes to the cluster's control events (e.g. disconnect a user everywhere); retried on recovery. */
  private async subscribeControl(): Promise<void> {
    try {
      await this.parts.engine.broker.subscribe(CONTROL_ROOM);
    } catch (error) {
      this.parts.logger.warn(
        { err: error },
        'control channel subscription failed; retrying when the engine recovers',
      );
    }
  }

  /** True while the node accepts and serves connections. */
  isReady(): boolean {
    return (
      this.parts.server.listening &&
      this.stopping === undefined &&
      this.resyncing === 0 &&
      this.parts.engine.isReady()
    );
  }

  /** This node's stats. */
  stats(): NodeStats {
    return this.parts.stats.stats();
  }

  /** This node's stats and the cluster's, read in O(nodes). */
  clusterStats(self?: NodeStats): Promise<StatsResponse> {
    return this.parts.stats.clusterStats(self);
  }

  /**
   * Drains the node: stops accepting, closes every client with the reconnect close code (`shutdown`), waits for
   * their clean-up (bounded by `shutdownTimeoutMs`), then closes the engine. Idempotent.
   */
  shutdown(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<void> {
    const { config, engine, logger, hub, server, ws, timers } = this.parts;
    logger.info({ connections: hub.sessions.size }, 'shutting down');
    ws.stopAccepting();
    // The others sweep this instance out once its stats reports stop: the cost of a failure here is a late count.
    await engine.registry.leave().catch((error) => hub.reportFailure('registry leave', error));
    const serverClosed = new Promise<void>((resolve) =>
      server.listening ? server.close(() => resolve()) : resolve(),
    );
    // Users reconnecting elsewhere keep their presence; the rest expire and are announced by the survivors.
    hub.drain(CloseCodes.shutdown, 'server shutting down', engine.kind === 'redis');
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = timers.setTimeout(resolve, config.shutdownTimeoutMs);
    });
    await Promise.race([hub.whenEmpty(), timedOut]);
    timer?.cancel();
    for (const loop of this.loops) loop.cancel();
    this.parts.feed.close();
    this.parts.hub.feed.close();
    this.parts.stats.stop();
    await hub.membership.flush();
    hub.readMarkers?.stop();
    await hub.readMarkers?.flush().catch((error) => hub.reportFailure('read markers', error));
    await ws.close();
    server.closeAllConnections();
    await serverClosed;
    await engine.close();
    logger.info('shut down');
  }

  private startMaintenance(): void {
    const { config, engine, hub, stats } = this.parts;
    // Presence liveness: each instance refreshes one score every third of the presence TTL.
    const presenceLivenessEvery = Math.max(100, Math.floor(config.presenceTtlMs / 3));
    this.every(presenceLivenessEvery, () =>
      this.engineTask('presence liveness', engine.presence.refreshLiveness()),
    );
    this.every(Math.max(100, Math.min(10_000, config.idleTimeoutMs / 4 || 10_000)), () => hub.closeIdle());
    this.every(Math.min(1000, presenceLivenessEvery), () =>
      this.engineTask('presence expiry', this.expirePresence()),
    );
    this.every(config.statsIntervalMs, () => stats.tick());
    stats.tick();
    // Uploads never sent, and files whose message is gone.
    const uploads = hub.uploads;
    if (uploads) this.every(sweepEveryMs(config), () => this.engineTask('file sweep', uploads.sweep()));
    // Scheduled messages and reminders whose time came, each taken by one instance (a round still running is not
    // doubled).
    const scheduled = hub.scheduled;
    if (scheduled) {
      this.every(config.schedulePollMs, () => {
        if (!engine.isReady()) return;
        // Each round reports its own failure, once.
        void scheduled.sendDue();
        void scheduled.remindDue();
      });
    }
  }

  /** Runs `task` every `ms` until shutdown, without keeping the process alive. */
  private every(ms: number, task: () => void): void {
    this.loops.push(this.parts.timers.setInterval(task, ms));
  }

  /** Reports the failure of a background engine operation; it is retried on its next round. */
  private engineTask(name: string, work: Promise<unknown>): void {
    work.catch((error) => this.parts.hub.reportFailure(name, error));
  }

  private async expirePresence(): Promise<void> {
    const expired = await this.parts.engine.presence.expire();
    for (const { room, user } of expired) this.parts.hub.membership.announceLeave(room, user);
  }
}
