import { RedisBroker } from '../broker/redis-broker.js';
import { RedisRegistry } from '../cluster/redis-registry.js';
import { SqlDraftStore } from '../drafts/sql-draft-store.js';
import { SqlFileBytes } from '../files/sql-file-bytes.js';
import { SqlFileStore } from '../files/sql-file-store.js';
import type { SearchBounds } from '../log/database-search.js';
import { RedisLog } from '../log/redis-log.js';
import { RedisWindow } from '../log/redis-window.js';
import type { RoomLog } from '../log/room-log.js';
import { RedisPresence } from '../presence/redis-presence.js';
import { RedisMessageRate } from '../ratelimit/redis-message-rate.js';
import { RedisKeys } from '../redis/keys.js';
import { createRedisLink, type RedisLink, type RedisTarget } from '../redis/link.js';
import { SqlRoomDirectory } from '../rooms/sql-room-directory.js';
import { SqlScheduledStore } from '../schedule/sql-scheduled-store.js';
import type { BatchSizes } from '../store/commit-batcher.js';
import type { SqlDatabase } from '../store/sql.js';
import type { Clock, Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import { createDurableLog, type DurableLog } from './durable-log.js';
import type { Engine } from './engine.js';

/** Settings of the Redis engine. */
export interface RedisEngineOptions {
  target: RedisTarget;
  prefix: string;
  historySize: number;
  historyTtlMs: number;
  idempotencyWindowMs: number;
  userMessagesPerSec: number;
  presenceTtlMs: number;
  /** How long a node's stats stay valid without a stats report. */
  statsStaleMs: number;
  /** How long `start()` waits for Redis before going on not ready. */
  connectTimeoutMs: number;
  /** A command without a reply after this long fails (unavailable) and the engine is not ready until Redis answers. */
  commandTimeoutMs: number;
  /** Unique id of this process in the cluster. */
  instance: string;
  /**
   * The database the conversations are kept in (Redis is then their cache and bus); without it, the room log is
   * Redis streams only (`--store redis`).
   */
  database?: {
    open: () => Promise<SqlDatabase>;
    batch: BatchSizes;
    commitWaitMs: number;
    retentionDays: number;
    searchBounds?: Partial<SearchBounds>;
    timers: Timers;
  };
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
}

/** The engine of a cluster node: every part shares one Redis (or Redis Cluster) link. */
export function createRedisEngine(options: RedisEngineOptions): Engine {
  const logger = options.logger.child({ component: 'redis' });
  // Connections are named after the instance, so CLIENT LIST shows which node holds which subscriptions.
  const link = createRedisLink(options.target, logger, {
    name: `parley:${options.instance}`,
    commandTimeoutMs: options.commandTimeoutMs,
    clock: options.clock,
  });
  const keys = new RedisKeys(options.prefix);
  // On a cluster the sender's bucket is in another slot than the room: the log asks a limiter of its own.
  // With a database in front, the log asks the limiter too (the database has no token bucket).
  const clusterRate =
    ('cluster' in options.target || options.database) && options.userMessagesPerSec > 0
      ? new RedisMessageRate(link, keys, options.userMessagesPerSec, options.clock)
      : undefined;
  const broker = new RedisBroker(link, keys, logger);
  const durable = options.database && databaseLog(options, options.database, link, keys, clusterRate);
  const log: RoomLog = durable ? durable.log : new RedisLog(link, keys, options, clusterRate);
  const presence = new RedisPresence(link, keys, {
    ttlMs: options.presenceTtlMs,
    clock: options.clock,
    instance: options.instance,
  });
  const registry = new RedisRegistry(link, keys, options.clock, options.instance, options.statsStaleMs);
  const recoveredListeners: Array<() => void> = [];
  let everReady = false;
  link.onReadyChange((ready) => {
    if (!ready) return;
    if (everReady) for (const listener of recoveredListeners) listener();
    everReady = true;
  });
  return {
    kind: 'redis',
    store: durable ? 'postgres' : 'redis',
    broker,
    log,
    presence,
    registry,
    directory: durable ? new SqlRoomDirectory(durable.database) : undefined,
    // Every instance reads what any of them stored: files' bytes live in the database too.
    files: durable ? new SqlFileStore(durable.database, new SqlFileBytes(durable.database)) : undefined,
    scheduled: durable ? new SqlScheduledStore(durable.database) : undefined,
    drafts: durable ? new SqlDraftStore(durable.database) : undefined,
    search: durable ? durable.log : undefined,
    start: async () => {
      await durable?.start();
      if (!(await link.waitReady(options.connectTimeoutMs))) {
        logger.warn('redis not reachable yet: serving not ready, retrying in the background');
      }
    },
    isReady: () => link.isReady() && (durable?.isAvailable() ?? true),
    onRecovered: (listener) => {
      recoveredListeners.push(listener);
    },
    counters: () => ({
      errors: link.errorCount + broker.badPayloads + presence.unlistFailures,
      received: broker.received,
      commandErrors: link.commandErrorCount,
      reconnects: link.reconnectCount,
      resubscriptions: link.resubscribeCount,
      store: durable?.counters(),
    }),
    close: async () => {
      await broker.close();
      await durable?.close();
      await link.close();
    },
  };
}

/**
 * The database log of a cluster: committed messages go to the recent window in Redis, which publishes them; an
 * empty room is forgotten only when no instance holds presence in it.
 */
function databaseLog(
  options: RedisEngineOptions,
  database: NonNullable<RedisEngineOptions['database']>,
  link: RedisLink,
  keys: RedisKeys,
  rate: RedisMessageRate | undefined,
): DurableLog {
  return createDurableLog({
    open: database.open,
    window: new RedisWindow(link, keys, { size: options.historySize, ttlMs: options.historyTtlMs }),
    batch: database.batch,
    commitWaitMs: database.commitWaitMs,
    rate,
    retentionDays: database.retentionDays,
    ...(database.searchBounds ? { searchBounds: database.searchBounds } : {}),
    roomInUse: async (room) => (await link.command('EXISTS', keys.presenceConns(room))) === 1,
    clock: options.clock,
    timers: database.timers,
    ids: options.ids,
    logger: options.logger,
  });
}
