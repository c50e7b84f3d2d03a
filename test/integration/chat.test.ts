import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseFrame } from '../../client/compact.js';
import type { StatsResponse } from '../../src/index.js';
import { startNode } from '../helpers/nodes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';

describe('chat over real WebSockets', async () => {
  const node = await startNode({ historyPageMax: 20 });
  const clients: RawClient[] = [];
  const connect = async (name: string, user?: string) => {
    const client = await RawClient.connect(node.wsUrl, user ? { name, user } : { name });
    clients.push(client);
    return client;
  };
  after(() => {
    for (const c of clients) c.close();
  });

  it('sends live messages in the compact form to connections that ask for it, and objects to the others', async () => {
    const plain = await connect('Plain', 'plain');
    const compact = await RawClient.connect(node.wsUrl, {
      name: 'Compact',
      user: 'compact',
      format: 'compact',
    });
    clients.push(compact);
    assert.equal(compact.welcome?.compact, true);
    assert.equal(plain.welcome?.compact, undefined);
    for (const c of [plain, compact])
      assert.equal((await c.request({ type: 'join', room: 'compact' })).type, 'joined');
    const sent = await compact.request({ type: 'send', room: 'compact', text: 'short and sweet', cid: 'k1' });
    assert.equal(sent.type, 'sent', 'replies keep the object form');
    const asObject = await plain.frames.find(
      (f) => f.type === 'message' && f.room === 'compact',
      5000,
      'object',
    );
    const asArray = (await compact.frames.find(
      (f) => Array.isArray(f) && f[1] === 'compact',
      5000,
      'compact message',
    )) as unknown as unknown[];
    assert.equal(asArray[0], 'm');
    assert.deepEqual(parseFrame(JSON.stringify(asArray)), asObject, 'the same message, field for field');
  });

  it('forwards between open channels, in the object form even to a compact connection', async () => {
    const ivy = await connect('Ivy', 'ivy');
    const jay = await RawClient.connect(node.wsUrl, { name: 'Jay', user: 'jay', format: 'compact' });
    clients.push(jay);
    for (const room of ['fw-one', 'fw-two'])
      assert.equal((await ivy.request({ type: 'join', room })).type, 'joined');
    assert.equal((await jay.request({ type: 'join', room: 'fw-two' })).type, 'joined');
    const first = await ivy.request({ type: 'send', room: 'fw-one', text: 'worth passing on', cid: 'w1' });
    const sent = await ivy.request({
      type: 'send',
      room: 'fw-two',
      text: 'look',
      cid: 'w2',
      forward: { room: 'fw-one', offset: first.offset },
    });
    assert.equal(sent.type, 'sent', JSON.stringify(sent));
    const got = await jay.frames.find((f) => f.type === 'message' && f.id === sent.id, 5000, 'the forward');
    assert.deepEqual(got.forwarded, {
      room: 'fw-one',
      offset: first.offset,
      id: first.id,
      from: { id: 'ivy', name: 'Ivy' },
      text: 'worth passing on',
      ts: first.ts,
    });
  });

  it('welcomes with identity, node and limits', async () => {
    const alice = await connect('Alice', 'alice');
    assert.equal(alice.welcome?.type, 'welcome');
    assert.equal(alice.welcome?.v, 1);
    assert.deepEqual(alice.welcome?.user, { id: 'alice', name: 'Alice' });
    assert.equal(alice.welcome?.node, node.id);
  });

  it('delivers both clients’ messages to both, in one offset order', async () => {
    const alice = await connect('Alice', 'alice');
    const bob = await connect('Bob', 'bob');
    await alice.request({ type: 'join', room: 'order' });
    await bob.request({ type: 'join', room: 'order' });
    const sends: Array<Promise<Frame>> = [];
    for (let i = 0; i < 50; i += 1) {
      sends.push(alice.request({ type: 'send', room: 'order', text: `a${i}`, cid: `a${i}` }));
      sends.push(bob.request({ type: 'send', room: 'order', text: `b${i}`, cid: `b${i}` }));
    }
    const acks = await Promise.all(sends);
    assert.ok(acks.every((a) => a.type === 'sent'));
    const expected = acks.map((a) => a.offset as number).sort((x, y) => x - y);
    assert.deepEqual(
      expected,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    for (const client of [alice, bob]) {
      await client.frames.find(
        () => client.ofType('message').filter((m) => m.room === 'order').length === 100,
      );
      const got = client.ofType('message').filter((m) => m.room === 'order');
      assert.deepEqual(
        got.map((m) => m.offset),
        expected,
      );
    }
    const byAlice = alice.ofType('message').filter((m) => (m.from as { id: string }).id === 'alice');
    assert.deepEqual(
      byAlice.map((m) => m.text),
      Array.from({ length: 50 }, (_, i) => `a${i}`),
      'one sender’s messages keep their order',
    );
    const first = alice.ofType('message')[0] as Frame;
    assert.equal(typeof first.id, 'string');
    assert.equal(typeof first.ts, 'number');
    assert.equal(typeof first.epoch, 'string');
    assert.deepEqual(first.from, { id: 'alice', name: 'Alice' });
  });

  it('shows presence: snapshot on join, diffs after, two tabs as one user', async () => {
    const carol = await connect('Carol', 'carol');
    const joined = await carol.request({ type: 'join', room: 'presence' });
    assert.deepEqual(joined.presence, [{ id: 'carol', name: 'Carol' }]);
    const dave1 = await connect('Dave', 'dave');
    const dave2 = await connect('Dave', 'dave');
    const daveJoined = await dave1.request({ type: 'join', room: 'presence' });
    assert.deepEqual((daveJoined.presence as Array<{ id: string }>).map((u) => u.id).sort(), [
      'carol',
      'dave',
    ]);
    await dave2.request({ type: 'join', room: 'presence' });
    await carol.frames.find((f) => f.type === 'presence_diff' && (f.joins as unknown[]).length > 0);
    const state = await carol.request({ type: 'presence', room: 'presence' });
    assert.equal((state.users as unknown[]).length, 2, 'two tabs of Dave count once');
    dave1.close();
    await dave1.waitClosed();
    await dave2.request({ type: 'leave', room: 'presence' });
    const leave = await carol.frames.find(
      (f) => f.type === 'presence_diff' && (f.leaves as unknown[]).length > 0,
    );
    assert.deepEqual(leave.leaves, [{ id: 'dave', name: 'Dave' }]);
    const joins = carol.ofType('presence_diff').filter((f) => (f.joins as unknown[]).length > 0);
    const leaves = carol.ofType('presence_diff').filter((f) => (f.leaves as unknown[]).length > 0);
    assert.equal(joins.length, 2, 'Carol’s own join and Dave’s single join');
    assert.equal(leaves.length, 1, 'Dave leaves once, when his last tab leaves');
  });

  it('pages through history', async () => {
    const erin = await connect('Erin');
    await erin.request({ type: 'join', room: 'history' });
    for (let i = 1; i <= 45; i += 1)
      await erin.request({ type: 'send', room: 'history', text: `h${i}`, cid: `h${i}` });
    const page1 = await erin.request({ type: 'history', room: 'history' });
    const offsets = (p: Frame) => (p.messages as Array<{ offset: number }>).map((m) => m.offset);
    assert.deepEqual(
      offsets(page1),
      Array.from({ length: 20 }, (_, i) => 26 + i),
    );
    assert.equal(page1.hasMore, true);
    const page2 = await erin.request({ type: 'history', room: 'history', before: 26, limit: 20 });
    assert.deepEqual(
      offsets(page2),
      Array.from({ length: 20 }, (_, i) => 6 + i),
    );
    const page3 = await erin.request({ type: 'history', room: 'history', before: 6, limit: 20 });
    assert.deepEqual(offsets(page3), [1, 2, 3, 4, 5]);
    assert.equal(page3.hasMore, false);
    assert.equal((page3.messages as Array<{ text: string }>)[0]?.text, 'h1');
    const tooBig = await erin.request({ type: 'history', room: 'history', limit: 21 });
    assert.equal(tooBig.code, 'bad_range');
  });

  it('relays typing to the others in the room only', async () => {
    const fay = await connect('Fay', 'fay');
    const gus = await connect('Gus', 'gus');
    const outsider = await connect('Out', 'out');
    await fay.request({ type: 'join', room: 'typing' });
    await gus.request({ type: 'join', room: 'typing' });
    await outsider.request({ type: 'join', room: 'elsewhere' });
    fay.fire({ type: 'typing', room: 'typing' });
    const typing = await gus.frames.find((f) => f.type === 'typing');
    assert.deepEqual(typing, { type: 'typing', room: 'typing', user: { id: 'fay', name: 'Fay' } });
    await fay.request({ type: 'ping' });
    await outsider.request({ type: 'ping' });
    assert.equal(fay.ofType('typing').length, 0);
    assert.equal(outsider.ofType('typing').length, 0);
  });

  it('joins many rooms on one connection and leaves one of them', async () => {
    const hal = await connect('Hal');
    for (const room of ['m1', 'm2', 'm3']) await hal.request({ type: 'join', room });
    const left = await hal.request({ type: 'leave', room: 'm2' });
    assert.equal(left.type, 'left');
    const notJoined = await hal.request({ type: 'send', room: 'm2', text: 'x', cid: 'x' });
    assert.equal(notJoined.code, 'not_joined');
    const ok = await hal.request({ type: 'send', room: 'm3', text: 'x', cid: 'x' });
    assert.equal(ok.type, 'sent');
  });

  it('serves health, stats and the web page over HTTP', async () => {
    const health = await fetch(`${node.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await fetch(`${node.url}/readyz`)).status, 200);
    const stats = (await (await fetch(`${node.url}/api/stats`)).json()) as StatsResponse;
    assert.equal(stats.self.node, node.id);
    assert.equal(stats.self.engine, 'memory');
    assert.ok(stats.self.connections >= 1);
    assert.ok(stats.self.users >= 1);
    assert.ok(stats.cluster.totals.nodes <= 1, 'a single node is the whole cluster');
    const page = await fetch(`${node.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Parley<\/title>/);
    assert.equal((await fetch(`${node.url}/nope`)).status, 404);
  });
});
