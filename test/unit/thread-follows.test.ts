/**
 * ThreadFollows over the memory directory and log: who a reply makes follow (members only; the root's author at the
 * first reply only), what each follower is told, and the pages of `threads` and `thread_counts` within a byte budget.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThreadStateFrame } from '../../client/wire/frames.js';
import { MemoryBroker } from '../../src/broker/memory-broker.js';
import type { MessageDraft, UserInfo } from '../../src/engine/types.js';
import { MemoryLog } from '../../src/log/memory-log.js';
import { MemoryRoomDirectory } from '../../src/rooms/memory-room-directory.js';
import { ThreadFollows } from '../../src/rooms/thread-follows.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomIds } from '../../src/util/ids.js';

const MEMBERS = new Set(['ann', 'bo', 'cy']);
const user = (id: string): UserInfo => ({ id, name: id.toUpperCase() });

function setUp(maxFollowed = 100) {
  const clock = new ManualClock(1_800_000_000_000);
  const log = new MemoryLog(
    { historySize: 1000, historyTtlMs: 3_600_000, idempotencyWindowMs: 60_000, clock, ids: randomIds() },
    new MemoryBroker(),
  );
  const directory = new MemoryRoomDirectory();
  const told: Array<{ user: string } & ThreadStateFrame> = [];
  const follows = new ThreadFollows({
    directory,
    log,
    clock,
    maxFollowed,
    isMember: async (_room, userId) => MEMBERS.has(userId),
    notify: async (userId, notice) => {
      told.push({ user: userId, ...notice });
    },
  });
  let n = 0;
  const draft = (room: string, from: string, extra: Partial<MessageDraft> = {}): MessageDraft => {
    n += 1;
    return {
      room,
      id: `m${n}`,
      from: user(from),
      text: `text ${n}`,
      ts: clock.now(),
      cid: `c${n}`,
      ...extra,
    };
  };
  /** Appends a reply and runs what the send handler runs after it. */
  const reply = async (room: string, root: number, from: string, extra: Partial<MessageDraft> = {}) => {
    const appended = await log.append(draft(room, from, { thread: root, ...extra }));
    if (appended.root) await follows.replied(appended.message, appended.root);
    return appended.message;
  };
  return { clock, log, directory, follows, told, draft, reply };
}

describe('ThreadFollows', () => {
  it('makes members follow: who replies, the root author at the first reply only, who is mentioned', async () => {
    const { log, follows, told, draft, reply } = setUp();
    const root = (await log.append(draft('r', 'ann'))).message;
    const first = await reply('r', root.offset, 'bo');
    assert.deepEqual(told.map((t) => [t.user, t.read, t.unread]).sort(), [
      ['ann', root.offset, 1],
      ['bo', first.offset, 0],
    ]);
    await follows.unfollow('ann', 'r', root.offset);
    told.length = 0;
    // A later reply does not make the root's author follow again; a mention of a member does, a stranger's not.
    await reply('r', root.offset, 'bo', { mentions: ['cy', 'stranger'] });
    assert.deepEqual(told.map((t) => t.user).sort(), ['bo', 'cy']);
    told.length = 0;
    // A sender that is no member (the server API's `system`, a bot) follows nothing; the followers are told.
    await reply('r', root.offset, 'system');
    assert.deepEqual(told.map((t) => [t.user, t.unread]).sort(), [
      ['bo', 1],
      ['cy', 3],
    ]);
  });

  it('pages the followed threads and their counts within a byte budget, newest reply first', async () => {
    const { clock, log, follows, draft, reply } = setUp();
    const roots: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const root = (await log.append(draft('r', 'ann'))).message;
      roots.push(root.offset);
      clock.advance(1000);
      await reply('r', root.offset, 'bo');
    }
    const mayRead = async () => true;
    // ~100 bytes an entry: two a page.
    const first = await follows.counts('ann', 0, 200, mayRead);
    assert.deepEqual(
      first.threads.map((t) => [t.thread, t.unread]),
      [
        [roots[4], 1],
        [roots[3], 1],
      ],
    );
    const rest = await follows.counts('ann', first.next as number, 10_000, mayRead);
    assert.deepEqual(
      rest.threads.map((t) => t.thread),
      [roots[2], roots[1], roots[0]],
    );
    assert.equal(rest.next, undefined);
    // A room the user may not read is passed over (and counted in `next`).
    assert.deepEqual((await follows.counts('ann', 0, 10_000, async () => false)).threads, []);
    // The list with its roots: a deleted root stays listed (its thread stays readable).
    await log.act({
      room: 'r',
      id: 'del',
      from: user('ann'),
      ts: clock.now(),
      action: { type: 'delete', target: roots[4] as number },
      maxReactions: 20,
    });
    const listed = await follows.list('ann', 0, 100_000, mayRead);
    assert.equal(listed.threads.length, 5);
    assert.equal(listed.threads[0]?.root.deleted, true);
  });
});
