/** Conformance suite of the RoomLog contract (appending, reading, positions, forgetting, the sender's rate). */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RateLimitError } from '../../src/engine/engine.js';
import { draft, type EngineFixture, type FixtureFactory } from './fixture.js';

export function roomLogSuite(name: string, factory: FixtureFactory): void {
  describe(`RoomLog conformance: ${name}`, () => {
    const open: EngineFixture[] = [];
    const make = async (historySize = 100) => {
      const fixture = await factory.create({ historySize, presenceTtlMs: 5000 });
      open.push(fixture);
      return fixture.log;
    };
    const fill = async (history: Awaited<ReturnType<typeof make>>, room: string, n: number) => {
      for (let i = 1; i <= n; i += 1) await history.append(draft(room, `m${i}`));
    };
    after(async () => {
      await Promise.all(open.map((f) => f.close()));
    });

    it('starts a room at offset 0 with an epoch, and empty', async () => {
      const history = await make();
      const position = await history.position('empty');
      assert.equal(position.offset, 0);
      assert.ok(position.epoch.length > 0);
      const page = await history.read('empty', { limit: 10 });
      assert.deepEqual(page.messages, []);
      assert.equal(page.earliest, 1);
      assert.equal(page.position.epoch, position.epoch, 'the epoch is stable before the first message');
    });

    it('forgets a room with no message once its last member left, and keeps one with messages', async () => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000 });
      open.push(fixture);
      const { log: history } = fixture;
      const before = await fixture.footprint();
      for (let i = 0; i < 100; i += 1) {
        await history.position(`ghost-${i}`);
        await history.forget(`ghost-${i}`);
      }
      assert.equal(await fixture.footprint(), before, '100 empty rooms joined and left cost nothing');
      // A forgotten room starts again at offset 0, in an epoch of its own.
      assert.equal((await history.position('ghost-1')).offset, 0);
      await history.forget('ghost-1');
      // A room with a message is kept, epoch and all.
      const sent = await history.append(draft('kept', 'hello'));
      await history.forget('kept');
      assert.deepEqual(await history.position('kept'), { offset: 1, epoch: sent.message.epoch });
      assert.equal((await history.read('kept', { limit: 10 })).messages.length, 1);
    });

    it('does not forget an empty room while a member on another node holds it', async (t) => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000 });
      open.push(fixture);
      if (!fixture.clustered) {
        // One node holds every member: the hub asks to forget only once its last member left.
        t.skip('a single-node log trusts its caller');
        return;
      }
      const { log: history, presence } = fixture;
      const position = await history.position('occupied');
      await presence.add('occupied', { conn: 'c1', user: { id: 'u1', name: 'U' }, node: 'n1' });
      await history.forget('occupied');
      // A member elsewhere keeps the room: its members hold the epoch.
      assert.deepEqual(await history.position('occupied'), position);
      await presence.remove('occupied', 'c1');
      await history.forget('occupied');
      assert.notDeepEqual(await history.position('occupied'), position, 'forgotten once nobody holds it');
    });

    it('limits a user’s message rate, with bursts of twice the rate, across nodes', async () => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000, userMessagesPerSec: 5 });
      open.push(fixture);
      const other = fixture.peer ? await fixture.peer() : fixture;
      if (other !== fixture) open.push(other);
      const user = { id: 'chatty', name: 'Chatty' };
      for (let i = 0; i < 10; i += 1) {
        await (i % 2 ? other : fixture).log.append(draft(`rate-${i % 3}`, `m${i}`, user));
      }
      await assert.rejects(fixture.log.append(draft('rate-0', 'one too many', user)), (error: unknown) => {
        assert.ok(error instanceof RateLimitError);
        assert.ok(
          error.retryAfterMs > 0 && error.retryAfterMs <= 200,
          `retry after ${error.retryAfterMs} ms`,
        );
        return true;
      });
      await fixture.log.append(draft('rate-0', 'someone else', { id: 'quiet', name: 'Quiet' }));
      fixture.clock.advance(400);
      await other.log.append(draft('rate-1', 'refilled', user));
      const stored = await fixture.log.read('rate-0', { limit: 100 });
      assert.ok(!stored.messages.some((m) => m.text === 'one too many'), 'a refused message is not stored');
    });

    it('never counts a retried send (same cid) against the sender’s rate, on any engine', async () => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000, userMessagesPerSec: 1 });
      open.push(fixture);
      const user = { id: 'retrier', name: 'Retrier' };
      const first = draft('retry-rate', 'once', user);
      const sent = await fixture.log.append(first);
      // The bucket holds a burst of 2: 1 token is left. Retries of the first message must not take it.
      for (let i = 0; i < 5; i += 1) {
        const again = await fixture.log.append({ ...first, id: `retry-${i}` });
        assert.equal(again.duplicate, true);
        assert.equal(again.message.offset, sent.message.offset);
      }
      const second = await fixture.log.append(draft('retry-rate', 'twice', user));
      assert.equal(second.duplicate, false, 'the retries left the token for a new message');
      await assert.rejects(fixture.log.append(draft('retry-rate', 'thrice', user)), RateLimitError);
      // Even with the bucket empty, a retry answers with the original message.
      const late = await fixture.log.append({ ...first, id: 'late-retry' });
      assert.equal(late.duplicate, true);
    });

    it('keeps one epoch and counts offsets per room', async () => {
      const history = await make();
      const a = await history.append(draft('ra', 'x'));
      const b = await history.append(draft('rb', 'y'));
      const c = await history.append(draft('ra', 'z'));
      assert.equal(a.message.offset, 1);
      assert.equal(b.message.offset, 1);
      assert.equal(c.message.offset, 2);
      assert.equal(a.message.epoch, c.message.epoch);
      assert.deepEqual(await history.position('ra'), { offset: 2, epoch: a.message.epoch });
    });

    it('reads the newest page, then pages back with before, oldest first', async () => {
      const history = await make();
      await fill(history, 'paged', 25);
      const newest = await history.read('paged', { limit: 10 });
      assert.deepEqual(
        newest.messages.map((m) => m.offset),
        [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
      );
      const older = await history.read('paged', { before: 16, limit: 10 });
      assert.deepEqual(
        older.messages.map((m) => m.offset),
        [6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
      );
      const oldest = await history.read('paged', { before: 6, limit: 10 });
      assert.deepEqual(
        oldest.messages.map((m) => m.offset),
        [1, 2, 3, 4, 5],
      );
      assert.equal(oldest.earliest, 1);
      assert.equal(oldest.messages[2]?.text, 'm3');
      assert.deepEqual((await history.read('paged', { before: 1, limit: 10 })).messages, []);
    });

    it('reads forward from a position with after', async () => {
      const history = await make();
      await fill(history, 'fwd', 12);
      const page = await history.read('fwd', { after: 4, limit: 5 });
      assert.deepEqual(
        page.messages.map((m) => m.offset),
        [5, 6, 7, 8, 9],
      );
      const rest = await history.read('fwd', { after: 9, limit: 100 });
      assert.deepEqual(
        rest.messages.map((m) => m.offset),
        [10, 11, 12],
      );
      assert.deepEqual((await history.read('fwd', { after: 12, limit: 100 })).messages, []);
    });

    it('retains only the newest historySize messages', async (t) => {
      const fixture = await factory.create({ historySize: 5, presenceTtlMs: 5000 });
      open.push(fixture);
      if (fixture.keepsEverything) {
        t.skip('a database keeps every message (retention is by age)');
        return;
      }
      const history = fixture.log;
      await fill(history, 'bounded', 8);
      const page = await history.read('bounded', { limit: 100 });
      assert.deepEqual(
        page.messages.map((m) => m.offset),
        [4, 5, 6, 7, 8],
      );
      assert.equal(page.earliest, 4);
      assert.equal(page.position.offset, 8);
      const resumed = await history.read('bounded', { after: 1, limit: 100 });
      assert.equal(
        resumed.messages[0]?.offset,
        4,
        'a position older than the retained history shows as a jump',
      );
    });

    it('is idempotent on (sender, cid)', async () => {
      const history = await make();
      const first = draft('dup', 'x');
      const a = await history.append(first);
      const b = await history.append({ ...first, id: 'other' });
      assert.equal(b.duplicate, true);
      assert.deepEqual(b.message, a.message);
      assert.equal((await history.position('dup')).offset, 1);
    });
    it('keeps a system event with its message, through append, read and duplicate', async () => {
      const history = await make();
      const event = { type: 'kicked' as const, user: { id: 'u2', name: 'User 2' }, reason: 'spam' };
      const notice = { ...draft('events', 'User 2 was removed'), event };
      const appended = await history.append(notice);
      assert.deepEqual(appended.message.event, event);
      const plain = await history.append(draft('events', 'hello'));
      assert.equal('event' in plain.message, false, 'a chat message has no event field');
      const page = await history.read('events', { limit: 10 });
      assert.deepEqual(page.messages, [appended.message, plain.message]);
      const again = await history.append({ ...notice, id: 'other' });
      assert.equal(again.duplicate, true);
      assert.deepEqual(again.message, appended.message);
    });
    it('keeps a forwarded message with the message that carries it, through append, read, duplicate and overview', async () => {
      const history = await make();
      const original = (await history.append(draft('forward-from', 'the plan'))).message;
      const forwarded = {
        room: 'forward-from',
        offset: original.offset,
        id: original.id,
        from: original.from,
        text: original.text,
        ts: original.ts,
        files: [{ id: 'f1', name: 'plan.pdf', size: 12, type: 'application/pdf' }],
      };
      const forward = { ...draft('forward-to', ''), forwarded };
      const appended = await history.append(forward);
      assert.deepEqual(appended.message.forwarded, forwarded);
      assert.equal(appended.message.text, '', 'a forward needs no words of its own');
      const plain = await history.append(draft('forward-to', 'hello'));
      assert.equal('forwarded' in plain.message, false, 'no forwarded field on other messages');
      const page = await history.read('forward-to', { limit: 10 });
      assert.deepEqual(page.messages, [appended.message, plain.message]);
      const again = await history.append({ ...forward, id: 'other' });
      assert.equal(again.duplicate, true);
      assert.deepEqual(again.message, appended.message);
      const overview = await history.overview([{ user: 'u9', room: 'forward-to', after: 0 }]);
      assert.equal(overview.get('forward-to')?.last?.offset, plain.message.offset);
      await history.append({ ...draft('forward-last', ''), forwarded });
      const last = (await history.overview([{ user: 'u9', room: 'forward-last', after: 0 }])).get(
        'forward-last',
      );
      assert.deepEqual(last?.last?.forwarded, forwarded, 'the room list reads it too');
    });

    it('gives the newest message of each room at once (the room list)', async () => {
      const history = await make();
      await fill(history, 'latest-a', 3);
      await fill(history, 'latest-b', 1);
      await history.position('latest-empty');
      const rooms = ['latest-a', 'latest-b', 'latest-empty', 'latest-unknown'];
      const latest = await history.overview(rooms.map((room) => ({ user: 'u9', room, after: 0 })));
      assert.deepEqual([...latest].map(([room, o]) => [room, o.last?.offset, o.last?.text]).sort(), [
        ['latest-a', 3, 'm3'],
        ['latest-b', 1, 'm1'],
      ]);
      assert.equal((await history.overview([])).size, 0);
    });

    it('takes no rate token for a system event', async () => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000, userMessagesPerSec: 1 });
      open.push(fixture);
      const moderator = { id: 'mod', name: 'Mod' };
      for (let i = 0; i < 6; i += 1) {
        const notice = { ...draft('moderated', `event ${i}`, moderator), event: { type: 'kicked' as const } };
        assert.equal((await fixture.log.append(notice)).duplicate, false);
      }
      await assert.rejects(async () => {
        for (let i = 0; i < 6; i += 1) await fixture.log.append(draft('moderated', `m${i}`, moderator));
      }, RateLimitError);
    });
  });
}
