/**
 * Delivery guarantees across instances sharing one Redis: the resume seam, idempotent sends racing on two
 * instances, and Redis restarting empty (history lost: clients are told, never shown a silent gap).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type ChatMessage, ParleyClient, type WebSocketLike } from '../../client/index.js';
import { randomId } from '../../src/util/ids.js';
import { type ServerProcess, startInstanceGroup } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { Collector, waitUntil } from '../helpers/wait.js';

const offsets = (frames: ReadonlyArray<Record<string, unknown>>) => frames.map((m) => m.offset as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('delivery guarantees over Redis', async () => {
  const { redis, nodes } = await startInstanceGroup(2, 'd');
  const [n0, n1] = nodes as [ServerProcess, ServerProcess];
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
    const make = (name: string, urls: string[]) =>
      new ParleyClient({
        url: urls,
        name,
        userId: name,
        webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
        reconnect: { minDelayMs: 50, maxDelayMs: 300 },
      });
    const stays = make('stays', [n0.wsUrl]);
    const moves = make('moves', [n1.wsUrl, n0.wsUrl]);
    after(() => {
      stays.close();
      moves.close();
    });
    const staysGot = new Collector<ChatMessage>();
    const staysResets = new Collector<{ reason: string }>();
    const movesJoins = new Collector<{ recovered?: boolean; position: { epoch: string } }>();
    const movesResets = new Collector<{ reason: string }>();
    stays.on('message', staysGot.push);
    stays.on('reset', staysResets.push);
    moves.on('joined', movesJoins.push);
    moves.on('reset', movesResets.push);
    stays.connect();
    moves.connect();
    await stays.join(room);
    await moves.join(room);
    const before = await moves.send(room, 'before the loss');
    await staysGot.find((m) => m.text === 'before the loss');

    await redis.kill();
    await redis.restart();
    await waitUntil(
      async () =>
        (await Promise.all([n0, n1].map((n) => fetch(`${n.httpUrl}/readyz`)))).every((r) => r.status === 200),
      20_000,
      'instances ready again',
    );
    // The moving client loses its instance and resumes on the other one from a position Redis no longer knows.
    n1.child.kill('SIGTERM');
    const rejoin = await movesJoins.find((j) => j.recovered !== undefined, 20_000, 'rejoin after the move');
    assert.equal(rejoin.recovered, false);
    assert.notEqual(rejoin.position.epoch, before.epoch, 'a new epoch');
    assert.equal((await movesResets.find(() => true)).reason, 'not_recovered');

    const after1 = await moves.send(room, 'after the loss');
    assert.equal(after1.offset, 1);
    const got = await staysGot.find((m) => m.text === 'after the loss', 10_000);
    assert.equal(got.epoch, after1.epoch);
    assert.equal(
      (await staysResets.find(() => true)).reason,
      'epoch_changed',
      'the connected client is told too',
    );
    const delivered = staysGot.items.map((m) => `${m.epoch}:${m.offset}`);
    assert.deepEqual(delivered, [`${before.epoch}:1`, `${after1.epoch}:1`]);
  });
});
