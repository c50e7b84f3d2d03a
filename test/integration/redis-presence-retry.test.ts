/**
 * A presence removal that fails because Redis is down is retried by `expire()` once Redis is back, and the leave
 * is reported then, once. Redis here keeps its data across the crash (append-only file, fsync on every write), so
 * the entry is still there to remove: the failure is the outage, not a loss of data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Engine } from '../../src/engine/engine.js';
import { createRedisEngine } from '../../src/engine/redis-engine.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomId, randomIds } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

describe('Redis presence: failed removals', () => {
  let server: RedisServer;
  let engine: Engine;
  before(async () => {
    server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always']);
    engine = createRedisEngine({
      target: { url: server.url },
      prefix: `retry${randomId()}`,
      historySize: 10,
      historyTtlMs: 60_000,
      idempotencyWindowMs: 60_000,
      userMessagesPerSec: 0,
      presenceTtlMs: 60_000,
      statsStaleMs: 3000,
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 2000,
      instance: 'retrying',
      clock: new ManualClock(Date.now()),
      ids: randomIds(),
      logger: silentLogger(),
    });
    await engine.start();
  });
  after(async () => {
    await engine?.close();
    await server?.stop();
  });

  it('retries a removal that failed while Redis was down and reports the leave once', async () => {
    const user = { id: 'u1', name: 'Ursula' };
    await engine.presence.refreshLiveness();
    assert.deepEqual(await engine.presence.add('lobby', { conn: 'c1', user, node: 'retrying' }), {
      userJoined: true,
    });

    await server.kill();
    await assert.rejects(engine.presence.remove('lobby', 'c1'), 'Redis is down: the removal fails');

    await server.restart();
    await waitUntil(() => engine.isReady(), 20_000, 'the engine to reconnect');
    assert.deepEqual(await engine.presence.users('lobby'), [user], 'the entry survived the outage');

    assert.deepEqual(await engine.presence.expire(), [{ room: 'lobby', user }], 'the retry removes it');
    assert.deepEqual(await engine.presence.users('lobby'), []);
    assert.deepEqual(await engine.presence.expire(), [], 'and reports the leave only once');
  });
});
