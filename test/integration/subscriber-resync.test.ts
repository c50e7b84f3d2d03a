/**
 * A single Redis whose subscriber connection alone is cut (CLIENT KILL): the instance says it is not ready until
 * its room channels are subscribed again, then re-syncs every hosted room, so a message published meanwhile in a
 * quiet room (its only message: no later offset would reveal the gap) still reaches the members there.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { randomId } from '../../src/util/ids.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

describe('subscriber connection cut on a single Redis', async () => {
  const redis = await RedisServer.start();
  after(() => redis.stop());
  const shared = { redisUrl: redis.url, redisPrefix: `s${randomId()}` };
  const [sender, cut] = await Promise.all([
    startNode({ ...shared, nodeId: 'sender' }),
    startNode({ ...shared, nodeId: 'cut' }),
  ]);

  it('re-syncs a quiet room whose only message was published while the subscription was down', async () => {
    const member = await RawClient.connect(`ws://127.0.0.1:${cut.port}/ws`, { name: 'M', user: 'member' });
    after(() => member.close());
    const writer = await RawClient.connect(`ws://127.0.0.1:${sender.port}/ws`, { name: 'W', user: 'writer' });
    after(() => writer.close());
    await member.request({ type: 'join', room: 'quiet' });
    await writer.request({ type: 'join', room: 'quiet' });

    // New connections are refused (a password) while the cut node's subscriber is killed: it cannot come back yet.
    await redis.cli('CONFIG', 'SET', 'requirepass', 'closed-for-now');
    after(() => redis.cli('-a', 'closed-for-now', 'CONFIG', 'SET', 'requirepass', '').catch(() => {}));
    const clients = await redis.cli('-a', 'closed-for-now', 'CLIENT', 'LIST');
    const subscriber = clients.split('\n').find((line) => / name=parley:cut\.\S+:sub /.test(line));
    assert.ok(subscriber, clients);
    const id = /id=(\d+)/.exec(subscriber)?.[1] as string;
    await redis.cli('-a', 'closed-for-now', 'CLIENT', 'KILL', 'ID', id);
    await waitUntil(async () => !cut.isReady(), 5000, 'the cut node to say it is not ready');
    assert.equal((await fetch(`http://127.0.0.1:${cut.port}/readyz`)).status, 503);

    const sent = await writer.request({ type: 'send', room: 'quiet', text: 'the only message', cid: 'only' });
    assert.equal(sent.offset, 1);
    await redis.cli('-a', 'closed-for-now', 'CONFIG', 'SET', 'requirepass', '');

    await waitUntil(async () => cut.isReady(), 15_000, 'the cut node to be ready again');
    const message = await member.frames.find((f) => f.type === 'message' && f.room === 'quiet', 10_000);
    assert.equal(message.text, 'the only message', 'delivered by the re-sync, from the log');
    const position = await member.frames.find((f) => f.type === 'position' && f.room === 'quiet', 10_000);
    assert.equal((position.position as { offset: number }).offset, 1);
    assert.equal(member.ofType('message').length, 1, 'once');
  });
});
