import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDraftStore } from '../../src/drafts/memory-draft-store.js';
import { createMemoryEngine } from '../../src/engine/memory-engine.js';
import { DiskFileBytes } from '../../src/files/disk-file-bytes.js';
import { MemoryFileStore } from '../../src/files/memory-file-store.js';
import type { MemoryLog } from '../../src/log/memory-log.js';
import { MemoryRoomDirectory } from '../../src/rooms/memory-room-directory.js';
import { MemoryScheduledStore } from '../../src/schedule/memory-scheduled-store.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomId, randomIds } from '../../src/util/ids.js';
import { brokerSuite } from './broker.suite.js';
import { draftStoreSuite } from './draft-store.suite.js';
import { fileStoreSuite } from './file-store.suite.js';
import type { FixtureFactory } from './fixture.js';
import { messageActionsSuite } from './message-actions.suite.js';
import { messageSearchSuite } from './message-search.suite.js';
import { presenceSuite } from './presence.suite.js';
import { registrySuite } from './registry.suite.js';
import { roomDirectorySuite } from './room-directory.suite.js';
import { roomLogSuite } from './room-log.suite.js';
import { scheduledStoreSuite } from './scheduled-store.suite.js';
import { threadsSuite } from './threads.suite.js';

const memory: FixtureFactory = {
  async create(options) {
    const clock = new ManualClock();
    const engine = createMemoryEngine({
      ...options,
      userMessagesPerSec: options.userMessagesPerSec ?? 0,
      historyTtlMs: 86_400_000,
      idempotencyWindowMs: 60_000,
      clock,
      ids: randomIds(),
    });
    await engine.start();
    const log = engine.log as MemoryLog;
    return { ...engine, clock, footprint: async () => log.storedRooms, close: () => engine.close() };
  },
};

brokerSuite('memory', memory);
roomLogSuite('memory', memory);
messageActionsSuite('memory', memory);
threadsSuite('memory', memory);
messageSearchSuite('memory', memory);
presenceSuite('memory', memory);
registrySuite('memory', memory);
fileStoreSuite('memory', {
  async create() {
    const files = new MemoryFileStore(new DiskFileBytes(join(tmpdir(), `parley-files-${randomId()}`), true));
    return { files, close: () => files.close() };
  },
});
draftStoreSuite('memory', {
  async create() {
    return { store: new MemoryDraftStore(), close: async () => {} };
  },
});
scheduledStoreSuite('memory', {
  async create() {
    const store = new MemoryScheduledStore();
    return { store, again: async () => store, close: async () => {} };
  },
});
roomDirectorySuite('memory', {
  async create() {
    return { directory: new MemoryRoomDirectory(), close: async () => {} };
  },
});
