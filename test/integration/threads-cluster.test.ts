/**
 * Threads across 3 instances (Redis as the bus and the recent window, PostgreSQL as the store): a reply sent on
 * one instance reaches the room's members on the others live and in a resume, its root says how many replies it
 * has in every read, a thread is read apart, the room list counts a reply's mention but not the reply; and the
 * refusals. A server with `--store redis` refuses threads.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyThreadReply } from '../../client/wire/actions.js';
import type { ChatMessage } from '../../src/engine/types.js';
import { randomId } from '../../src/util/ids.js';
import { outcome, startDurableCluster } from '../helpers/durable-cluster.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';

describe('threads on 3 instances + Redis + PostgreSQL', async () => {
  const {
    nodes: [a, b, c],
    as,
  } = await startDurableCluster('t');
  const send = async (client: RawClient, room: string, text: string, extra: Record<string, unknown> = {}) => {
    const reply = await client.request({ type: 'send', room, text, cid: randomId(), ...extra });
    assert.equal(reply.type, 'sent', JSON.stringify(reply));
    return reply.offset as number;
  };
  type Listed = { id: string; unread: number; mentions: number; last?: { offset: number } };
  const listed = async (client: RawClient, room: string) =>
    ((await client.request({ type: 'rooms' })).rooms as Listed[]).find((r) => r.id === room);

  it('a reply reaches every instance live and in a resume; its root counts it in every read', async () => {
    const alice = await as(a, 'alice');
    await alice.request({ type: 'create_room', name: 'Plans', id: 'plans' });
    await alice.request({ type: 'join', room: 'plans' });
    const bob = await as(b, 'bob');
    await bob.request({ type: 'join', room: 'plans' });
    const carol = await as(c, 'carol');
    await carol.request({ type: 'join', room: 'plans' });

    const root = await send(alice, 'plans', 'Offsite in March?');
    const first = await send(bob, 'plans', 'March works', { thread: root });
    const live = await carol.frames.find(
      (f) => f.type === 'message' && f.offset === first,
      5000,
      'the reply',
    );
    assert.equal(live.thread, root);
    assert.equal(live.text, 'March works');
    const rootSeen = carol.frames.items.find(
      (f) => f.type === 'message' && f.offset === root,
    ) as unknown as ChatMessage;
    const last = live as unknown as ChatMessage;
    carol.close();

    // While carol is away: two more replies (one on her instance), a message in the room.
    const second = await send(alice, 'plans', 'Then I book it', { thread: root });
    const dave = await as(c, 'dave');
    await dave.request({ type: 'join', room: 'plans' });
    const third = await send(dave, 'plans', 'count me in', { thread: root });
    await send(alice, 'plans', 'next topic');

    const back = await as(c, 'carol');
    const resumed = await back.request({
      type: 'join',
      room: 'plans',
      since: { offset: last.offset, epoch: last.epoch },
    });
    assert.equal(resumed.recovered, true, JSON.stringify(resumed));
    const replay = resumed.messages as ChatMessage[];
    assert.deepEqual(
      replay.filter((m) => m.thread === root).map((m) => m.offset),
      [second, third],
      'the resume replays the replies, in order',
    );
    // Carol applies every reply she has to the root she saw: what history says of it now.
    const folded = [last, ...replay].reduce(
      (m, r) => applyThreadReply(m, r),
      applyThreadReply(rootSeen, last),
    );
    assert.deepEqual(folded.replies?.users, ['bob', 'alice', 'dave']);
    for (const reader of [back, bob, alice]) {
      const page = await reader.request({ type: 'history', room: 'plans', limit: 100 });
      const stored = (page.messages as ChatMessage[]).find((m) => m.offset === root);
      assert.deepEqual(stored?.replies, folded.replies);
      assert.equal(stored?.rev, third);
    }

    const thread = await back.request({ type: 'history', room: 'plans', thread: root, limit: 2 });
    assert.equal(thread.type, 'history', JSON.stringify(thread));
    assert.deepEqual(
      (thread.messages as ChatMessage[]).map((m) => m.text),
      ['Then I book it', 'count me in'],
    );
    assert.equal(thread.hasMore, true);
    const older = await back.request({
      type: 'history',
      room: 'plans',
      thread: root,
      before: second,
      limit: 2,
    });
    assert.deepEqual(
      (older.messages as ChatMessage[]).map((m) => m.text),
      ['March works'],
    );
    assert.equal(older.hasMore, false);

    // Replies are edited, reacted to and deleted like any message; the root still counts a deleted one.
    const acted = await bob.request({ type: 'edit', room: 'plans', offset: first, text: 'March works!' });
    assert.equal(acted.type, 'acted', JSON.stringify(acted));
    assert.equal(outcome(await bob.request({ type: 'delete', room: 'plans', offset: first })), 'ok');
    const after = await alice.request({ type: 'history', room: 'plans', thread: root, limit: 10 });
    assert.equal((after.messages as ChatMessage[])[0]?.deleted, true);
  });

  it('the room list counts a mention in a thread, not the reply; a reply is no preview', async () => {
    const erin = await as(a, 'erin');
    await erin.request({ type: 'create_room', name: 'Desk', id: 'desk' });
    await erin.request({ type: 'join', room: 'desk' });
    const phone = await as(b, 'erin');
    await phone.request({ type: 'rooms' });
    const frank = await as(c, 'frank');
    await frank.request({ type: 'join', room: 'desk' });
    const root = await send(frank, 'desk', 'who has the keys?');
    const reply = await send(frank, 'desk', '@ERIN do you?', { thread: root, mentions: ['erin'] });
    // Erin's phone lists her rooms without having joined this one: it hears of the reply with its thread.
    const activity = await phone.frames.find(
      (f) => f.type === 'activity' && f.room === 'desk' && (f.last as { offset: number }).offset === reply,
      5000,
      'activity of the reply',
    );
    assert.equal((activity.last as { thread?: number }).thread, root);
    const desk = await listed(phone, 'desk');
    assert.deepEqual([desk?.unread, desk?.mentions, desk?.last?.offset], [1, 1, root]);
    // Replying in a thread reads nothing of the room: the sender's marker stays where it was.
    const franks = await listed(frank, 'desk');
    assert.equal(franks?.unread, 0);
  });

  it('refuses a reply to a reply, to a system event, to a deleted or unknown message, and outside the room', async () => {
    const gina = await as(a, 'gina');
    await gina.request({ type: 'create_room', name: 'Refusals', id: 'refusals' });
    await gina.request({ type: 'join', room: 'refusals' });
    const root = await send(gina, 'refusals', 'root');
    const inThread = await send(gina, 'refusals', 'reply', { thread: root });
    const attempt = (thread: number, room = 'refusals') =>
      gina.request({ type: 'send', room, text: 'x', cid: randomId(), thread });
    assert.equal(outcome(await attempt(inThread)), 'no_message');
    assert.equal(outcome(await attempt(9999)), 'no_message');
    const gone = await send(gina, 'refusals', 'gone soon');
    await gina.request({ type: 'delete', room: 'refusals', offset: gone });
    assert.equal(outcome(await attempt(gone)), 'no_message');
    const hank = await as(b, 'hank');
    await hank.request({ type: 'join', room: 'refusals' });
    const joined = (
      (await gina.request({ type: 'history', room: 'refusals', limit: 50 })).messages as ChatMessage[]
    ).find((m) => m.event?.type === 'joined');
    assert.ok(joined, 'a system event');
    assert.equal(outcome(await attempt(joined.offset)), 'no_message');
    assert.equal(outcome(await attempt(root, 'elsewhere')), 'not_joined');
    assert.equal(
      outcome(await gina.request({ type: 'send', room: 'refusals', text: 'x', cid: 'y', thread: -1 })),
      'bad_request',
    );
  });
});

describe('threads with --store redis', () => {
  it('are refused: a stream entry cannot change', async () => {
    const redis = await RedisServer.start();
    after(() => redis.stop());
    const node = await startNode({ redisUrl: redis.url });
    const client = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'A', user: 'a' });
    after(() => client.close());
    await client.request({ type: 'join', room: 'plain' });
    const root = await client.request({ type: 'send', room: 'plain', text: 'root', cid: 'r' });
    const reply = await client.request({
      type: 'send',
      room: 'plain',
      text: 'x',
      cid: 'x',
      thread: root.offset,
    });
    assert.equal(outcome(reply), 'unsupported');
    const thread = await client.request({ type: 'history', room: 'plain', thread: root.offset });
    assert.equal(thread.type, 'history', JSON.stringify(thread));
    assert.deepEqual(thread.messages, []);
  });
});
