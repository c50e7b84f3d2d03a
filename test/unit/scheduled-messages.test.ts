/**
 * ScheduledMessages on the memory engine's real room log, with a manual clock: the checks when a message is
 * scheduled, its sending when due (once, as its sender), refusals that leave it failed, failures of a moment that
 * leave it to its lease, and a claimer that died after storing the message (the second send is a duplicate). The
 * room rules are a stand-in here; the protocol tests run them for real.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScheduleChangedFrame } from '../../client/wire/frames.js';
import { createMemoryEngine } from '../../src/engine/memory-engine.js';
import type { ChatMessage } from '../../src/engine/types.js';
import { ReplyError } from '../../src/protocol/error-codes.js';
import type { Caller } from '../../src/rooms/room-service.js';
import { MemoryScheduledStore } from '../../src/schedule/memory-scheduled-store.js';
import {
  CLAIM_LEASE_MS,
  ScheduledMessages,
  type SendRules,
  scheduledCid,
} from '../../src/schedule/scheduled-messages.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomIds } from '../../src/util/ids.js';

const ANN: Caller = { user: { id: 'ann', name: 'Ann' }, admin: false };

function setup(options: { maxPerUser?: number; rate?: number } = {}) {
  const clock = new ManualClock(1_800_000_000_000);
  const engine = createMemoryEngine({
    historySize: 1000,
    historyTtlMs: 86_400_000,
    idempotencyWindowMs: 3_600_000,
    userMessagesPerSec: options.rate ?? 0,
    presenceTtlMs: 30_000,
    clock,
    ids: randomIds(),
  });
  /** What the rules answer now: a refusal to throw, or a room of members (true) or an open channel (false). */
  const rules = { refusal: undefined as ReplyError | undefined, member: true };
  const sendRules: SendRules = {
    checkSend: async () => {
      if (rules.refusal) throw rules.refusal;
      return rules.member;
    },
    checkRoomMention: async () => {},
  };
  const notices: ScheduleChangedFrame[] = [];
  const sent: ChatMessage[] = [];
  const reported: unknown[] = [];
  const store = new MemoryScheduledStore();
  const scheduled = new ScheduledMessages({
    store,
    rules: sendRules,
    log: engine.log,
    clock,
    ids: randomIds(),
    maxPerUser: options.maxPerUser ?? 10,
    maxAheadMs: 7 * 86_400_000,
    notify: (_user, notice) => notices.push(notice),
    remindDue: async () => 0,
    sent: (message) => sent.push(message),
    report: (_operation, error) => reported.push(error),
  });
  const roomMessages = async (room = 'lobby') =>
    (await engine.log.read(room, { limit: 100 })).messages.filter((m) => !m.event);
  return { clock, engine, rules, notices, sent, reported, store, scheduled, roomMessages };
}

const request = (at: number, text = 'later') => ({ room: 'lobby', text, at });

