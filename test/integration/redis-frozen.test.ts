/**
 * A frozen Redis (SIGSTOP: connections open, nothing answered) must not hold sends: they are refused with
 * `unavailable` within the command timeout, the instance reports not ready (so a load balancer moves traffic), and
 * everything works again by itself once Redis goes on (SIGCONT).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { spawnServer } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

const COMMAND_TIMEOUT_MS = 500;

describe('a frozen Redis', async () => {
  const redis = await RedisServer.start();
  after(async () => {
    redis.thaw();
    await redis.stop();
  });
  const server = await spawnServer([
    '--redis-url',
    redis.url,
    '--redis-command-timeout-ms',
    String(COMMAND_TIMEOUT_MS),
  ]);
  const readyz = async () => (await fetch(`${server.httpUrl}/readyz`)).status;

  it('refuses sends within the command timeout, says not ready, and recovers after SIGCONT', async () => {
    const client = await RawClient.connect(server.wsUrl, { name: 'Frozen' });
    after(() => client.close());
    await client.request({ type: 'join', room: 'ice' });
    assert.equal(
      (await client.request({ type: 'send', room: 'ice', text: 'before', cid: 'b' })).type,
      'sent',
    );
    assert.equal(await readyz(), 200);

    redis.freeze();
    const started = Date.now();
    const refused = await client.request({ type: 'send', room: 'ice', text: 'during', cid: 'd' });
    const tookMs = Date.now() - started;
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'unavailable');
    assert.equal(refused.temporary, true);
    assert.ok(tookMs < COMMAND_TIMEOUT_MS + 1000, `refused after ${tookMs} ms`);
    await waitUntil(async () => (await readyz()) === 503, 5000, '/readyz to say 503');
    // Other work of the connection is not held behind the frozen store for longer than the timeout either.
    const pong = await client.request({ type: 'ping' }, COMMAND_TIMEOUT_MS + 1000);
    assert.equal(pong.type, 'pong');

    redis.thaw();
    await waitUntil(async () => (await readyz()) === 200, 10_000, '/readyz to say 200 again');
    // The refused send may still have been stored once Redis went on: a retry with its cid is safe either way.
    const retried = await client.request({ type: 'send', room: 'ice', text: 'during', cid: 'd' });
    assert.equal(retried.type, 'sent');
    const after1 = await client.request({ type: 'send', room: 'ice', text: 'after', cid: 'a' });
    assert.equal(after1.type, 'sent');
    assert.equal(after1.offset, (retried.offset as number) + 1);
    const history = await client.request({ type: 'history', room: 'ice' });
    assert.deepEqual(
      (history.messages as Array<{ text: string }>).map((m) => m.text),
      ['before', 'during', 'after'],
    );
    assert.equal(server.child.exitCode, null);
  });
});
