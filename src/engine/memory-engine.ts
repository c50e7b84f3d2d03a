import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBroker } from '../broker/memory-broker.js';
import { MemoryRegistry } from '../cluster/memory-registry.js';
import { MemoryDraftStore } from '../drafts/memory-draft-store.js';
import { DiskFileBytes } from '../files/disk-file-bytes.js';
import { MemoryFileStore } from '../files/memory-file-store.js';
import { MemoryLog } from '../log/memory-log.js';
import { MemoryPresence } from '../presence/memory-presence.js';
import { MemoryMessageRate } from '../ratelimit/memory-message-rate.js';
import { MemoryRoomDirectory } from '../rooms/memory-room-directory.js';
import { MemoryScheduledStore } from '../schedule/memory-scheduled-store.js';
import type { Clock } from '../util/clock.js';
import { type IdGenerator, randomId } from '../util/ids.js';
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
  const broker = new MemoryBroker();
  const rate = options.userMessagesPerSec;
  const log = new MemoryLog(
    options,
    broker,
    rate > 0 ? new MemoryMessageRate(rate, options.clock) : undefined,
  );
  const presence = new MemoryPresence();
  // Files' bytes go to a directory of their own (made at the first upload), removed when the engine closes.
  const files = new MemoryFileStore(new DiskFileBytes(join(tmpdir(), `parley-files-${randomId()}`), true));
  return {
    kind: 'memory',
    store: 'memory',
    broker,
    log,
    presence,
    registry: new MemoryRegistry(),
    directory: new MemoryRoomDirectory(),
    files,
    scheduled: new MemoryScheduledStore(),
    drafts: new MemoryDraftStore(),
    search: log,
    start: async () => {},
    isReady: () => true,
    onRecovered: () => {},
    counters: () => ({ errors: 0, received: 0, commandErrors: 0, reconnects: 0 }),
    close: async () => {
      await broker.close();
      await files.close();
    },
  };
}
