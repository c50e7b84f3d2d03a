/**
 * The composition root: `createNode` builds every part of a node from its configuration (engine, identity, hub,
 * admission, metrics, HTTP routes and server, WebSocket endpoint, stats) and injects clock, timers, ids and logger,
 * so several nodes can run in one process (tests do). Nothing else constructs parts; `ParleyNode` only runs them.
 */

import type { ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { createJwtVerifier, type TokenVerifier } from './auth/jwt.js';
import type { ClusterQueries } from './cluster/cluster-queries.js';
import { connectionQueryOf, listConnections } from './cluster/connection-listing.js';
import { type Config, commitWaitOf, searchBoundsOf, storeOf } from './config/config.js';
import { createDatabaseEngine } from './engine/database-engine.js';
import type { Engine } from './engine/engine.js';
import { createMemoryEngine } from './engine/memory-engine.js';
import { createRedisEngine } from './engine/redis-engine.js';
import { FileDownloads } from './http/file-downloads.js';
import { BadQuery, createHttpServer, type HttpRoutes } from './http/http-server.js';
import { IncomingWebhooks } from './http/incoming-webhooks.js';
import { createServerApi } from './http/server-api.js';
import { StaticFiles } from './http/static-files.js';
import { StatsFeed } from './http/stats-feed.js';
import type { EventFeed } from './hub/event-feed.js';
import { Hub } from './hub/hub.js';
import type { Uploads } from './hub/uploads.js';
import { registerMetrics } from './metrics/prometheus.js';
import { ParleyNode } from './node.js';
import { NodeStatsReporter, type StatsResponse } from './node-stats.js';
import type { RedisTarget } from './redis/link.js';
import type { RoomService, UnstoredMarkers } from './rooms/room-service.js';
import type { UserStatuses } from './rooms/user-statuses.js';
import type { BatchSizes } from './store/commit-batcher.js';
import { PgDatabase } from './store/pg-database.js';
import { PgliteDatabase } from './store/pglite-database.js';
import type { EmbeddedWasmTier } from './store/pglite-settings.js';
import type { SqlDatabase } from './store/sql.js';
import { Admission } from './transport/admission.js';
import { proxyHops } from './transport/client-address.js';
import { anonymousIdentity, type Identify, tokenIdentity } from './transport/identify.js';
import { attachWebSocketServer } from './transport/ws-server.js';
import { type Clock, systemClock, systemTimers, type Timers } from './util/clock.js';
import { type IdGenerator, randomId, randomIds } from './util/ids.js';
import { createLogger, type Logger } from './util/logger.js';

/** Parts that may be swapped when assembling a node (tests inject clocks, timers, ids, engines and loggers). */
export interface NodeOverrides {
  logger?: Logger;
  clock?: Clock;
  timers?: Timers;
  ids?: IdGenerator;
  engine?: Engine;
  identify?: Identify;
  webRoot?: string;
  /** Prometheus registry for the node's metrics (default: a fresh one per node). */
  metrics?: Registry;
}

/** Where the built web UI lives relative to the compiled server (dist/src/compose.js → dist/web). */
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

/** Where Redis is, from the configuration; undefined for the in-memory engine. */
export function redisTarget(config: Config): RedisTarget | undefined {
  if (config.redisCluster !== '') {
    const cluster = config.redisCluster.split(',').map((part) => {
      const [host = '', port = ''] = part.trim().split(':');
      return { host, port: Number(port) };
    });
    return { cluster };
  }
  return config.redisUrl !== '' ? { url: config.redisUrl } : undefined;
}

/**
 * Messages per transaction, and how many end a batch's wait (docs/storage.md). An embedded commit costs ~0.6 ms of
 * its thread plus ~80 us per message and holds the database meanwhile, so batches stay under ~10 ms; a PostgreSQL
 * commit runs in the database server and costs Parley a round trip (~0.25 ms of CPU). The fill targets end a wait
 * early once a commit costs mostly per message; under load, batches fill while the previous one commits anyway.
 */
export const BATCH_SIZES: Record<'embedded' | 'postgres', BatchSizes> = {
  embedded: { max: 100, fillTarget: 10 },
  postgres: { max: 500, fillTarget: 20 },
};

/** Opens the database of the configured store (at the engine's start). */
function databaseOpener(config: Config, logger: Logger): () => Promise<SqlDatabase> {
  if (storeOf(config) === 'postgres') {
    return async () =>
      new PgDatabase({
        url: config.databaseUrl,
        timeoutMs: config.databaseTimeoutMs,
        maxConnections: 8,
        logger,
      });
  }
  return async () => {
    const db = await PgliteDatabase.open(config.dataDir, {
      cacheBytes: config.embeddedCacheBytes,
      // The option's values are the tiers (the configuration refuses anything else).
      wasmTier: config.embeddedWasmTier as EmbeddedWasmTier,
    });
    logger.info({ dataDir: resolve(config.dataDir) }, 'conversations are kept in the embedded store');
    return db;
  };
}

/**
 * The engine the configuration asks for: Redis when a Redis URL or cluster is given (its room log in the database,
 * or in Redis streams with `--store redis`), else one node whose log is embedded, in PostgreSQL or in memory.
 */
export function createEngine(
  config: Config,
  deps: { nodeId: string; clock: Clock; timers: Timers; ids: IdGenerator; logger: Logger },
): Engine {
  const store = storeOf(config);
  const common = {
    historySize: config.historySize,
    historyTtlMs: config.historyTtlMs,
    idempotencyWindowMs: config.idempotencyWindowMs,
    userMessagesPerSec: config.userMessagesPerSec,
    presenceTtlMs: config.presenceTtlMs,
    clock: deps.clock,
    ids: deps.ids,
  };
  const target = redisTarget(config);
  if (!target) {
    if (store === 'memory') return createMemoryEngine(common);
    const database = store === 'postgres' ? 'postgres' : 'embedded';
    return createDatabaseEngine({
      store: database,
      filesDir: join(config.dataDir, 'files'),
      open: databaseOpener(config, deps.logger),
      batch: BATCH_SIZES[database],
      commitWaitMs: commitWaitOf(config),
      historySize: config.historySize,
      userMessagesPerSec: config.userMessagesPerSec,
      retentionDays: config.retentionDays,
      searchBounds: searchBoundsOf(config),
      clock: deps.clock,
      timers: deps.timers,
      ids: deps.ids,
      logger: deps.logger,
    });
  }
  return createRedisEngine({
    ...common,
    target,
    prefix: config.redisPrefix,
    statsStaleMs: config.statsIntervalMs * 3,
    connectTimeoutMs: config.redisConnectTimeoutMs,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    // Unique per process: a restarted node with the same id is a new instance whose predecessor gets swept.
    instance: `${deps.nodeId}.${randomId().slice(0, 6)}`,
    database:
      store === 'postgres'
        ? {
            open: databaseOpener(config, deps.logger),
            batch: BATCH_SIZES.postgres,
            commitWaitMs: commitWaitOf(config),
            retentionDays: config.retentionDays,
            searchBounds: searchBoundsOf(config),
            timers: deps.timers,
          }
        : undefined,
    logger: deps.logger,
  });
}

/** Verified-token mode: keys are read when the node starts, so a bad key file stops start-up with its error. */
function tokenVerification(config: Config): { verifyToken?: TokenVerifier; load: () => Promise<void> } {
  if (config.auth !== 'jwt') return { load: async () => {} };
  let verifier: TokenVerifier | undefined;
  return {
    verifyToken: (token) => {
      if (!verifier) throw new Error('token verifier used before start');
      return verifier(token);
    },
    load: async () => {
      verifier = await createJwtVerifier(config);
    },
  };
}

/** Answers a Prometheus scrape from the node's own registry. */
function metricsRoute(metrics: Registry, logger: Logger) {
  return (response: ServerResponse) => {
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
  };
}

/** What the HTTP routes are built from. */
interface RouteParts {
  config: Config;
  engine: Engine;
  rooms?: RoomService;
  readMarkers?: UnstoredMarkers;
  uploads?: Uploads;
  downloads?: FileDownloads;
  webhooks: IncomingWebhooks;
  statuses?: UserStatuses;
  queries: ClusterQueries;
  events: EventFeed;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Registry;
  stats: NodeStatsReporter;
  feed: StatsFeed<StatsResponse>;
  files: StaticFiles;
  isReady: () => boolean;
}

/** A connection query from a URL; a bad one is the caller's error (400). */
function connectionQuery(url: URL): ReturnType<typeof connectionQueryOf> {
  try {
    return connectionQueryOf(url.searchParams);
  } catch (error) {
    throw new BadQuery((error as Error).message);
  }
}

/** Health, readiness, stats and their stream, metrics, the server API and the web UI. */
function httpRoutes(parts: RouteParts): HttpRoutes {
  const { config, stats, feed, isReady, events, queries } = parts;
  const serveMetrics = metricsRoute(parts.metrics, parts.logger);
  return {
    json: {
      '/api/stats': () => stats.clusterStats(),
      // Every instance's connections, a page at a time (the dashboard's users list).
      '/api/connections': (url) => listConnections(queries, connectionQuery(url)),
      // What the bundled chat needs to sign in (public: it holds no secret).
      '/ui-config.json': () => ({
        auth: config.auth,
        tokenUrl: config.uiTokenUrl,
        loginUrl: config.uiLoginUrl,
      }),
    },
    streams: {
      '/api/stats/stream': (request, response) => feed.attach(request, response),
      '/api/events/stream': (request, response, url) => events.attach(request, response, url),
      '/metrics': (_request, response) => serveMetrics(response),
    },
    text: {
      '/healthz': () => ({ status: 200, body: 'ok\n' }),
      '/readyz': () => (isReady() ? { status: 200, body: 'ready\n' } : { status: 503, body: 'not ready\n' }),
    },
    files: parts.files,
    pages: ['/', '/dashboard'],
    adminToken: config.adminToken,
    protectedPrefixes: ['/api/', '/metrics'],
    queryTokenPaths: ['/api/stats/stream', '/api/events/stream'],
    api: createServerApi(parts),
    ...(parts.downloads ? { downloads: parts.downloads.serve } : {}),
    webhooks: parts.webhooks.serve,
  };
}

/** Plain HTTP connections (requests, upgrades in progress) an address may hold beyond its WebSocket limit. */
export const PLAIN_SOCKETS_PER_ADDRESS = 100;

/** Assembles a node from its configuration; call `start()` on the result. */
export function createNode(config: Config, overrides: NodeOverrides = {}): ParleyNode {
  const nodeId = config.nodeId || `node-${randomId().slice(0, 8)}`;
  const clock = overrides.clock ?? systemClock;
  const timers = overrides.timers ?? systemTimers;
  const ids = overrides.ids ?? randomIds();
  const logger =
    overrides.logger ??
    createLogger({ level: config.logLevel, format: config.logFormat, base: { node: nodeId } });
  const engine = overrides.engine ?? createEngine(config, { nodeId, clock, timers, ids, logger });
  const tokens = tokenVerification(config);
  const identify =
    overrides.identify ??
    (tokens.verifyToken ? tokenIdentity(tokens.verifyToken) : anonymousIdentity(config));
  const admission = new Admission(config, clock);
  const metrics = overrides.metrics ?? new Registry();
  // The node exists last; what reads it does so at run time.
  let node: ParleyNode | undefined;
  const isReady = () => node?.isReady() ?? false;
  const observer = registerMetrics(metrics, {
    hub: () => hub.counters,
    engine: () => engine.counters(),
    connections: () => hub.sessions.size,
    rooms: () => hub.roomCount,
    users: () => admission.userCount,
    bytesOut: () => ws.bytesOut,
    readMarkers: () => hub.readMarkers?.counts ?? { reads: 0, batches: 0, moved: 0 },
    files: () => ({
      uploads: hub.uploads?.counters ?? { completed: 0, bytes: 0, swept: 0 },
      uploading: hub.uploads?.active ?? 0,
      downloads: downloads?.counters ?? { served: 0, bytes: 0 },
      downloading: downloads?.active ?? 0,
    }),
    webhooks: () => webhooks.counters,
    scheduled: () => hub.scheduled?.counters ?? { sent: 0, failed: 0, reminded: 0 },
    linkPreviews: () => hub.linkPreviews?.counters ?? { fetched: 0, kept: 0, none: 0 },
    ready: () => (isReady() ? 1 : 0),
  });
  const hub = new Hub({ config, engine, clock, timers, ids, logger, nodeId, observer, ...tokens });
  const feed = new StatsFeed<StatsResponse>(Math.ceil(300_000 / config.statsIntervalMs));
  const stats = new NodeStatsReporter({
    nodeId,
    engine,
    hub,
    admission,
    clock,
    logger,
    feed,
    isReady,
    intervalMs: config.statsIntervalMs,
  });
  const files = new StaticFiles(overrides.webRoot ?? DEFAULT_WEB_ROOT);
  const downloads = engine.files ? new FileDownloads(engine.files, config.maxDownloads) : undefined;
  const webhooks = new IncomingWebhooks({ config, rooms: hub.rooms, events: hub.feed, logger });
  const routes = httpRoutes({
    config,
    engine,
    rooms: hub.rooms,
    readMarkers: hub.readMarkers,
    uploads: hub.uploads,
    downloads,
    webhooks,
    statuses: hub.statuses,
    queries: hub.queries,
    events: hub.feed,
    clock,
    ids,
    logger,
    metrics,
    stats,
    feed,
    files,
    isReady,
  });
  // Slow or stalled requests and upgrades (slowloris) are cut after the handshake timeout, and one address holds at
  // most its WebSockets' limit plus PLAIN_SOCKETS_PER_ADDRESS connections in all (behind a trusted proxy, every
  // connection is the proxy's: its own limits apply).
  const socketCap =
    config.maxConnectionsPerIp > 0 && proxyHops(config.trustProxy) === 0
      ? config.maxConnectionsPerIp + PLAIN_SOCKETS_PER_ADDRESS
      : 0;
  const server = createHttpServer(routes, logger, config.handshakeTimeoutMs, socketCap);
  const ws = attachWebSocketServer(server, {
    path: config.wsPath,
    maxPayloadBytes: config.maxPayloadBytes,
    writeHighWaterBytes: config.writeHighWaterBytes,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    identify,
    admission,
    handler: hub,
    logger,
    timers,
  });
  node = new ParleyNode({
    config,
    nodeId,
    engine,
    hub,
    server,
    ws,
    files,
    feed,
    stats,
    prepare: tokens.load,
    logger,
    clock,
    timers,
  });
  return node;
}
