/**
 * Conformance suite of RoomLog.act: edits, deletes and reactions on the backends that keep messages (memory and
 * the database, alone and behind a Redis window): the action's entry in the log, the message changed in every
 * later read, the texts an edited message had, and the refusals.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyAction } from '../../client/wire/actions.js';
import type { ChatMessage, MessageAction, UserInfo } from '../../src/engine/types.js';
import { type ActionDraft, markerKey } from '../../src/log/room-log.js';
import { draft, type EngineFixture, type FixtureFactory, messageAt, refused } from './fixture.js';

const alice: UserInfo = { id: 'alice', name: 'Alice' };
const bob: UserInfo = { id: 'bob', name: 'Bob' };
const carol: UserInfo = { id: 'carol', name: 'Carol' };

let ids = 0;
function action(
  room: string,
  from: UserInfo,
  act: MessageAction,
  extra: Partial<ActionDraft> = {},
): ActionDraft {
  ids += 1;
  return { room, id: `act-${ids}`, from, ts: 50_000 + ids, action: act, maxReactions: 3, ...extra };
}

export function messageActionsSuite(name: string, factory: FixtureFactory): void {
  describe(`RoomLog actions conformance: ${name}`, () => {
    const open: EngineFixture[] = [];
    const make = async () => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000 });
      open.push(fixture);
      return fixture;
    };
    after(async () => {
      await Promise.all(open.map((f) => f.close()));
    });

    it('edits: the entry at the next offset, the message changed in every read, only by its author', async () => {
      const { log } = await make();
      const original = (await log.append(draft('edits', 'helo', alice))).message;
      const done = await log.act(
        action('edits', alice, { type: 'edit', target: original.offset }, { text: 'hello' }),
      );
      assert.ok(done.entry);
      assert.equal(done.entry.offset, original.offset + 1);
      assert.deepEqual(done.entry.action, { type: 'edit', target: original.offset });
      assert.equal(done.entry.text, 'hello');
      assert.deepEqual(done.entry.from, alice);
      assert.equal(done.target.text, 'hello');
      assert.equal(done.target.edited, done.entry.ts);
      assert.equal(done.target.rev, done.entry.offset, 'the message names the newest action in it');
      const page = await log.read('edits', { limit: 10 });
      assert.deepEqual(
        page.messages.map((m) => [m.offset, m.text, m.edited !== undefined, m.action?.type]),
        [
          [1, 'hello', true, undefined],
          [2, 'hello', false, 'edit'],
        ],
      );
      const latest = await log.overview([{ user: 'bob', room: 'edits', after: 0 }]);
      assert.equal(latest.get('edits')?.last?.offset, 1, 'an action is no preview of the room');
      assert.equal(latest.get('edits')?.unread, 1, 'nor counted as unread');
      await refused(
        log.act(action('edits', bob, { type: 'edit', target: 1 }, { text: 'mine' })),
        'not_author',
      );
      await refused(
        log.act(action('edits', alice, { type: 'edit', target: 2 }, { text: 'x' })),
        'no_message',
      );
      for (const target of [0, 3, 999, -1, 1.5])
        await refused(log.act(action('edits', alice, { type: 'edit', target }, { text: 'x' })), 'no_message');
      assert.equal((await log.position('edits')).offset, 2, 'a refusal appends nothing');
    });

    it('refuses actions on system events', async () => {
      const { log } = await make();
      await log.append({ ...draft('system', 'Alice joined', alice), event: { type: 'joined', user: alice } });
      await refused(log.act(action('system', alice, { type: 'delete', target: 1 })), 'no_message');
      await refused(
        log.act(action('system', alice, { type: 'react', target: 1, emoji: '👍', add: true })),
        'no_message',
      );
    });

    it('deletes: a tombstone everywhere, the text of its edits gone too, by the author or a moderator', async () => {
      const { log } = await make();
      const secret = (await log.append(draft('deletes', 'secret one', alice))).message;
      await log.act(
        action('deletes', alice, { type: 'edit', target: secret.offset }, { text: 'secret two' }),
      );
      await log.act(action('deletes', bob, { type: 'react', target: secret.offset, emoji: '👀', add: true }));
      await refused(log.act(action('deletes', bob, { type: 'delete', target: secret.offset })), 'not_author');
      const done = await log.act(action('deletes', alice, { type: 'delete', target: secret.offset }));
      assert.ok(done.entry);
      assert.equal(done.entry.text, '');
      assert.equal(done.target.deleted, true);
      assert.equal(done.target.text, '');
      assert.equal(done.target.reactions, undefined, 'its reactions go with it');
      const page = await log.read('deletes', { limit: 10 });
      const texts = page.messages.map((m) => m.text).join('|');
      assert.equal(texts.includes('secret'), false, `no text of the deleted message is left: ${texts}`);
      assert.equal(page.messages[0]?.deleted, true);
      // A second delete changes nothing; nothing else acts on a deleted message.
      const again = await log.act(action('deletes', alice, { type: 'delete', target: secret.offset }));
      assert.equal(again.entry, undefined);
      await refused(
        log.act(action('deletes', alice, { type: 'edit', target: 1 }, { text: 'back' })),
        'no_message',
      );
      await refused(
        log.act(action('deletes', bob, { type: 'react', target: 1, emoji: '👍', add: true })),
        'no_message',
      );
      // A moderator deletes anyone's message.
      const other = (await log.append(draft('deletes', 'spam', carol))).message;
      const moderated = await log.act(
        action('deletes', bob, { type: 'delete', target: other.offset }, { moderator: true }),
      );
      assert.equal(moderated.target.deleted, true);
    });

    it('deletes a forward with the message it carries; an edit changes only its own words', async () => {
      const { log } = await make();
      const original = (await log.append(draft('forwards', 'confidential', carol))).message;
      const forwarded = {
        room: 'forwards',
        offset: original.offset,
        id: original.id,
        from: carol,
        text: 'confidential',
        ts: original.ts,
      };
      const forward = (await log.append({ ...draft('forwards', 'fyi', alice), forwarded })).message;
      const edited = await log.act(
        action('forwards', alice, { type: 'edit', target: forward.offset }, { text: 'fyi, see below' }),
      );
      assert.equal(edited.target.text, 'fyi, see below');
      assert.deepEqual(edited.target.forwarded, forwarded, 'the forwarded message is not edited');
      const done = await log.act(action('forwards', alice, { type: 'delete', target: forward.offset }));
      assert.equal(done.target.deleted, true);
      assert.equal(done.target.forwarded, undefined, 'the tombstone carries nothing');
      const read = await messageAt(log, 'forwards', forward.offset);
      assert.equal(read?.forwarded, undefined, 'a read after the delete has none');
      assert.equal(read?.text, '');
    });

    it('lists the texts a message had: its first, then each edit, none once deleted', async () => {
      const { log } = await make();
      const message = (await log.append(draft('versions', 'frist draft', alice))).message;
      const other = (await log.append(draft('versions', 'untouched', bob))).message;
      assert.deepEqual(await log.edits('versions', other.offset, 10), {
        versions: [{ text: 'untouched', ts: other.ts }],
      });
      const first = await log.act(
        action('versions', alice, { type: 'edit', target: message.offset }, { text: 'first draft' }),
      );
      await log.act(
        action('versions', bob, { type: 'react', target: message.offset, emoji: '👍', add: true }),
      );
      const second = await log.act(
        action('versions', alice, { type: 'edit', target: message.offset }, { text: 'final' }),
      );
      assert.deepEqual(await log.edits('versions', message.offset, 10), {
        versions: [
          { text: 'frist draft', ts: message.ts },
          { text: 'first draft', ts: first.entry?.ts },
          { text: 'final', ts: second.entry?.ts },
        ],
      });
      assert.deepEqual(
        await log.edits('versions', message.offset, 2),
        {
          versions: [
            { text: 'first draft', ts: first.entry?.ts },
            { text: 'final', ts: second.entry?.ts },
          ],
          partial: true,
        },
        'the newest texts, no more than asked',
      );
      assert.equal(
        await log.edits('versions', first.entry?.offset as number, 10),
        undefined,
        "an action's entry",
      );
      assert.equal(await log.edits('versions', 99, 10), undefined, 'no message there');
      assert.equal(await log.edits('nowhere', 1, 10), undefined);
      await log.act(action('versions', alice, { type: 'delete', target: message.offset }));
      assert.deepEqual(
        await log.edits('versions', message.offset, 10),
        { versions: [] },
        'a delete takes every text',
      );
    });

    it('reacts: idempotent per user and emoji, counted with who, removed, limited per message', async () => {
      const { log } = await make();
      const { offset } = (await log.append(draft('reacts', 'react to me', alice))).message;
      const react = (from: UserInfo, emoji: string, add = true) =>
        log.act(action('reacts', from, { type: 'react', target: offset, emoji, add }));
      const first = await react(bob, '👍');
      assert.ok(first.entry);
      assert.deepEqual(first.entry.action, { type: 'react', target: offset, emoji: '👍', add: true });
      assert.equal((await react(bob, '👍')).entry, undefined, 'the same reaction twice changes nothing');
      await react(carol, '👍');
      await react(alice, '🎉');
      const shown = await messageAt(log, 'reacts', offset);
      assert.deepEqual(shown?.reactions, [
        { emoji: '👍', count: 2, users: ['bob', 'carol'] },
        { emoji: '🎉', count: 1, users: ['alice'] },
      ]);
      const removed = await react(bob, '👍', false);
      assert.ok(removed.entry);
      assert.deepEqual(removed.target.reactions, [
        { emoji: '👍', count: 1, users: ['carol'] },
        { emoji: '🎉', count: 1, users: ['alice'] },
      ]);
      assert.equal(
        (await react(bob, '👍', false)).entry,
        undefined,
        'removing what is not there changes nothing',
      );
      // At most 3 distinct emoji here (maxReactions): a fourth is refused, an existing one still taken.
      await react(bob, '❤️');
      await refused(react(carol, '🔥'), 'reaction_limit');
      assert.ok((await react(bob, '🎉')).entry);
      await react(alice, '🎉', false);
      await react(bob, '🎉', false);
      await react(carol, '👍', false);
      await react(bob, '❤️', false);
      assert.equal((await messageAt(log, 'reacts', offset))?.reactions, undefined, 'none left');
    });

    it('reads reactions back as a client folds their entries: an emoji keeps its place, users in log order', async () => {
      const { log } = await make();
      const target = (await log.append(draft('fold', 'react to me', alice))).message;
      const entries: ChatMessage[] = [];
      const react = async (from: UserInfo, emoji: string, add: boolean, ts?: number) => {
        const act: MessageAction = { type: 'react', target: target.offset, emoji, add };
        const done = await log.act(action('fold', from, act, ts === undefined ? {} : { ts }));
        assert.ok(done.entry, `${from.id} ${add ? 'adds' : 'takes back'} ${emoji}`);
        entries.push(done.entry);
      };
      await react(alice, '👍', true);
      await react(bob, '🎉', true);
      // From an instance whose clock is behind: later in the log, earlier by its time.
      await react(carol, '👍', true, 10);
      await react(carol, '🎉', true, 11);
      // 👍's first user takes theirs back: 👍 is still held (by carol), so it keeps its place before 🎉.
      await react(alice, '👍', false);
      const folded = entries.reduce(applyAction, target);
      const stored = await messageAt(log, 'fold', target.offset);
      assert.deepEqual(
        stored?.reactions?.map((r) => [r.emoji, r.count, r.users]),
        [
          ['👍', 1, ['carol']],
          ['🎉', 2, ['bob', 'carol']],
        ],
      );
      assert.deepEqual(stored?.reactions, folded.reactions);
    });

    it('names the first 50 who reacted with an emoji, the next one taking the place of one who took theirs back', async () => {
      const { log } = await make();
      const target = (await log.append(draft('crowd', 'popular', alice))).message;
      const user = (i: number): UserInfo => ({ id: `fan-${String(i).padStart(2, '0')}`, name: `Fan ${i}` });
      const act = (i: number, add: boolean) =>
        log.act(action('crowd', user(i), { type: 'react', target: target.offset, emoji: '👍', add }));
      for (let i = 1; i <= 52; i += 1) await act(i, true);
      await act(3, false);
      const stored = await messageAt(log, 'crowd', target.offset);
      const [reaction] = stored?.reactions ?? [];
      assert.equal(reaction?.count, 51);
      const expected = [1, 2, ...Array.from({ length: 48 }, (_, k) => k + 4)].map((i) => user(i).id);
      assert.deepEqual(reaction?.users, expected, 'fans 1-2 and 4-51: fan 51 named in the place fan 3 left');
    });

    it('counts the chat messages after a read marker, and the mentions among them', async () => {
      const { log } = await make();
      const mention = (text: string, ids: string[]) => ({ ...draft('counts', text, alice), mentions: ids });
      await log.append(draft('counts', 'one', alice));
      await log.append({ ...draft('counts', 'Bob joined', bob), event: { type: 'joined', user: bob } });
      await log.append(mention('hi @Bob', ['bob']));
      const third = (await log.append(draft('counts', 'three', alice))).message;
      await log.act(action('counts', bob, { type: 'react', target: third.offset, emoji: '👍', add: true }));
      await log.append(mention('@Bob @Carol look', ['bob', 'carol']));
      await log.position('counts-empty');
      const counts = await log.unread([
        { user: 'bob', room: 'counts', after: 0 },
        { user: 'carol', room: 'counts', after: 0 },
        { user: 'bob', room: 'counts-empty', after: 0 },
      ]);
      // Chat messages only: no system event, no action.
      assert.deepEqual(counts.get(markerKey('counts', 'bob')), { unread: 4, mentions: 2 });
      assert.deepEqual(counts.get(markerKey('counts', 'carol')), { unread: 4, mentions: 1 });
      const reread = await log.unread([{ user: 'bob', room: 'counts', after: third.offset }]);
      assert.deepEqual(reread.get(markerKey('counts', 'bob')), { unread: 1, mentions: 1 });
      const caughtUp = await log.unread([{ user: 'bob', room: 'counts', after: 7 }]);
      assert.deepEqual(caughtUp.get(markerKey('counts', 'bob')), { unread: 0, mentions: 0 });
      assert.equal(
        counts.has(markerKey('counts-empty', 'bob')),
        false,
        'a room without a message counts nothing',
      );
      const page = await log.read('counts', { limit: 10 });
      assert.deepEqual(page.messages.at(-1)?.mentions, ['bob', 'carol']);
    });

    it('counts a mention of the whole room for every member but its sender, once for one named too', async () => {
      const { log } = await make();
      await log.append(draft('all', 'hello', alice));
      const everyone = (await log.append({ ...draft('all', '@room look', alice), mentionsRoom: true }))
        .message;
      assert.equal(everyone.mentionsRoom, true);
      await log.append({ ...draft('all', '@room and @Bob', carol), mentions: ['bob'], mentionsRoom: true });
      const counted = async (after = 0) => {
        const counts = await log.unread(
          ['alice', 'bob', 'carol'].map((user) => ({ user, room: 'all', after })),
        );
        return ['alice', 'bob', 'carol'].map((user) => counts.get(markerKey('all', user))?.mentions);
      };
      assert.deepEqual(
        await counted(),
        [1, 2, 1],
        "each but the sender's own; bob once for the one naming him",
      );
      assert.deepEqual(await counted(everyone.offset), [1, 1, 0]);
      const page = await log.read('all', { limit: 10 });
      assert.deepEqual(
        page.messages.map((m) => [m.mentions, m.mentionsRoom]),
        [
          [undefined, undefined],
          [undefined, true],
          [['bob'], true],
        ],
      );
      const overview = await log.overview([{ user: 'bob', room: 'all', after: 0 }]);
      assert.deepEqual(
        [overview.get('all')?.mentions, overview.get('all')?.last?.mentionsRoom],
        [2, true],
        'the room list counts it and its preview says it',
      );
      // A deleted message mentions nobody any more.
      await log.act(action('all', alice, { type: 'delete', target: everyone.offset }));
      assert.deepEqual(await counted(), [1, 1, 0]);
    });

    it('shows an action to a peer node reading through its own cache', async (t) => {
      const fixture = await make();
      if (!fixture.peer) {
        t.skip('one node');
        return;
      }
      const peer = await fixture.peer();
      open.push(peer);
      const { offset } = (await fixture.log.append(draft('peer-edits', 'before', alice))).message;
      // The peer reads (and caches) the message, then the first node edits and deletes it.
      assert.equal((await messageAt(peer.log, 'peer-edits', offset))?.text, 'before');
      await fixture.log.act(action('peer-edits', alice, { type: 'edit', target: offset }, { text: 'after' }));
      assert.equal((await messageAt(peer.log, 'peer-edits', offset))?.text, 'after');
      assert.equal((await peer.log.read('peer-edits', { limit: 10 })).messages[0]?.text, 'after');
      await fixture.log.act(action('peer-edits', alice, { type: 'delete', target: offset }));
      const page = await peer.log.read('peer-edits', { limit: 10 });
      // The message, its edit and the delete: no text left.
      assert.deepEqual(
        page.messages.map((m) => m.text),
        ['', '', ''],
      );
    });
  });
}
