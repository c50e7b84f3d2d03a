import { createMemoryEngine } from '../../src/engine/memory-engine.js';
import type { MemoryHistory } from '../../src/history/memory-history.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomIds } from '../../src/util/ids.js';
import { brokerSuite } from './broker.suite.js';
import type { FixtureFactory } from './fixture.js';
import { historySuite } from './history.suite.js';
import { presenceSuite } from './presence.suite.js';

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
    const history = engine.history as MemoryHistory;
    return { ...engine, clock, footprint: async () => history.storedRooms, close: () => engine.close() };
  },
};

brokerSuite('memory', memory);
historySuite('memory', memory);
presenceSuite('memory', memory);
