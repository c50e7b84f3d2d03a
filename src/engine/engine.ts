import type { Broker } from '../broker/broker.js';
import type { HistoryStore } from '../history/history-store.js';
import type { PresenceStore } from '../presence/presence-store.js';

/** The shared layer of a node: in memory for a single node, Redis for a cluster. */
export interface Engine {
  readonly kind: 'memory' | 'redis';
  readonly broker: Broker;
  readonly presence: PresenceStore;
  readonly history: HistoryStore;
  /** Connects; resolves when the engine can serve. */
  start(): Promise<void>;
  /** True while the engine can serve (connected and subscribed). */
  isReady(): boolean;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** Thrown by engine operations when the shared layer cannot be reached; the operation had no effect. */
export class EngineUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineUnavailableError';
  }
}
