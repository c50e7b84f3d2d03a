import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { TokenVerifier } from './auth/jwt.js';
import { type ClusterView, type NodeStats, totals } from './cluster/node-registry.js';
import type { Config } from './config/config.js';
import type { Engine } from './engine/engine.js';
import { CONTROL_ROOM } from './engine/types.js';
import { createHttpServer } from './http/http-server.js';
import { createServerApi } from './http/server-api.js';
import { StaticFiles } from './http/static-files.js';
import { StatsFeed } from './http/stats-feed.js';
import { Hub } from './hub/hub.js';
import { registerMetrics } from './metrics/prometheus.js';
import { CloseCodes } from './protocol/close-codes.js';
import { Admission } from './transport/admission.js';
import type { Identify } from './transport/identify.js';
import { attachWebSocketServer, type WsEndpoint } from './transport/ws-server.js';
import type { Clock } from './util/clock.js';
import type { IdGenerator } from './util/ids.js';
import type { Logger } from './util/logger.js';

/** Everything a node is built from; assembled by the composition root (`createNode`). */
export interface NodeDeps {
  config: Config;
  nodeId: string;
  engine: Engine;
  identify: Identify;
  /** Verifies refreshed tokens (verified-token mode). */
  verifyToken?: TokenVerifier;
  /** Runs first in `start()` (e.g. loads token keys). */
  prepare?: () => Promise<void>;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  /** Directory of the built web UI. */
  webRoot: string;
  /** The Prometheus registry this node's metrics go to (one per node: several nodes may share a process). */
  metrics: Registry;
}

/** What `/api/stats` answers: this node, and the whole cluster as seen from it. */
export interface StatsResponse {
  self: NodeStats;
  cluster: ClusterView;
}

/**
 * One Parley server instance: owns the engine, the hub, the HTTP server and the WebSocket endpoint, and the
 * maintenance loops (presence heartbeat and expiry). `start()` brings it up; `shutdown()` drains it.
 */
export class ParleyNode {
  readonly hub: Hub;
  /** Connection limits, and the count of connections per user and address they keep. */
  private readonly admission: Admission;
  private server?: Server;
  private ws?: WsEndpoint;
  private timers: NodeJS.Timeout[] = [];
  private startedAt = 0;
  private stopping?: Promise<void>;
  /** The dashboard's live stream: the last five minutes at one point per stats interval. */
  private feed?: StatsFeed<StatsResponse>;
  private rates = { publishedPerSec: 0, deliveriesPerSec: 0, latencyP50Ms: 0, latencyP99Ms: 0 };
  private lastSample = { t: 0, published: 0, deliveries: 0 };

  constructor(private readonly deps: NodeDeps) {
    this.admission = new Admission(deps.config, deps.clock);
    // The sources are read at scrape time, once the hub and the endpoint exist.
    const observer = registerMetrics(deps.metrics, {
      hub: () => this.hub.counters,
      engine: () => deps.engine.counters(),
      connections: () => this.hub.sessions.size,
      rooms: () => this.hub.roomCount,
      users: () => this.admission.userCount,
      bytesOut: () => this.ws?.bytesOut ?? 0,
      ready: () => (this.isReady() ? 1 : 0),
    });
    this.hub = new Hub({ ...deps, observer });
  }

  get id(): string {
    return this.deps.nodeId;
  }

