import type { Broker } from '../broker/broker.js';
import type { NodeRegistry } from '../cluster/node-registry.js';
import type { DraftStore } from '../drafts/draft-store.js';
import type { FileStore } from '../files/file-store.js';
import type { MessageSearch } from '../log/message-search.js';
import type { RoomLog } from '../log/room-log.js';
import type { PresenceStore } from '../presence/presence-store.js';
import type { RoomDirectory } from '../rooms/room-directory.js';
import type { ScheduledStore } from '../schedule/scheduled-store.js';

/**
 * The shared layer of a node: in memory for a single node, Redis for a cluster; the room log in memory, in
 * Redis, or in a database (embedded or PostgreSQL) behind a recent window.
 */
export interface Engine {
  readonly kind: 'memory' | 'redis';
  /** Where messages are kept (the room log's home). */
  readonly store: 'memory' | 'redis' | 'postgres' | 'embedded';
  readonly broker: Broker;
  readonly presence: PresenceStore;
  /** Every message enters a room here: stored, then delivered through the broker. */
  readonly log: RoomLog;
  readonly registry: NodeRegistry;
  /**
   * Rooms as things that exist and who belongs to them (group chat), kept where messages are: in memory, or in the
   * database. Undefined with `--store redis` (history in Redis streams, no database): rooms are then open channels
   * joined by name, as before rooms were stored.
   */
  readonly directory?: RoomDirectory;
  /**
   * Files sent with messages, kept where messages are (in the database, or beside it); undefined with
   * `--store redis` (no database): uploads are then refused.
   */
  readonly files?: FileStore;
  /** Messages users scheduled to send later, kept where rooms are (undefined with `--store redis`). */
  readonly scheduled?: ScheduledStore;
  /** Users' drafts, kept where rooms are (undefined with `--store redis`). */
  readonly drafts?: DraftStore;
  /** Finding messages by their words, where messages are kept in full (with the directory; not in Redis streams). */
  readonly search?: MessageSearch;
  /**
   * Connects. Resolves once the engine can serve, or after its connect timeout with the engine not ready (it keeps
   * trying in the background; {@link isReady} tells).
   */
  start(): Promise<void>;
  /** True while the engine can serve (connected and subscribed). */
  isReady(): boolean;
  /** Called when the engine is ready again after being lost (e.g. Redis restarted). */
  onRecovered(listener: () => void): void;
  /** Counters of the engine's own work, for stats and metrics. */
  counters(): EngineCounters;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** What an engine counts. */
export interface EngineCounters {
  /** Failures seen on the engine's connections. */
  errors: number;
  /** Room payloads received from other nodes through the shared layer (0 for the memory engine). */
  received: number;
  /** Commands to the shared layer that failed (0 for the memory engine). */
  commandErrors: number;
  /** Reconnection attempts to the shared layer (0 for the memory engine). */
  reconnects: number;
  /** Times the room subscriptions were lost and taken again, each followed by a re-sync (Redis only). */
  resubscriptions?: number;
  /** The database store's work, when there is one. */
  store?: StoreCounters;
}

/** What a database store counts. */
export interface StoreCounters {
  /** Batches committed, the messages in them, and the seconds spent committing. */
  commits: number;
  messages: number;
  seconds: number;
  /** Messages waiting for their batch. */
  queued: number;
  /** Failed commits and reads, and committed batches that could not be published. */
  failures: number;
  /** History reads answered by the recent window, and by the database. */
  windowReads: number;
  databaseReads: number;
}

/** Thrown by engine operations when the shared layer cannot be reached; the operation had no effect. */
export class EngineUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineUnavailableError';
  }
}

/** Thrown by `RoomLog.append` when the sender exceeded its message rate; nothing was stored. */
export class RateLimitError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`rate limit exceeded; retry in ${retryAfterMs} ms`);
    this.name = 'RateLimitError';
  }
}
