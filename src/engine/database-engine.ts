import { MemoryBroker } from '../broker/memory-broker.js';
import { MemoryRegistry } from '../cluster/memory-registry.js';
import { SqlDraftStore } from '../drafts/sql-draft-store.js';
import { DiskFileBytes } from '../files/disk-file-bytes.js';
import { SqlFileBytes } from '../files/sql-file-bytes.js';
import { SqlFileStore } from '../files/sql-file-store.js';
import type { SearchBounds } from '../log/database-search.js';
import { MemoryWindow } from '../log/memory-window.js';
import { MemoryPresence } from '../presence/memory-presence.js';
import { MemoryMessageRate } from '../ratelimit/memory-message-rate.js';
import { SqlRoomDirectory } from '../rooms/sql-room-directory.js';
import { SqlScheduledStore } from '../schedule/sql-scheduled-store.js';
import type { BatchSizes } from '../store/commit-batcher.js';
import type { SqlDatabase } from '../store/sql.js';
import type { Clock, Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import { createDurableLog } from './durable-log.js';
import type { Engine } from './engine.js';

/** Settings of the single-node database engine. */
export interface DatabaseEngineOptions {
  store: 'embedded' | 'postgres';
  /** Where the embedded store keeps the bytes of files (PostgreSQL keeps them in the database). */
  filesDir: string;
  /** Opens the database when the engine starts. */
  open: () => Promise<SqlDatabase>;
  /** Batch sizes (smaller for the embedded store, whose commits block the loop). */
  batch: BatchSizes;
  /** Longest a message waits for others to share its commit. */
  commitWaitMs: number;
  /** Messages of each room kept in memory in front of the database. */
  historySize: number;
  userMessagesPerSec: number;
  retentionDays: number;
  searchBounds?: Partial<SearchBounds>;
  clock: Clock;
  timers: Timers;
  ids: IdGenerator;
  logger: Logger;
}

/**
 * A single node whose conversations last: the room log is in a database (embedded PGlite in a data directory, or
 * PostgreSQL), the recent window of each room with local members in memory; delivery, presence and the registry
 * stay in the process as in the memory engine. Several instances use the Redis engine with a database instead.
 */
export function createDatabaseEngine(options: DatabaseEngineOptions): Engine {
  const broker = new MemoryBroker();
  const durable = createDurableLog({
    open: options.open,
    window: new MemoryWindow(broker, options.historySize),
    batch: options.batch,
    commitWaitMs: options.commitWaitMs,
    rate:
      options.userMessagesPerSec > 0
        ? new MemoryMessageRate(options.userMessagesPerSec, options.clock)
        : undefined,
    retentionDays: options.retentionDays,
    ...(options.searchBounds ? { searchBounds: options.searchBounds } : {}),
    clock: options.clock,
    timers: options.timers,
    ids: options.ids,
    logger: options.logger,
  });
  return {
    kind: 'memory',
    store: options.store,
    broker,
    log: durable.log,
    presence: new MemoryPresence(),
    registry: new MemoryRegistry(),
    directory: new SqlRoomDirectory(durable.database),
    files: new SqlFileStore(
      durable.database,
      options.store === 'embedded' ? new DiskFileBytes(options.filesDir) : new SqlFileBytes(durable.database),
    ),
    scheduled: new SqlScheduledStore(durable.database),
    drafts: new SqlDraftStore(durable.database),
    search: durable.log,
    start: () => durable.start(),
    isReady: () => durable.isAvailable(),
    onRecovered: () => {},
    counters: () => ({
      errors: durable.counters().failures,
      received: 0,
      commandErrors: 0,
      reconnects: 0,
      store: durable.counters(),
    }),
    close: async () => {
      await durable.close();
      await broker.close();
    },
  };
}