  /** The port the node listens on (after start). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Base HTTP URL on the loopback interface (after start). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** WebSocket URL on the loopback interface (after start). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}${this.deps.config.wsPath}`;
  }

  /** Starts the engine, then listens. */
  async start(): Promise<void> {
    const { config, engine, logger, clock } = this.deps;
    this.startedAt = clock.now();
    await this.deps.prepare?.();
    await engine.start();
    await this.subscribeControl();
    const files = await StaticFiles.load(this.deps.webRoot);
    if (files.size === 0) logger.warn({ webRoot: this.deps.webRoot }, 'web UI not built: run npm run build');
    const server = createHttpServer(
      {
        json: { '/api/stats': () => this.clusterStats() },
        streams: {
          '/api/stats/stream': (request, response) => this.feed?.attach(request, response),
          '/metrics': (_request, response) => this.serveMetrics(response),
        },
        text: {
          '/healthz': () => ({ status: 200, body: 'ok\n' }),
          '/readyz': () =>
            this.isReady() ? { status: 200, body: 'ready\n' } : { status: 503, body: 'not ready\n' },
        },
        files,
        pages: ['/', '/dashboard'],
        adminToken: config.adminToken,
        protectedPrefixes: ['/api/', '/metrics'],
        queryTokenPaths: ['/api/stats/stream'],
        api: createServerApi(this.deps),
      },
      logger,
      // Slow or stalled requests and upgrades (slowloris) are cut after the handshake timeout.
      config.handshakeTimeoutMs,
    );
    this.server = server;
    this.feed = new StatsFeed(Math.ceil(300_000 / config.statsIntervalMs));
    this.ws = attachWebSocketServer(server, {
      path: config.wsPath,
      maxPayloadBytes: config.maxPayloadBytes,
      writeHighWaterBytes: config.writeHighWaterBytes,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      identify: this.deps.identify,
      admission: this.admission,
      handler: this.hub,
      logger,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.startMaintenance();
    engine.onRecovered(() => {
      logger.info('engine recovered: restoring presence, announcing positions');
      if (!engine.broker.subscribedRooms().has(CONTROL_ROOM)) void this.subscribeControl();
      this.hub.membership
        .restorePresence(this.hub.sessions)
        .catch((error) => logger.warn({ err: error }, 'presence restore failed'));
      this.hub.membership
        .announcePositions()
        .catch((error) => logger.warn({ err: error }, 'position announce failed'));
    });
    logger.info({ port: this.port, engine: engine.kind }, 'parley listening');
  }

  /** Subscribes to the cluster's control events (e.g. disconnect a user everywhere); retried on recovery. */
  private async subscribeControl(): Promise<void> {
    try {
      await this.deps.engine.broker.subscribe(CONTROL_ROOM);
    } catch (error) {
      this.deps.logger.warn(
        { err: error },
        'control channel subscription failed; retrying when the engine recovers',
      );
    }
  }

  private serveMetrics(response: ServerResponse): void {
    const { metrics, logger } = this.deps;
    metrics.metrics().then(
      (body) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        response.end(body);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'metrics collection failed');
        response.writeHead(500).end();
      },
    );
  }

  /** True while the node accepts and serves connections. */
  isReady(): boolean {
    return this.server !== undefined && this.stopping === undefined && this.deps.engine.isReady();
  }

  /** This node's stats. */
  stats(): NodeStats {
    const { counters } = this.hub;
    const engineCounters = this.deps.engine.counters();
    const memory = process.memoryUsage();
    return {
      node: this.id,
      engine: this.deps.engine.kind,
      ready: this.isReady(),
      startedAt: this.startedAt,
      uptimeMs: this.deps.clock.now() - this.startedAt,
      connections: this.hub.sessions.size,
      users: this.admission.userCount,
      rooms: this.hub.roomCount,
      published: counters.published,
      deliveries: counters.deliveries,
      slowConsumers: counters.slowConsumers,
      engineErrors: counters.engineErrors + engineCounters.errors,
      received: engineCounters.received,
      ...this.rates,
      redis:
        this.deps.engine.kind === 'memory'
          ? 'none'
          : this.deps.engine.isReady()
            ? 'connected'
            : 'disconnected',
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      rateLimited: counters.rateLimited,
    };
  }

