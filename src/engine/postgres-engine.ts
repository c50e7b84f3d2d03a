import pg from 'pg';
import { MemoryBroker } from '../broker/memory-broker.js';
import { MemoryRegistry } from '../cluster/memory-registry.js';
import { PostgresLog } from '../log/postgres-log.js';
import { MemoryPresence } from '../presence/memory-presence.js';
import { MemoryMessageRate } from '../ratelimit/memory-message-rate.js';
import { migrate } from '../store/migrate.js';
import type { Clock, TimerHandle, Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import type { Engine } from './engine.js';

const DAY_MS = 86_400_000;
/** Retention runs at start and then hourly: messages live at most an hour past their retention. */
const PRUNE_EVERY_MS = 3_600_000;

/** Settings of the PostgreSQL engine. */
export interface PostgresEngineOptions {
  databaseUrl: string;
  /** Longest wait for a database connection or statement before the operation fails `unavailable`. */
  databaseTimeoutMs: number;
  userMessagesPerSec: number;
  /** Messages older than this many days are deleted in the background (0: kept forever). */
  retentionDays: number;
  clock: Clock;
  timers: Timers;
  ids: IdGenerator;
  logger: Logger;
}

/**
 * A single node whose conversations last: the room log is in PostgreSQL (migrated at start, under an advisory
 * lock), delivery, presence and the registry stay in the process as in the memory engine. Several instances need
 * Redis in front of the database as their cache and bus: not this engine.
 */
export function createPostgresEngine(options: PostgresEngineOptions): Engine {
  const logger = options.logger.child({ component: 'database' });
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 8,
    connectionTimeoutMillis: options.databaseTimeoutMs,
    query_timeout: options.databaseTimeoutMs,
  });
  // An idle client's connection can drop (database restarted): counted and logged, never fatal.
  let poolErrors = 0;
  pool.on('error', (error) => {
    poolErrors += 1;
    logger.warn({ error: error.message }, 'database connection lost');
  });
  const broker = new MemoryBroker();
  const rate = options.userMessagesPerSec;
  const log = new PostgresLog(
    pool,
    { ids: options.ids, timers: options.timers, batchMaxMessages: 500, batchMaxWaitMs: 2 },
    (event) => broker.deliver(event),
    rate > 0 ? new MemoryMessageRate(rate, options.clock) : undefined,
  );
  const pruneOld = () => {
    const olderThan = options.clock.now() - options.retentionDays * DAY_MS;
    log.prune(olderThan).then(
      (deleted) => {
        if (deleted > 0)
          logger.info({ deleted, retentionDays: options.retentionDays }, 'old messages deleted');
      },
      (error: unknown) => logger.warn({ err: error }, 'retention pruning failed; retried in an hour'),
    );
  };
  let retention: TimerHandle | undefined;
  return {
    kind: 'memory',
    store: 'postgres',
    broker,
    log,
    presence: new MemoryPresence(),
    registry: new MemoryRegistry(),
    start: async () => {
      const applied = await migrate(pool);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
      if (options.retentionDays > 0) {
        pruneOld();
        retention = options.timers.setInterval(pruneOld, PRUNE_EVERY_MS);
      }
    },
    isReady: () => log.isAvailable,
    onRecovered: () => {},
    counters: () => ({
      errors: poolErrors + log.failures,
      received: 0,
      commandErrors: 0,
      reconnects: 0,
      store: {
        commits: log.commits.batches,
        messages: log.commits.messages,
        seconds: log.commits.seconds,
        queued: log.queued,
      },
    }),
    close: async () => {
      retention?.cancel();
      log.stop();
      await broker.close();
      await pool.end();
    },
  };
}
