import { CachedLog } from '../log/cached-log.js';
import { DatabaseLog } from '../log/database-log.js';
import type { SearchBounds } from '../log/database-search.js';
import type { RecentWindow } from '../log/recent-window.js';
import type { MessageRateLimiter } from '../ratelimit/message-rate.js';
import type { BatchSizes } from '../store/commit-batcher.js';
import { migrate } from '../store/migrate.js';
import { isUnavailable, type SqlDatabase } from '../store/sql.js';
import type { Clock, TimerHandle, Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import { EngineUnavailableError, type StoreCounters } from './engine.js';

const DAY_MS = 86_400_000;
/** Retention runs at start and then hourly: messages live at most an hour past their retention. */
const PRUNE_EVERY_MS = 3_600_000;

/** Settings of {@link createDurableLog}. */
export interface DurableLogOptions {
  /** Opens the database (at start; the embedded one takes its data directory then). */
  open: () => Promise<SqlDatabase>;
  /** The recent window in front of the database, which also publishes committed messages. */
  window: RecentWindow;
  /** Most messages committed in one transaction, and how many end a batch's wait. */
  batch: BatchSizes;
  /** Longest a message waits for others to share its commit (when none is in progress). */
  commitWaitMs: number;
  /** The per-user message rate (undefined: no limit). */
  rate?: MessageRateLimiter;
  /** Messages older than this many days are deleted in the background (0: kept forever). */
  retentionDays: number;
  /** How much one search may ask of the database (default SEARCH_BOUNDS). */
  searchBounds?: Partial<SearchBounds>;
  /** True while the room has members anywhere (a cluster); undefined on one node. */
  roomInUse?: (room: string) => Promise<boolean>;
  clock: Clock;
  timers: Timers;
  ids: IdGenerator;
  logger: Logger;
}

/** A database-backed room log with its lifecycle: migrated at start, pruned hourly, counted. */
export interface DurableLog {
  readonly log: CachedLog;
  /**
   * The same database for the other stores kept in it (the room directory): usable once started; a failure that
   * means "unreachable" comes out as EngineUnavailableError, which clients see as `unavailable`.
   */
  readonly database: SqlDatabase;
  /** Opens and migrates the database, starts retention. */
  start(): Promise<void>;
  /** False while the database cannot be reached (sends are refused), true again once it answers. */
  isAvailable(): boolean;
  counters(): StoreCounters;
  close(): Promise<void>;
}

/**
 * The room log of every engine that keeps conversations in a database (embedded or PostgreSQL, one node or many):
 * the database log (group commit) behind the recent window. The database is opened in `start()`, so building a
 * node stays synchronous and cheap.
 */
export function createDurableLog(options: DurableLogOptions): DurableLog {
  const logger = options.logger.child({ component: 'store' });
  let db: SqlDatabase | undefined;
  const opened = (): SqlDatabase => {
    if (!db) throw new Error('store used before start');
    return db;
  };
  // The log reaches the database through this indirection, so that it can exist before the database is open.
  const lazy: SqlDatabase = {
    query: (text, params, name) => opened().query(text, params, name),
    script: (sql) => opened().script(sql),
    exclusive: (work) => opened().exclusive(work),
    transaction: (work) => opened().transaction(work),
    close: async () => db?.close(),
  };
  const store = new DatabaseLog(
    lazy,
    {
      ids: options.ids,
      timers: options.timers,
      batch: options.batch,
      batchMaxWaitMs: options.commitWaitMs,
      ...(options.searchBounds ? { searchBounds: options.searchBounds } : {}),
    },
    async (messages, replaced) => {
      try {
        await options.window.publish(messages, replaced);
        if (publishing === 'failing') logger.info('committed messages are published again');
        publishing = 'ok';
        await log.dropStale();
      } catch (error) {
        // Copies of the messages an action changed may stay in the window: this instance reads around them.
        if (replaced?.length) log.markStale(replaced.map((m) => m.room));
        // Stored but not carried: members learn of it from the next message's gap or the resync after recovery.
        // Logged once per outage (every batch fails while Redis is away), counted every time.
        publishFailures += 1;
        if (publishing === 'ok') logger.warn({ err: error }, 'committed messages not published');
        publishing = 'failing';
      }
    },
    options.rate,
  );
  let publishFailures = 0;
  let publishing: 'ok' | 'failing' = 'ok';
  const reads = { window: 0, database: 0 };
  const log = new CachedLog(store, options.window, { roomInUse: options.roomInUse, reads });
  let retention: TimerHandle | undefined;
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
  const unavailable = (error: unknown): never => {
    if (isUnavailable(error)) throw new EngineUnavailableError('database unreachable', { cause: error });
    throw error;
  };
  const database: SqlDatabase = {
    query: <Row>(text: string, params?: unknown[], name?: string) =>
      lazy.query<Row>(text, params, name).catch(unavailable),
    script: (sql) => lazy.script(sql).catch(unavailable),
    exclusive: (work) => lazy.exclusive(work).catch(unavailable),
    transaction: (work) => lazy.transaction(work).catch(unavailable),
    close: async () => {},
  };
  return {
    log,
    database,
    start: async () => {
      db = await options.open();
      const applied = await migrate(db);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
      if (options.retentionDays > 0) {
        pruneOld();
        retention = options.timers.setInterval(pruneOld, PRUNE_EVERY_MS);
      }
    },
    isAvailable: () => db !== undefined && store.isAvailable,
    counters: () => ({
      commits: store.commits.batches,
      messages: store.commits.messages,
      seconds: store.commits.seconds,
      queued: store.queued,
      failures: store.failures + publishFailures,
      windowReads: reads.window,
      databaseReads: reads.database,
    }),
    close: async () => {
      retention?.cancel();
      store.stop();
      await db?.close();
    },
  };
}