  /** This node's stats and the cluster's, read in O(nodes). */
  async clusterStats(self: NodeStats = this.stats()): Promise<StatsResponse> {
    let cluster: ClusterView;
    try {
      cluster = await this.deps.engine.registry.view();
    } catch {
      // Engine down: the cluster is unknown; show what this node knows.
      cluster = { nodes: [self], totals: totals([self], self.users, self.rooms) };
    }
    return { self, cluster };
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
    const { config, engine, logger } = this.deps;
    logger.info({ connections: this.hub.sessions.size }, 'shutting down');
    this.ws?.stopAccepting();
    await engine.registry.leave().catch((error) => {
      // The others sweep this instance out once its heartbeat is stale: the cost of a failure here is a late count.
      this.hub.counters.engineErrors += 1;
      logger.warn({ err: error }, 'leaving the registry failed; the other instances will sweep this one out');
    });
    const serverClosed = new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    // Users reconnecting elsewhere keep their presence; the rest expire and are announced by the survivors.
    this.hub.drain(CloseCodes.shutdown, 'server shutting down', engine.kind === 'redis');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, config.shutdownTimeoutMs);
    });
    await Promise.race([this.hub.whenEmpty(), timedOut]);
    clearTimeout(timer);
    for (const t of this.timers) clearInterval(t);
    this.feed?.close();
    await this.hub.membership.flush();
    await this.ws?.close();
    this.server?.closeAllConnections();
    await serverClosed;
    await engine.close();
    logger.info('shut down');
  }

  private startMaintenance(): void {
    const { config, engine } = this.deps;
    const presenceBeatEvery = Math.max(100, Math.floor(config.presenceTtlMs / 3));
    this.every(presenceBeatEvery, () => this.engineTask('presence heartbeat', engine.presence.heartbeat()));
    this.every(Math.max(100, Math.min(10_000, config.idleTimeoutMs / 4 || 10_000)), () =>
      this.hub.closeIdle(),
    );
    this.every(Math.min(1000, presenceBeatEvery), () =>
      this.engineTask('presence expiry', this.expirePresence()),
    );
    this.every(config.statsIntervalMs, () => this.heartbeat());
    this.heartbeat();
  }

  /** Runs `task` every `ms` until shutdown, without keeping the process alive. */
  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Counts and logs the failure of a background engine operation (it is retried on its next round). */
  private engineTask(name: string, work: Promise<unknown>): void {
    work.catch((error) => {
      this.hub.counters.engineErrors += 1;
      this.deps.logger.warn({ err: error }, `${name} failed`);
    });
  }

  /** Every stats interval: sample rates and latency, publish this node's stats, feed the dashboards. */
  private heartbeat(): void {
    this.sampleRates();
    const activity = { users: this.admission.userIds(), rooms: this.hub.roomNames() };
    const self = this.stats();
    this.deps.engine.registry
      .heartbeat(self, activity)
      .catch((error) => {
        // Counted every time; logged at debug only: the link already logs the outage once, and this fails every
        // stats interval while it lasts.
        this.hub.counters.engineErrors += 1;
        this.deps.logger.debug({ err: error }, 'stats heartbeat failed');
      })
      .then(() => this.clusterStats(self))
      .then((stats) => this.feed?.push({ t: this.deps.clock.now(), stats }))
      .catch((error) => this.deps.logger.debug({ err: error }, 'stats feed failed'));
  }

  private sampleRates(): void {
    const now = this.deps.clock.now();
    const { published, deliveries } = this.hub.counters;
    const seconds = (now - this.lastSample.t) / 1000;
    const latency = this.hub.latency.rotate();
    if (this.lastSample.t > 0 && seconds > 0) {
      this.rates = {
        publishedPerSec: Math.round((published - this.lastSample.published) / seconds),
        deliveriesPerSec: Math.round((deliveries - this.lastSample.deliveries) / seconds),
        latencyP50Ms: latency.p50,
        latencyP99Ms: latency.p99,
      };
    }
    this.lastSample = { t: now, published, deliveries };
  }

  private async expirePresence(): Promise<void> {
    const expired = await this.deps.engine.presence.expire();
    for (const { room, user } of expired) this.hub.membership.announceLeave(room, user);
  }
}
