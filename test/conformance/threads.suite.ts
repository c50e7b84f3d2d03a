/**
 * Conformance suite of threads in RoomLog (append with `thread`, read with `thread`) on the backends that keep
 * messages (memory and the database, alone and behind a Redis window): the reply in the log, the root's summary
 * changed in the same step and in every later read, the thread's pages, the counts that leave replies out, and the
 * refusals.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyThreadReply } from '../../client/wire/actions.js';
import { THREAD_USERS_SHOWN } from '../../client/wire/domain.js';
import type { ChatMessage, MessageDraft, UserInfo } from '../../src/engine/types.js';
import { markerKey, threadMarkerKey } from '../../src/log/room-log.js';
import { draft, type EngineFixture, type FixtureFactory, messageAt, refused } from './fixture.js';

const alice: UserInfo = { id: 'alice', name: 'Alice' };
const bob: UserInfo = { id: 'bob', name: 'Bob' };

const reply = (room: string, root: number, text: string, from: UserInfo = bob): MessageDraft => ({
  ...draft(room, text, from),
  thread: root,
});

export function threadsSuite(name: string, factory: FixtureFactory): void {
  describe(`RoomLog threads conformance: ${name}`, () => {
    const open: EngineFixture[] = [];
    const make = async () => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000 });
      open.push(fixture);
      return fixture;
    };
    after(async () => {
      await Promise.all(open.map((f) => f.close()));
    });

    it('appends a reply at the next offset and changes its root in the same step, as a client applies it', async () => {
      const { log } = await make();
      const root = (await log.append(draft('threads', 'lunch?', alice))).message;
      const first = await log.append(reply('threads', root.offset, 'yes'));
      assert.equal(first.duplicate, false);
      assert.equal(first.message.offset, root.offset + 1);
      assert.equal(first.message.thread, root.offset);
      const stored = await messageAt(log, 'threads', root.offset);
      assert.deepEqual(stored?.replies, { count: 1, last: first.message.ts, users: ['bob'] });
      assert.equal(stored?.rev, first.message.offset, 'the root names the newest reply in it');
      const second = await log.append(reply('threads', root.offset, 'me too', alice));
      const third = await log.append(reply('threads', root.offset, 'and again'));
      const now = await messageAt(log, 'threads', root.offset);
      assert.deepEqual(now?.replies, { count: 3, last: third.message.ts, users: ['bob', 'alice'] });
      // A client that saw the root before the replies and applies them live gets the same.
      const folded = [first, second, third].reduce((m, r) => applyThreadReply(m, r.message), root);
      assert.deepEqual(folded.replies, now?.replies);
      assert.equal(folded.rev, now?.rev);
      assert.equal(applyThreadReply(now as ChatMessage, second.message), now, 'a reply already in it');
      // The room's log holds the replies in order, each with its thread.
      const page = await log.read('threads', { limit: 10 });
      assert.deepEqual(
        page.messages.map((m) => [m.offset, m.thread]),
        [
          [1, undefined],
          [2, 1],
          [3, 1],
          [4, 1],
        ],
      );
    });

    it('reads a thread: its replies only, newest page first, paged by before and after', async () => {
      const { log } = await make();
      const a = (await log.append(draft('pages', 'a', alice))).message;
      const b = (await log.append(draft('pages', 'b', alice))).message;
      const offsets: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        offsets.push((await log.append(reply('pages', a.offset, `a${i}`))).message.offset);
        await log.append(reply('pages', b.offset, `b${i}`));
        await log.append(draft('pages', `main ${i}`, alice));
      }
      const newest = await log.read('pages', { thread: a.offset, limit: 3 });
      assert.deepEqual(
        newest.messages.map((m) => m.text),
        ['a2', 'a3', 'a4'],
      );
      assert.equal(newest.position.offset, 17);
      const older = await log.read('pages', { thread: a.offset, before: offsets[2] as number, limit: 3 });
      assert.deepEqual(
        older.messages.map((m) => m.text),
        ['a0', 'a1'],
      );
      const later = await log.read('pages', { thread: a.offset, after: offsets[1] as number, limit: 2 });
      assert.deepEqual(
        later.messages.map((m) => m.text),
        ['a2', 'a3'],
      );
      const none = await log.read('pages', { thread: 17, limit: 3 });
      assert.deepEqual(none.messages, [], 'a message without replies has an empty thread');
    });

    it('refuses a root that is no chat message, is deleted, is a reply itself, or is not in the log', async () => {
      const { log } = await make();
      const root = (await log.append(draft('refusals', 'root', alice))).message;
      const event = await log.append({
        ...draft('refusals', 'Bob joined', bob),
        event: { type: 'joined', user: bob },
      });
      const inThread = (await log.append(reply('refusals', root.offset, 'reply'))).message;
      await refused(log.append(reply('refusals', event.message.offset, 'x')), 'no_message');
      await refused(log.append(reply('refusals', inThread.offset, 'x')), 'no_message');
      await refused(log.append(reply('refusals', 99, 'x')), 'no_message');
      await refused(log.append(reply('refusals', 0, 'x')), 'no_message');
      const gone = (await log.append(draft('refusals', 'soon gone', alice))).message;
      await log.act({
        room: 'refusals',
        id: `del-${gone.offset}`,
        from: alice,
        ts: 9_000,
        action: { type: 'delete', target: gone.offset },
        maxReactions: 3,
      });
      await refused(log.append(reply('refusals', gone.offset, 'x')), 'no_message');
      const position = await log.position('refusals');
      assert.equal(position.offset, 5, 'nothing was stored for a refused reply');
      assert.equal((await messageAt(log, 'refusals', root.offset))?.replies?.count, 1);
    });

    it('stores a repeated reply once, and its root counts it once', async () => {
      const { log } = await make();
      const root = (await log.append(draft('repeat', 'root', alice))).message;
      const once = reply('repeat', root.offset, 'only once');
      const first = await log.append(once);
      const again = await log.append({ ...once, id: 'another-id' });
      assert.equal(again.duplicate, true);
      assert.equal(again.message.offset, first.message.offset);
      assert.equal((await messageAt(log, 'repeat', root.offset))?.replies?.count, 1);
    });

    it('names the first repliers only, and keeps the summary through an edit and a delete of the root', async () => {
      const { log } = await make();
      const root = (await log.append(draft('many', 'root', alice))).message;
      for (let i = 0; i < THREAD_USERS_SHOWN + 2; i += 1)
        await log.append(reply('many', root.offset, `r${i}`, { id: `u${i}`, name: `U${i}` }));
      const read = await messageAt(log, 'many', root.offset);
      assert.equal(read?.replies?.count, THREAD_USERS_SHOWN + 2);
      assert.equal(read?.replies?.users.length, THREAD_USERS_SHOWN);
      const edit = { room: 'many', from: alice, ts: 9_000, maxReactions: 3 };
      await log.act({ ...edit, id: 'e1', action: { type: 'edit', target: root.offset }, text: 'root!' });
      assert.equal((await messageAt(log, 'many', root.offset))?.replies?.count, THREAD_USERS_SHOWN + 2);
      await log.act({ ...edit, id: 'e2', action: { type: 'delete', target: root.offset } });
      const deleted = await messageAt(log, 'many', root.offset);
      assert.equal(deleted?.deleted, true);
      assert.equal(deleted?.replies?.count, THREAD_USERS_SHOWN + 2, "a deleted root's thread stays");
      assert.equal((await log.read('many', { thread: root.offset, limit: 50 })).messages.length, 7);
    });

    it('leaves replies out of unread counts and previews, but counts a mention in one', async () => {
      const { log } = await make();
      const root = (await log.append(draft('counts', 'root', alice))).message;
      await log.append(reply('counts', root.offset, 'plain'));
      await log.append({ ...reply('counts', root.offset, 'hey @Alice'), mentions: ['alice'] });
      const markers = [{ user: 'alice', room: 'counts', after: root.offset }];
      const counts = await log.unread(markers);
      assert.deepEqual(counts.get(markerKey('counts', 'alice')), { unread: 0, mentions: 1 });
      const overview = await log.overview(markers);
      assert.equal(overview.get('counts')?.last?.offset, root.offset, 'a reply is no preview of the room');
      const next = (await log.append(draft('counts', 'in the room', bob))).message;
      const after = await log.overview(markers);
      assert.equal(after.get('counts')?.last?.offset, next.offset);
      assert.equal(after.get('counts')?.unread, 1);
      assert.equal(after.get('counts')?.mentions, 1);
    });

    it('counts a reply also sent to the room as a message of the room: unread, and its preview', async () => {
      const { log } = await make();
      const root = (await log.append(draft('broadcast', 'root', alice))).message;
      await log.append(reply('broadcast', root.offset, 'kept to the thread'));
      const sent = await log.append({ ...reply('broadcast', root.offset, 'for everyone'), broadcast: true });
      assert.equal(sent.message.broadcast, true);
      assert.equal(sent.root?.replies?.count, 2, 'still a reply: its root counts it');
      await log.append(reply('broadcast', root.offset, 'kept again'));
      const markers = [{ user: 'alice', room: 'broadcast', after: root.offset }];
      assert.deepEqual((await log.unread(markers)).get(markerKey('broadcast', 'alice')), {
        unread: 1,
        mentions: 0,
      });
      const overview = (await log.overview(markers)).get('broadcast');
      assert.equal(
        overview?.last?.offset,
        sent.message.offset,
        'the room shows it, not the replies kept apart',
      );
      assert.equal(overview?.last?.broadcast, true);
      const page = await log.read('broadcast', { limit: 10 });
      assert.equal(page.messages.find((m) => m.offset === sent.message.offset)?.broadcast, true);
      const thread = await log.read('broadcast', { thread: root.offset, limit: 10 });
      assert.deepEqual(
        thread.messages.map((m) => [m.text, m.broadcast]),
        [
          ['kept to the thread', undefined],
          ['for everyone', true],
          ['kept again', undefined],
        ],
      );
    });

    it("counts a thread's replies after each follower's marker, and those that mention them", async () => {
      const { log } = await make();
      const a = (await log.append(draft('followed', 'a', alice))).message;
      const b = (await log.append(draft('followed', 'b', alice))).message;
      const first = await log.append(reply('followed', a.offset, 'one'));
      assert.equal(first.root?.offset, a.offset, 'a reply returns its root as it left it');
      assert.deepEqual(first.root?.replies?.count, 1);
      await log.append(reply('followed', b.offset, 'elsewhere'));
      await log.append(draft('followed', 'in the room', bob));
      const mention = await log.append({ ...reply('followed', a.offset, 'hey @Alice'), mentions: ['alice'] });
      assert.equal(mention.root?.replies?.count, 2);
      const own = await log.append({ ...reply('followed', a.offset, 'me', alice), mentions: ['alice'] });
      const counts = await log.threadUnread([
        { room: 'followed', thread: a.offset, user: 'alice', after: a.offset },
        { room: 'followed', thread: a.offset, user: 'bob', after: mention.message.offset },
        { room: 'followed', thread: b.offset, user: 'alice', after: b.offset },
        { room: 'followed', thread: a.offset, user: 'cy', after: own.message.offset },
      ]);
      assert.deepEqual(counts.get(threadMarkerKey('followed', a.offset, 'alice')), {
        unread: 3,
        mentions: 1,
      });
      assert.deepEqual(counts.get(threadMarkerKey('followed', a.offset, 'bob')), { unread: 1, mentions: 0 });
      assert.deepEqual(counts.get(threadMarkerKey('followed', b.offset, 'alice')), {
        unread: 1,
        mentions: 0,
      });
      assert.deepEqual(counts.get(threadMarkerKey('followed', a.offset, 'cy')), { unread: 0, mentions: 0 });
      const repeated = reply('followed', a.offset, 'twice');
      await log.append(repeated);
      const again = await log.append(repeated);
      assert.equal(again.duplicate, true);
      assert.equal(again.root, undefined, 'a duplicate changed no root');
      assert.deepEqual(await log.threadUnread([]), new Map());
    });

    it('counts every reply made at once, on two nodes where there are two, and a reply sent twice at once once', async () => {
      const fixture = await make();
      const peer = fixture.peer ? await fixture.peer() : fixture;
      if (peer !== fixture) open.push(peer);
      const root = (await fixture.log.append(draft('at-once', 'root', alice))).message;
      const twice = reply('at-once', root.offset, 'sent twice', alice);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? fixture : peer).log.append(reply('at-once', root.offset, `r${i}`)),
        ),
        fixture.log.append(twice),
        peer.log.append({ ...twice, id: 'the-retry' }),
      ]);
      assert.equal(results.filter((r) => r.duplicate).length, 1, 'the reply sent twice is stored once');
      const stored = await messageAt(fixture.log, 'at-once', root.offset);
      assert.equal(stored?.replies?.count, 11);
      assert.deepEqual(new Set(stored?.replies?.users), new Set(['bob', 'alice']));
      const thread = await fixture.log.read('at-once', { thread: root.offset, limit: 50 });
      assert.equal(thread.messages.length, 11);
      assert.equal(stored?.rev, Math.max(...thread.messages.map((m) => m.offset)));
    });

    it('shows a root changed by a reply to a peer node reading through its own cache', async (t) => {
      const fixture = await make();
      if (!fixture.peer) {
        t.skip('one node');
        return;
      }
      const peer = await fixture.peer();
      open.push(peer);
      const root = (await fixture.log.append(draft('peer-threads', 'root', alice))).message;
      // The peer reads (and caches) the root, then the first node stores a reply.
      assert.equal((await messageAt(peer.log, 'peer-threads', root.offset))?.replies, undefined);
      await fixture.log.append(reply('peer-threads', root.offset, 'reply'));
      assert.equal((await messageAt(peer.log, 'peer-threads', root.offset))?.replies?.count, 1);
      const page = await peer.log.read('peer-threads', { limit: 10 });
      assert.equal(page.messages[0]?.replies?.count, 1);
      const thread = await peer.log.read('peer-threads', { thread: root.offset, limit: 10 });
      assert.deepEqual(
        thread.messages.map((m) => m.text),
        ['reply'],
      );
    });
  });
}
