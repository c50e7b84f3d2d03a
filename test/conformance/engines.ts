import { tmpdir } from 'node:os';
import { join } from 'node:path';
/** The engines the conformance suites build, with the settings every suite uses (one place for them). */
import { BATCH_SIZES } from '../../src/compose.js';
import { createDatabaseEngine } from '../../src/engine/database-engine.js';
import type { Engine } from '../../src/engine/engine.js';
import { createRedisEngine } from '../../src/engine/redis-engine.js';
import type { RedisTarget } from '../../src/redis/link.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { type ManualClock, systemTimers } from '../../src/util/clock.js';
import { randomId, randomIds } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import type { RedisServer } from '../helpers/redis-server.js';
import type { FixtureOptions } from './fixture.js';

/** A Redis engine under test: its log in Redis streams, or with `open` in that database behind Redis. */
export function testRedisEngine(
  options: FixtureOptions,
  target: RedisTarget,
  prefix: string,
  clock: ManualClock,
  open?: () => Promise<SqlDatabase>,
): Engine {
  return createRedisEngine({
    ...options,
    userMessagesPerSec: options.userMessagesPerSec ?? 0,
    target,
    prefix,
    historyTtlMs: 3_600_000,
    idempotencyWindowMs: 60_000,
    statsStaleMs: 3000,
    connectTimeoutMs: 10_000,
    commandTimeoutMs: 2000,
    instance: `test-${randomId()}`,
    database: open
      ? { open, batch: BATCH_SIZES.postgres, commitWaitMs: 2, retentionDays: 0, timers: systemTimers }
      : undefined,
    clock,
    ids: randomIds(),
    logger: silentLogger(),
  });
}

/** A single-node database engine under test. */
export function testDatabaseEngine(
  store: 'embedded' | 'postgres',
  options: FixtureOptions,
  open: () => Promise<SqlDatabase>,
  clock: ManualClock,
): Engine {
  return createDatabaseEngine({
    store,
    filesDir: join(tmpdir(), `parley-test-files-${randomId()}`),
    open,
    batch: BATCH_SIZES[store],
    commitWaitMs: 2,
    historySize: options.historySize,
    userMessagesPerSec: options.userMessagesPerSec ?? 0,
    retentionDays: 0,
    clock,
    timers: systemTimers,
    ids: randomIds(),
    logger: silentLogger(),
  });
}

/** Counts the keys under a prefix on every server (each master of a cluster holds its own slots). */
export const keysOn = (servers: () => RedisServer[]) => async (prefix: string) => {
  const lists = await Promise.all(servers().map((s) => s.cli('--scan', '--pattern', `${prefix}*`)));
  return lists.flatMap((list) => list.split('\n').filter((line) => line.trim() !== '')).length;
};