describe('ScheduledMessages', () => {
  it('refuses a time passed, one too far ahead, an open channel, and more than the bound', async () => {
    const { clock, rules, scheduled } = setup({ maxPerUser: 2 });
    const now = clock.now();
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: ReplyError) => `${error.code}: ${error.message}`,
      );
    assert.equal(
      await refusal(scheduled.schedule(ANN, request(now))),
      'bad_request: at: the time has passed',
    );
    assert.equal(
      await refusal(scheduled.schedule(ANN, request(now + 8 * 86_400_000))),
      'bad_request: at: at most 7 days ahead',
    );
    rules.member = false;
    assert.match(
      await refusal(scheduled.schedule(ANN, request(now + 1000))),
      /^bad_request: an open channel/,
    );
    rules.member = true;
    await scheduled.schedule(ANN, request(now + 1000));
    await scheduled.schedule(ANN, request(now + 2000));
    assert.match(await refusal(scheduled.schedule(ANN, request(now + 3000))), /^scheduled_limit: /);
    assert.match(await refusal(scheduled.unschedule(ANN.user.id, 'nope')), /^no_scheduled: /);
  });

  it('sends a message when its time comes, once, as its sender, and tells their devices', async () => {
    const { clock, notices, sent, scheduled, roomMessages, store } = setup();
    const made = await scheduled.schedule(ANN, {
      ...request(clock.now() + 60_000),
      mentions: ['bob', 'bob'],
    });
    assert.deepEqual(made.mentions, ['bob'], 'mentions are named once');
    assert.deepEqual(notices.splice(0), [
      { type: 'schedule_changed', id: made.id, room: 'lobby', scheduled: made },
    ]);
    await scheduled.sendDue();
    assert.deepEqual(await roomMessages(), [], 'not before its time');
    clock.advance(60_000);
    await scheduled.sendDue();
    await scheduled.sendDue();
    const [message, ...more] = await roomMessages();
    assert.deepEqual(more, []);
    assert.deepEqual(
      [message?.from, message?.text, message?.cid, message?.ts, message?.mentions],
      [ANN.user, 'later', scheduledCid(made.id), clock.now(), ['bob']],
    );
    assert.deepEqual(sent, [message]);
    assert.deepEqual(notices, [
      {
        type: 'schedule_changed',
        id: made.id,
        room: 'lobby',
        sent: { id: message?.id, offset: message?.offset },
      },
    ]);
    assert.deepEqual(await store.ofUser('ann'), []);
    assert.deepEqual(scheduled.counters, { sent: 1, failed: 0, reminded: 0 });
  });

  it('leaves a message the rules refuse failed, with the reason, until its sender removes it', async () => {
    const { clock, notices, rules, scheduled, roomMessages } = setup();
    const made = await scheduled.schedule(ANN, request(clock.now() + 1000));
    rules.refusal = new ReplyError('muted', 'muted in this room');
    clock.advance(1000);
    await scheduled.sendDue();
    assert.deepEqual(await roomMessages(), []);
    const failed = { code: 'muted', message: 'muted in this room', at: clock.now() };
    assert.deepEqual(notices.at(-1), {
      type: 'schedule_changed',
      id: made.id,
      room: 'lobby',
      scheduled: { ...made, failed },
    });
    assert.deepEqual((await scheduled.list('ann', 0, 100_000)).scheduled, [{ ...made, failed }]);
    rules.refusal = undefined;
    clock.advance(CLAIM_LEASE_MS);
    await scheduled.sendDue();
    assert.deepEqual(await roomMessages(), [], 'a failed message is not tried again');
    assert.deepEqual(await scheduled.unschedule('ann', made.id), { room: 'lobby' });
    assert.deepEqual(notices.at(-1), { type: 'schedule_changed', id: made.id, room: 'lobby' });
    assert.deepEqual((await scheduled.list('ann', 0, 100_000)).scheduled, []);
  });

  it('tries again after the lease when sending failed for a moment (the sender’s message rate)', async () => {
    const { clock, engine, reported, scheduled, roomMessages } = setup({ rate: 1 });
    // The sender spends their message rate (1 a second, a burst of 2) just before the time comes.
    for (const cid of ['c1', 'c2'])
      await engine.log.append({ room: 'lobby', id: cid, from: ANN.user, text: 'now', ts: clock.now(), cid });
    const made = await scheduled.schedule(ANN, request(clock.now() + 1));
    clock.advance(1);
    await scheduled.sendDue();
    assert.equal((await roomMessages()).length, 2, 'only the messages sent by hand');
    assert.equal(reported.length, 1);
    assert.deepEqual((await scheduled.list('ann', 0, 100_000)).scheduled, [made], 'still pending');
    clock.advance(1000);
    await scheduled.sendDue();
    assert.equal((await roomMessages()).length, 2, 'leased: not claimed again before the lease ends');
    clock.advance(CLAIM_LEASE_MS);
    await scheduled.sendDue();
    assert.deepEqual(
      (await roomMessages()).map((m) => m.cid),
      ['c1', 'c2', scheduledCid(made.id)],
    );
  });

  it('sends nothing twice when a claimer died after storing the message', async () => {
    const { clock, engine, store, sent, scheduled, roomMessages } = setup();
    const made = await scheduled.schedule(ANN, request(clock.now() + 1000));
    clock.advance(1000);
    // Another instance claimed it, stored its message, and died before forgetting it.
    const [claimed] = await store.claimDue(clock.now(), clock.now() + CLAIM_LEASE_MS, 10);
    assert.equal(claimed?.id, made.id);
    await engine.log.append({
      room: 'lobby',
      id: 'theirs',
      from: ANN.user,
      text: 'later',
      ts: clock.now(),
      cid: scheduledCid(made.id),
    });
    await scheduled.sendDue();
    assert.equal((await roomMessages()).length, 1, 'leased to the claimer that died');
    clock.advance(CLAIM_LEASE_MS);
    await scheduled.sendDue();
    assert.deepEqual(
      (await roomMessages()).map((m) => m.id),
      ['theirs'],
      'the second send is a duplicate',
    );
    assert.deepEqual(sent, [], 'and is not counted as sent again');
    assert.deepEqual(await store.ofUser('ann'), []);
  });

  it('runs one round at a time: a tick during a round waits for it', async () => {
    const { clock, scheduled, roomMessages } = setup();
    for (let i = 1; i <= 3; i += 1) await scheduled.schedule(ANN, request(clock.now() + i, `m${i}`));
    clock.advance(10);
    const first = scheduled.sendDue();
    assert.equal(scheduled.sendDue(), first);
    await first;
    assert.deepEqual(
      (await roomMessages()).map((m) => m.text),
      ['m1', 'm2', 'm3'],
      'sent in the order of their times',
    );
  });
});
