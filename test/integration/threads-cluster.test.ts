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
import { waitUntil } from '../helpers/wait.js';

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

  it('a reply also sent to the room is a message of the room too: unread, preview, its sender read up to it', async () => {
    const mia = await as(a, 'mia');
    await mia.request({ type: 'create_room', name: 'Broadcast', id: 'broadcast' });
    await mia.request({ type: 'join', room: 'broadcast' });
    const phone = await as(b, 'mia');
    await phone.request({ type: 'rooms' });
    const ned = await as(c, 'ned');
    await ned.request({ type: 'join', room: 'broadcast' });
    const root = await send(mia, 'broadcast', 'Release on Thursday?');
    const kept = await send(ned, 'broadcast', 'tests are green', { thread: root });
    const sent = await send(ned, 'broadcast', 'Thursday it is', { thread: root, broadcast: true });
    const live = await mia.frames.find((f) => f.type === 'message' && f.offset === sent, 5000, 'the reply');
    assert.deepEqual([live.thread, live.broadcast], [root, true]);
    const activity = await phone.frames.find(
      (f) => f.type === 'activity' && (f.last as { offset: number }).offset === sent,
      5000,
      'activity of the reply',
    );
    assert.equal((activity.last as { broadcast?: boolean }).broadcast, true);
    // Listed where she wrote the root (her read marker may still wait for its batch there).
    const mias = await listed(mia, 'broadcast');
    assert.deepEqual([mias?.unread, mias?.last?.offset], [1, sent], 'one unread: the reply sent to the room');
    const history = await ned.request({ type: 'history', room: 'broadcast', limit: 10 });
    const messages = history.messages as ChatMessage[];
    assert.equal(messages.find((m) => m.offset === root)?.replies?.count, 2);
    assert.equal(messages.find((m) => m.offset === kept)?.broadcast, undefined);
    // Sending it read the room for its sender (a reply kept to its thread reads nothing of the room).
    await waitUntil(async () => (await listed(ned, 'broadcast'))?.unread === 0, 5000, "ned's marker");
    const refused = await ned.request({
      type: 'send',
      room: 'broadcast',
      text: 'x',
      cid: randomId(),
      broadcast: true,
    });
    assert.equal(outcome(refused), 'bad_request');
  });

  it("follows threads: who replies, the root's author, a member mentioned; every device told, across instances", async () => {
    const ivy = await as(a, 'ivy');
    await ivy.request({ type: 'create_room', name: 'Follow', id: 'follow' });
    await ivy.request({ type: 'join', room: 'follow' });
    const phone = await as(c, 'ivy');
    await phone.request({ type: 'rooms' });
    const jack = await as(b, 'jack');
    await jack.request({ type: 'join', room: 'follow' });
    await jack.request({ type: 'rooms' });
    const lou = await as(c, 'lou');
    await lou.request({ type: 'join', room: 'follow' });
    await lou.request({ type: 'rooms' });
    const state = (client: RawClient, what: string, test: (f: Record<string, unknown>) => boolean) =>
      client.frames.find((f) => f.type === 'thread_state' && test(f), 5000, what);
    type Followed = { root: ChatMessage; read: number; unread: number; mentions: number };
    const threadsOf = async (client: RawClient) => {
      const answer = await client.request({ type: 'threads' });
      assert.equal(answer.type, 'threads', JSON.stringify(answer));
      return answer.threads as Followed[];
    };

    const root = await send(ivy, 'follow', 'Who brings the cake?');
    assert.deepEqual(await threadsOf(ivy), [], 'no reply yet: nothing followed');
    const first = await send(jack, 'follow', 'I can', { thread: root });
    // The root's author follows from the first reply on (unread from the root); who replied, read up to the reply.
    const ivyFirst = await state(phone, "ivy's first notice", (f) => f.unread === 1);
    assert.deepEqual(ivyFirst, {
      type: 'thread_state',
      room: 'follow',
      thread: root,
      following: true,
      read: root,
      unread: 1,
      mentions: 0,
    });
    const jacks = await state(jack, "jack's notice", (f) => f.thread === root);
    assert.deepEqual([jacks.read, jacks.unread], [first, 0]);

    // Lou is mentioned: from now on she follows it, unread from the root. A mention of a stranger follows nothing.
    const second = await send(ivy, 'follow', 'thanks @Lou, bring candles?', {
      thread: root,
      mentions: ['lou', 'stranger'],
    });
    const lous = await state(lou, "lou's notice", (f) => f.thread === root);
    assert.deepEqual([lous.following, lous.read, lous.unread, lous.mentions], [true, root, 2, 1]);
    await state(jack, 'jack hears of the second reply', (f) => f.unread === 1);
    const ivyList = await threadsOf(phone);
    assert.equal(ivyList.length, 1);
    assert.equal(ivyList[0]?.root.text, 'Who brings the cake?');
    assert.equal(ivyList[0]?.root.replies?.count, 2);
    assert.deepEqual([ivyList[0]?.read, ivyList[0]?.unread], [second, 0], 'her own reply read the thread');
    const lousList = await threadsOf(lou);
    assert.deepEqual([lousList[0]?.read, lousList[0]?.unread, lousList[0]?.mentions], [root, 2, 1]);
    // The same counts without the roots (what a client reads at connect).
    const counts = await lou.request({ type: 'thread_counts' });
    assert.deepEqual(counts.threads, [{ room: 'follow', thread: root, read: root, unread: 2, mentions: 1 }]);
    assert.deepEqual(await threadsOf(await as(a, 'stranger')), []);

    // Reading on one device tells the others.
    await lou.request({ type: 'read_thread', ref: 77, room: 'follow', thread: root, offset: first });
    const louRead = await state(lou, 'lou read one', (f) => f.read === first);
    assert.deepEqual([louRead.unread, louRead.mentions], [1, 1]);

    // Unfollowed, a later reply does not follow again (only a reply or a mention does); followed by hand again.
    assert.equal(
      outcome(await ivy.request({ type: 'follow_thread', room: 'follow', thread: root, follow: false })),
      'ok',
    );
    await state(phone, 'unfollowed', (f) => f.following === false);
    await send(jack, 'follow', 'and plates', { thread: root });
    assert.deepEqual(await threadsOf(ivy), []);
    assert.equal(
      outcome(await phone.request({ type: 'follow_thread', room: 'follow', thread: root, follow: true })),
      'ok',
    );
    const again = await threadsOf(ivy);
    assert.deepEqual([again[0]?.root.offset, again[0]?.unread], [root, 0]);

    // Only a message that is no reply has a thread to follow; a room one may not read is refused.
    const refused = await ivy.request({ type: 'follow_thread', room: 'follow', thread: first, follow: true });
    assert.equal(outcome(refused), 'no_message');
    await ivy.request({ type: 'create_room', name: 'Secret', id: 'secret', kind: 'private' });
    await ivy.request({ type: 'join', room: 'secret' });
    const secret = await send(ivy, 'secret', 'hush');
    const nosy = await jack.request({ type: 'follow_thread', room: 'secret', thread: secret, follow: true });
    assert.notEqual(outcome(nosy), 'ok');

    // A private room left is left out of the list (the follow is kept, should she be let back in).
    assert.equal(outcome(await ivy.request({ type: 'invite', room: 'secret', user: 'lou' })), 'ok');
    assert.equal(outcome(await lou.request({ type: 'accept', room: 'secret' })), 'ok');
    await lou.request({ type: 'join', room: 'secret' });
    await send(lou, 'secret', 'me too', { thread: secret });
    assert.deepEqual(
      (await threadsOf(lou)).map((t) => t.root.room),
      ['secret', 'follow'],
      'the newest reply first',
    );
    assert.equal(outcome(await lou.request({ type: 'leave_room', room: 'secret' })), 'ok');
    assert.deepEqual(
      (await threadsOf(lou)).map((t) => t.root.room),
      ['follow'],
    );
    assert.deepEqual(
      ((await lou.request({ type: 'thread_counts' })).threads as Array<{ room: string }>).map((t) => t.room),
      ['follow'],
    );
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
