import { MemoryBroker } from '../broker/memory-broker.js';
import { MemoryRegistry } from '../cluster/memory-registry.js';
import { MemoryHistory } from '../history/memory-history.js';
import { MemoryPresence } from '../presence/memory-presence.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { BucketMap } from '../util/token-bucket.js';
import type { Engine } from './engine.js';

/** Settings of the in-memory engine. */
export interface MemoryEngineOptions {
  historySize: number;
  historyTtlMs: number;
  idempotencyWindowMs: number;
  userMessagesPerSec: number;
  presenceTtlMs: number;
  clock: Clock;
  ids: IdGenerator;
}

/** The embedded engine of a single node: no external service needed. */
export function createMemoryEngine(options: MemoryEngineOptions): Engine {
  const history = new MemoryHistory(options);
  const rate = options.userMessagesPerSec;
  const broker = new MemoryBroker(
    history,
    rate > 0 ? new BucketMap(rate, rate * 2, options.clock) : undefined,
  );
  const presence = new MemoryPresence();
  return {
    kind: 'memory',
    broker,
    history,
    presence,
    registry: new MemoryRegistry(),
    start: async () => {},
    isReady: () => true,
    onRecovered: () => {},
    counters: () => ({ errors: 0, received: 0, commandErrors: 0, reconnects: 0 }),
    close: () => broker.close(),
  };
}
