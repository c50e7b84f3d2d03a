/**
 * Three Parley instances as separate processes sharing one private Redis: delivery across instances, presence
 * seen alike from every instance, no pub/sub traffic for rooms an instance does not host, an instance killed with
 * SIGKILL, and Redis itself going away and coming back.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type ConnectionState, ParleyClient } from '../../client/index.js';
import { randomId } from '../../src/util/ids.js';
import { type ServerProcess, spawnServer, startInstanceGroup } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { nodeWebSocket } from '../helpers/sdk.js';
import { Collector, waitUntil, within } from '../helpers/wait.js';

describe('three instances, one Redis', async () => {
  const { redis, prefix, nodes, groupArgs } = await startInstanceGroup(3, 'n', [
    '--stats-interval-ms',
    '200',
  ]);
  const clients: RawClient[] = [];
  after(() => {
    for (const c of clients) c.close();
  });
  const connect = async (node: ServerProcess, user: string) => {
    const client = await RawClient.connect(node.wsUrl, { name: user.toUpperCase(), user });
    clients.push(client);
    return client;
  };
  const users = (frame: Frame) => (frame.users as Array<{ id: string }>).map((u) => u.id).sort();

  it('delivers every message to every member on every instance exactly once, in offset order', async () => {
    const rooms = [`alpha-${randomId()}`, `beta-${randomId()}`];
    const members = await Promise.all(
      Array.from({ length: 12 }, (_, i) => connect(nodes[i % 3] as ServerProcess, `u${i}`)),
    );
    const roomOf = (i: number) => rooms[i % 2] as string;
    for (const [i, c] of members.entries())
      assert.equal((await c.request({ type: 'join', room: roomOf(i) })).type, 'joined');
    const acks = await Promise.all(
      members.flatMap((c, i) =>
        Array.from({ length: 10 }, (_, k) =>
          c.request({ type: 'send', room: roomOf(i), text: `u${i}-${k}`, cid: `${i}-${k}` }),
        ),
      ),
    );
    assert.ok(acks.every((a) => a.type === 'sent'));
    for (const [i, c] of members.entries()) {
      const room = roomOf(i);
      const ofRoom = () => c.ofType('message').filter((m) => m.room === room);
      await waitUntil(() => ofRoom().length >= 60, 10_000, `member ${i} to receive 60 messages`);
      await c.request({ type: 'ping' });
      const got = ofRoom();
      assert.equal(got.length, 60, 'exactly once');
      assert.deepEqual(
        got.map((m) => m.offset),
        Array.from({ length: 60 }, (_, k) => k + 1),
        'in offset order, no gap',
      );
      assert.equal(new Set(got.map((m) => m.id)).size, 60);
      assert.equal(new Set(got.map((m) => m.epoch)).size, 1);
    }
  });

  it('shows the same presence from every instance, two tabs on two instances as one user', async () => {
    const room = `presence-${randomId()}`;
    const a = await connect(nodes[0] as ServerProcess, 'pa');
    const b = await connect(nodes[1] as ServerProcess, 'pb');
    const tab1 = await connect(nodes[1] as ServerProcess, 'pc');
    const tab2 = await connect(nodes[2] as ServerProcess, 'pc');
    for (const c of [a, b, tab1, tab2]) await c.request({ type: 'join', room });
    const seen = await Promise.all([a, b, tab2].map((c) => c.request({ type: 'presence', room })));
    for (const frame of seen) assert.deepEqual(users(frame), ['pa', 'pb', 'pc']);
    const joinsOfPc = () =>
      a.ofType('presence_diff').filter((f) => (f.joins as Array<{ id: string }>).some((u) => u.id === 'pc'));
    await waitUntil(() => joinsOfPc().length >= 1, 5000, 'pc join diff on instance 0');
    tab1.close();
    await tab1.waitClosed();
    await tab2.request({ type: 'ping' });
    assert.deepEqual(
      users(await a.request({ type: 'presence', room })),
      ['pa', 'pb', 'pc'],
      'one tab left: still online',
    );
    await tab2.request({ type: 'leave', room });
    const leave = await a.frames.find(
      (f) => f.type === 'presence_diff' && (f.leaves as unknown[]).length > 0,
    );
    assert.deepEqual(leave.leaves, [{ id: 'pc', name: 'PC' }]);
    assert.equal(joinsOfPc().length, 1, 'the second tab caused no join diff');
    assert.deepEqual(users(await b.request({ type: 'presence', room })), ['pa', 'pb']);
  });

  it('sends no pub/sub traffic to an instance for rooms it does not host', async () => {
    const room = `gamma-${randomId()}`;
    const a = await connect(nodes[0] as ServerProcess, 'ga');
    const b = await connect(nodes[1] as ServerProcess, 'gb');
    await a.request({ type: 'join', room });
    await b.request({ type: 'join', room });
    const idle = nodes[2] as ServerProcess;
    const before = (await idle.stats()).self.received;
    const channel = `${prefix}:{${room}}:ch`;
    assert.equal(await redis.cli('pubsub', 'numsub', channel), `${channel}\n2`, 'two instances subscribed');
    for (let i = 0; i < 50; i += 1) await a.request({ type: 'send', room, text: `g${i}`, cid: `g${i}` });
    await waitUntil(
      () => b.ofType('message').filter((m) => m.room === room).length === 50,
      10_000,
      'b to get 50',
    );
    const after = (await idle.stats()).self.received;
    assert.equal(after - before, 0, 'the instance hosting no member of the room received nothing');
    const hosting = (await (nodes[1] as ServerProcess).stats()).self.received;
    assert.ok(hosting >= 50);
    await a.request({ type: 'leave', room });
    await b.request({ type: 'leave', room });
    await waitUntil(
      async () => (await redis.cli('pubsub', 'numsub', channel)) === `${channel}\n0`,
      5000,
      'unsubscribe',
    );
  });

  it('reports cluster stats from any instance', async () => {
    await waitUntil(
      async () => (await (nodes[2] as ServerProcess).stats()).cluster.totals.nodes === 3,
      5000,
      '3 nodes',
    );
    const views = await Promise.all(nodes.map((n) => n.stats()));
    for (const view of views) {
      assert.deepEqual(
        view.cluster.nodes.map((n) => n.node),
        ['n0', 'n1', 'n2'],
      );
      assert.equal(view.self.engine, 'redis');
    }
    const local = views.reduce((sum, v) => sum + v.self.connections, 0);
    await waitUntil(
      async () => (await (nodes[0] as ServerProcess).stats()).cluster.totals.connections === local,
      5000,
      'cluster connection total to match the sum of the instances',
    );
  });

  it('gives clients what their instance missed while its Redis subscription was down', async () => {
    const room = `blip-${randomId()}`;
    const reader = new ParleyClient({
      url: (nodes[0] as ServerProcess).wsUrl,
      name: 'Reader',
      userId: 'blip-reader',
      webSocket: nodeWebSocket,
    });
    after(() => reader.close());
    const got = new Collector<number>();
    reader.on('message', (m) => got.push(m.offset));
    reader.connect();
    await reader.join(room);
    const writer = await connect(nodes[1] as ServerProcess, 'blip-writer');
    await writer.request({ type: 'join', room });
    await writer.request({ type: 'send', room, text: 'before', cid: 'b0' });
    await got.count(1);
    // Cut every instance's subscriber connection; publish while they reconnect (commands still work).
    await redis.cli('client', 'kill', 'type', 'pubsub');
    for (let i = 1; i <= 5; i += 1)
      await writer.request({ type: 'send', room, text: `during ${i}`, cid: `b${i}` });
    await got.count(6, 15_000);
    assert.deepEqual(
      got.items,
      [1, 2, 3, 4, 5, 6],
      'nothing missed, in order, even with no message after the blip',
    );
  });

  it('drains an instance on SIGTERM without a leave/join storm: its users move to another instance', async () => {
    const room = `rolling-${randomId()}`;
    const extra = await spawnServer([...groupArgs, '--node-id', 'n3']);
    const watcher = await connect(nodes[1] as ServerProcess, 'watcher');
    await watcher.request({ type: 'join', room });
    const roller = new ParleyClient({
      url: [extra.wsUrl, (nodes[0] as ServerProcess).wsUrl],
      name: 'Roller',
      userId: 'roller',
      webSocket: nodeWebSocket,
      reconnect: { minDelayMs: 50, maxDelayMs: 200 },
    });
    after(() => roller.close());
    const states = new Collector<ConnectionState>();
    roller.on('state', states.push);
    roller.connect();
    await roller.join(room);
    await watcher.frames.find(
      (f) => f.type === 'presence_diff' && JSON.stringify(f.joins).includes('roller'),
    );

    extra.child.kill('SIGTERM');
    assert.equal(await within(extra.exited, 15_000, 'drained instance to exit'), 0);
    await states.find((s) => s.status === 'connected' && s.node === 'n0', 10_000);
    // Wait until the drained instance's presence is gone from Redis (swept after the TTL), then check the diffs.
    await waitUntil(
      async () => !(await redis.cli('zrange', `${prefix}:presence-nodes`, '0', '-1')).includes('n3.'),
      15_000,
      'the drained instance to be swept',
    );
    await watcher.request({ type: 'ping' });
    const diffsOfRoller = watcher
      .ofType('presence_diff')
      .filter((f) => JSON.stringify([f.joins, f.leaves]).includes('roller'));
    assert.equal(diffsOfRoller.length, 1, 'only the first join: no leave, no second join');
    assert.deepEqual(users(await watcher.request({ type: 'presence', room })), ['roller', 'watcher']);
    await roller.send(room, 'moved');
    await watcher.frames.find((f) => f.type === 'message' && f.text === 'moved');
  });

  it('removes the users of a killed instance from everyone’s presence within 10 s, and keeps delivering', async () => {
    const room = `delta-${randomId()}`;
    const w0 = await connect(nodes[0] as ServerProcess, 'w0');
    const w1 = await connect(nodes[1] as ServerProcess, 'w1');
    const victim = await connect(nodes[2] as ServerProcess, 'victim');
    for (const c of [w0, w1, victim]) await c.request({ type: 'join', room });
    assert.deepEqual(users(await w0.request({ type: 'presence', room })), ['victim', 'w0', 'w1']);
    const killedAt = Date.now();
    (nodes[2] as ServerProcess).child.kill('SIGKILL');
    const isVictimLeave = (f: Frame) =>
      f.type === 'presence_diff' &&
      f.room === room &&
      (f.leaves as Array<{ id: string }>).some((u) => u.id === 'victim');
    await Promise.all([
      w0.frames.find(isVictimLeave, 10_000, 'leave on n0'),
      w1.frames.find(isVictimLeave, 10_000, 'leave on n1'),
    ]);
    const elapsed = Date.now() - killedAt;
    assert.ok(elapsed < 10_000, `leaves after ${elapsed} ms`);
    assert.deepEqual(users(await w1.request({ type: 'presence', room })), ['w0', 'w1']);
    const sent = await w0.request({ type: 'send', room, text: 'still here', cid: 'after-kill' });
    assert.equal(sent.type, 'sent');
    await w1.frames.find((f) => f.type === 'message' && f.text === 'still here');
    assert.equal(w0.ofType('presence_diff').filter(isVictimLeave).length, 1, 'announced once');
  });

  it('survives Redis going away: temporary errors and not ready while down, delivery resumes after', async () => {
    const room = `epsilon-${randomId()}`;
    const [n0, n1] = nodes as [ServerProcess, ServerProcess];
    const a = await connect(n0, 'ea');
    const b = await connect(n1, 'eb');
    await a.request({ type: 'join', room });
    await b.request({ type: 'join', room });
    const first = await a.request({ type: 'send', room, text: 'before', cid: 'e1' });
    await b.frames.find((f) => f.type === 'message' && f.text === 'before');

    await redis.kill();
    await waitUntil(async () => (await fetch(`${n0.httpUrl}/readyz`)).status === 503, 10_000, 'n0 not ready');
    const failed = await a.request({ type: 'send', room, text: 'during', cid: 'e2' });
    assert.deepEqual([failed.type, failed.code, failed.temporary], ['error', 'unavailable', true]);
    assert.equal((await a.request({ type: 'ping' })).type, 'pong', 'the connection lives on');
    assert.equal((await fetch(`${n0.httpUrl}/healthz`)).status, 200, 'the process is alive');

    await redis.restart();
    await waitUntil(
      async () =>
        (await Promise.all([n0, n1].map(async (n) => (await fetch(`${n.httpUrl}/readyz`)).status))).every(
          (s) => s === 200,
        ),
      20_000,
      'both ready again',
    );
    const retried = await a.request({ type: 'send', room, text: 'during', cid: 'e2' });
    assert.equal(retried.type, 'sent');
    assert.notEqual(retried.epoch, first.epoch, 'Redis came back empty: a new epoch says history was lost');
    assert.equal(retried.offset, 1);
    const got = await within(
      b.frames.find((f) => f.type === 'message' && f.text === 'during'),
      10_000,
      'delivery after restart',
    );
    assert.equal(got.epoch, retried.epoch);
    await waitUntil(
      async () => users(await b.request({ type: 'presence', room })).join() === 'ea,eb',
      10_000,
      'presence restored after Redis came back empty',
    );
    assert.equal(n0.child.exitCode, null);
    assert.equal(n1.child.exitCode, null);
  });
});
