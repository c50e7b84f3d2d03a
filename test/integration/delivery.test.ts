/**
 * Delivery guarantees across instances sharing one Redis: the resume seam, idempotent sends racing on two
 * instances, and Redis restarting empty (history lost: clients are told, never shown a silent gap).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { randomId } from '../../src/util/ids.js';
import { type ServerProcess, spawnServer, startInstanceGroup } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { watchedClient } from '../helpers/sdk.js';
import { waitUntil, within } from '../helpers/wait.js';

const offsets = (frames: ReadonlyArray<Record<string, unknown>>) => frames.map((m) => m.offset as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('delivery guarantees over Redis', async () => {
  const { redis, nodes, groupArgs } = await startInstanceGroup(2, 'd');
  const n0 = nodes[0] as ServerProcess;
  const n1 = nodes[1] as ServerProcess;
  const clients: RawClient[] = [];
  after(() => {
    for (const c of clients) c.close();
  });
  const connect = async (node: ServerProcess, user: string) => {
    const c = await RawClient.connect(node.wsUrl, { name: user, user });
    clients.push(c);
    return c;
  };

  it('joins recovered and live messages without a gap or duplicate while another instance bursts', async () => {
    const room = `seam-${randomId()}`;
    const pub = await connect(n1, 'burster');
    const joined = await pub.request({ type: 'join', room });
    for (let i = 0; i < 20; i += 1) await pub.request({ type: 'send', room, text: `s${i}`, cid: `s${i}` });
    const epoch = (joined.position as { epoch: string }).epoch;
    const x = await connect(n0, 'resumer');
    for (let i = 0; i < 300; i += 1)
      pub.fire({ type: 'send', ref: 10_000 + i, room, text: `b${i}`, cid: `b${i}` });
    const reply = await x.request({ type: 'join', room, since: { offset: 5, epoch } });
    assert.equal(reply.recovered, true);
    const seen = () => offsets(reply.messages as Frame[]).concat(offsets(x.ofType('message')));
    await waitUntil(() => seen().at(-1) === 320, 15_000, 'resumer to reach offset 320');
    await x.request({ type: 'ping' });
    assert.deepEqual(seen(), range(6, 320));
  });

  it('publishes one message when the same client id is sent concurrently through two instances', async () => {
    const room = `idem-${randomId()}`;
    const tab0 = await connect(n0, 'same-user');
    const tab1 = await connect(n1, 'same-user');
    const watcher = await connect(n0, 'idem-watcher');
    for (const c of [tab0, tab1, watcher]) await c.request({ type: 'join', room });
    for (let i = 0; i < 30; i += 1) {
      const command = { type: 'send', room, text: `once ${i}`, cid: `retry-${i}` };
      const [a, b] = await Promise.all([tab0.request(command), tab1.request(command)]);
      assert.equal(a.type, 'sent');
      assert.equal(b.type, 'sent');
      assert.equal(a.id, b.id, 'both retries answer with the one message');
      assert.equal(a.offset, b.offset);
      assert.deepEqual([a.duplicate, b.duplicate].sort(), [false, true]);
    }
    await waitUntil(() => watcher.ofType('message').length >= 30, 10_000, '30 messages');
    await watcher.request({ type: 'ping' });
    assert.deepEqual(offsets(watcher.ofType('message')), range(1, 30));
    const history = await watcher.request({ type: 'history', room });
    assert.equal((history.messages as Frame[]).length, 30);
  });

  it('tells clients when Redis restarted empty: recovered false and a new epoch, never a silent gap', async () => {
    const room = `lost-${randomId()}`;
    // `stays` is connected throughout; `away` is offline (its instance down) while Redis restarts.
    const stays = watchedClient({ url: n0.wsUrl, name: 'stays', userId: 'stays' });
    const away = watchedClient({ url: n1.wsUrl, name: 'away', userId: 'away' });
    const { messages: staysGot, resets: staysResets } = stays;
    const { messages: awayGot, joins: awayJoins, resets: awayResets } = away;
    stays.client.connect();
    away.client.connect();
    await stays.client.join(room);
    await away.client.join(room);
    const before = await away.client.send(room, 'before the loss');
    await staysGot.find((m) => m.text === 'before the loss');
    await awayGot.find((m) => m.text === 'before the loss');

    const port = n1.port;
    n1.child.kill('SIGTERM');
    await within(n1.exited, 20_000, 'the instance to exit');
    await redis.kill();
    await redis.restart();
    await waitUntil(
      async () => (await fetch(`${n0.httpUrl}/readyz`)).status === 200,
      20_000,
      'n0 ready again',
    );
    // The connected client is told at once, without waiting for a message: the room's history is gone.
    const told = await staysResets.find(() => true, 10_000, 'reset of the connected client');
    assert.equal(told.reason, 'epoch_changed');
    assert.notEqual(told.position.epoch, before.epoch);

    nodes[1] = await spawnServer([...groupArgs, '--node-id', 'd1'], { port });
    const rejoin = await awayJoins.find(
      (j) => j.recovered !== undefined,
      20_000,
      'rejoin after Redis restarted',
    );
    assert.equal(rejoin.recovered, false, 'its position belongs to the lost epoch');
    assert.equal(rejoin.position.epoch, told.position.epoch, 'a new epoch');
    assert.equal((await awayResets.find(() => true)).reason, 'not_recovered');

    const after1 = await away.client.send(room, 'after the loss');
    assert.equal(after1.offset, 1);
    await staysGot.find((m) => m.text === 'after the loss', 10_000);
    await awayGot.find((m) => m.text === 'after the loss', 10_000);
    assert.deepEqual(
      staysGot.items.map((m) => `${m.epoch}:${m.offset}`),
      [`${before.epoch}:1`, `${after1.epoch}:1`],
    );
    assert.deepEqual(
      awayGot.items.map((m) => m.text),
      ['before the loss', 'after the loss'],
      'nothing stale or missing passed off as complete',
    );
  });
});
