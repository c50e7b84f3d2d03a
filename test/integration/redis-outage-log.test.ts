/**
 * While Redis is unreachable the log says so once per state change and then as a periodic reminder, instead of a
 * line (with a stack trace) per reconnect attempt; every error is still counted.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { spawnServer } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

interface LogLine {
  level: number;
  msg: string;
  errorsWhileLost?: number;
  err?: unknown;
}

describe('the log during a Redis outage', async () => {
  const redis = await RedisServer.start();
  after(() => redis.stop());
  const server = await spawnServer(['--redis-url', redis.url, '--log-level', 'debug']);
  const lines = () =>
    server.logs.flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  const readyz = async () => (await fetch(`${server.httpUrl}/readyz`)).status;

  it('says lost once, errors once, and ready once, however many reconnect attempts fail', async () => {
    await redis.kill();
    await waitUntil(async () => (await readyz()) === 503, 10_000, '/readyz to say 503');
    // Several reconnect attempts fail meanwhile (backoff 100 ms doubling to 2 s).
    await waitUntil(
      () => lines().filter((l) => l.msg === 'redis connection error').length >= 5,
      15_000,
      'several connection errors (logged at debug)',
    );
    await redis.restart();
    await waitUntil(async () => (await readyz()) === 200, 20_000, '/readyz to say 200 again');
    // /readyz reads the connections' state, which can turn ready a moment before the link logs it.
    const readyAfterLoss = () => {
      const all = lines();
      const lost = all.findIndex((l) => l.msg === 'redis lost');
      return all.slice(lost + 1).find((l) => l.msg === 'redis ready');
    };
    await waitUntil(() => readyAfterLoss() !== undefined, 10_000, 'the log to say ready again');
    const all = lines();
    const warnings = all.filter((l) => l.level >= 40);
    const errorWarnings = warnings.filter((l) => l.msg === 'redis connection error');
    // One per connection that noticed (commands and subscriber), not one per attempt.
    assert.ok(errorWarnings.length <= 2, `${errorWarnings.length} connection-error warnings`);
    assert.equal(warnings.filter((l) => l.msg === 'redis lost').length, 1);
    assert.deepEqual(
      warnings.filter((l) => l.err !== undefined).map((l) => l.msg),
      [],
      'no stack traces at warn',
    );
    const ready = readyAfterLoss();
    assert.ok((ready?.errorsWhileLost ?? 0) >= 5, `ready after ${ready?.errorsWhileLost} errors`);
  });
});
