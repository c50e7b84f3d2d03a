import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage, RoomEvent } from '../../src/engine/types.js';
import { OrderedDelivery } from '../../src/hub/ordered-delivery.js';
import type { HistoryQuery } from '../../src/log/room-log.js';
import { ManualClock } from '../../src/util/clock.js';

const EPOCH = 'e1';
const message = (offset: number, epoch = EPOCH): RoomEvent => ({
  kind: 'message',
  room: 'r',
  message: {
    room: 'r',
    id: `m${offset}`,
    offset,
    epoch,
    from: { id: 'u', name: 'U' },
    text: `t${offset}`,
    ts: 0,
    cid: `c${offset}`,
  },
});

/**
 * An ordered delivery over a log holding offsets 1..`stored`, recording what it delivers and reads. With `held`,
 * each read waits until the test lets reads answer (`answerReads`): what arrives meanwhile meets a read in flight.
 */
function setup(stored = 100, held = false) {
  let holding = held;
  const clock = new ManualClock(0);
  const delivered: number[] = [];
  const reads: HistoryQuery[] = [];
  const waiting: Array<() => void> = [];
  const ordering = new OrderedDelivery({
    read: async (_room, query) => {
      reads.push(query);
      if (holding) await new Promise<void>((resolve) => waiting.push(resolve));
      const from = (query.after ?? 0) + 1;
      const messages: ChatMessage[] = [];
      for (let o = from; o <= Math.min(stored, from + query.limit - 1); o += 1) {
        messages.push((message(o) as { message: ChatMessage }).message);
      }
      return { messages, position: { offset: stored, epoch: EPOCH }, earliest: 1 };
    },
    deliver: (event) => {
      if (event.kind === 'message') delivered.push(event.message.offset);
    },
    timers: clock,
    holdMs: 100,
    fillMax: 50,
    report: (operation, error) => assert.fail(`${operation}: ${String(error)}`),
  });
  /** Answers the reads waiting, and from now on every read at once. */
  const answerReads = () => {
    holding = false;
    for (const answer of waiting.splice(0)) answer();
  };
  return { clock, delivered, reads, ordering, waiting, answerReads };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ordered delivery', () => {
  it('passes messages in order straight through, and drops repeats', () => {
    const { ordering, delivered, reads } = setup();
    ordering.note('r', { offset: 0, epoch: EPOCH });
    for (const offset of [1, 2, 2, 3, 1]) ordering.accept(message(offset));
    assert.deepEqual(delivered, [1, 2, 3]);
    assert.equal(reads.length, 0);
  });

  it('holds a message above a gap until the missing one arrives (publications crossed)', () => {
    const { ordering, delivered, reads } = setup();
    ordering.note('r', { offset: 0, epoch: EPOCH });
    ordering.accept(message(1));
    ordering.accept(message(3));
    ordering.accept(message(4));
    assert.deepEqual(delivered, [1], 'n+1 is never shown before n');
    ordering.accept(message(2));
    assert.deepEqual(delivered, [1, 2, 3, 4]);
    assert.equal(reads.length, 0, 'no read when the gap closes by itself');
  });

  it('reads the gap from the log once the hold expires', async () => {
    const { ordering, delivered, reads, clock } = setup();
    ordering.note('r', { offset: 4, epoch: EPOCH });
    ordering.accept(message(8));
    clock.advance(99);
    assert.deepEqual(delivered, []);
    clock.advance(1);
    await settle();
    assert.deepEqual(delivered, [5, 6, 7, 8]);
    assert.deepEqual(reads, [{ after: 4, limit: 3 }]);
    ordering.accept(message(6));
    ordering.accept(message(9));
    assert.deepEqual(delivered, [5, 6, 7, 8, 9]);
  });

  it('catches up with everything the log holds beyond what was delivered (after a lost subscription)', async () => {
    const { ordering, delivered } = setup(120);
    ordering.note('r', { offset: 10, epoch: EPOCH });
    await ordering.catchUp('r');
    assert.deepEqual(
      delivered,
      Array.from({ length: 110 }, (_, i) => i + 11),
    );
  });

  it('delivers each message once when live ones arrive above a gap while a catch-up reads past them', async () => {
    // After a failover: the node delivered up to 20 and catches up from the log; meanwhile the bus brings 22-25
    // back (21 is still missing live). The read answers 21-30: 22-25 are delivered from it, and what was held of
    // them must not be delivered again, nor the sequence sent back to 22 (a Redis Cluster failover test saw 21-25
    // twice, out of order).
    const { ordering, delivered, clock, answerReads } = setup(30, true);
    ordering.note('r', { offset: 20, epoch: EPOCH });
    const catchingUp = ordering.catchUp('r');
    await settle();
    for (const offset of [22, 23, 24, 25]) ordering.accept(message(offset));
    assert.deepEqual(delivered, [], 'held above the gap at 21');
    answerReads();
    await catchingUp;
    clock.advance(1000);
    for (let i = 0; i < 5; i += 1) await settle();
    ordering.accept(message(31));
    ordering.accept(message(25));
    assert.deepEqual(
      delivered,
      Array.from({ length: 11 }, (_, i) => i + 21),
      'each once, in order',
    );
  });

  it("a catch-up that finds a gap's fill under way reads on after it, to the log's end", async () => {
    // The fill of a gap reads only up to the held message; the catch-up after a lost subscription must still
    // deliver what the log holds beyond it (a quiet room's only message sent meanwhile).
    const { ordering, delivered, clock, waiting, answerReads } = setup(12, true);
    ordering.note('r', { offset: 0, epoch: EPOCH });
    ordering.accept(message(1));
    ordering.accept(message(3));
    clock.advance(100);
    await settle();
    assert.equal(waiting.length, 1, "the gap's fill is reading");
    const catchingUp = ordering.catchUp('r');
    answerReads();
    await catchingUp;
    assert.deepEqual(
      delivered,
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  it('skips a gap the log cannot fill, and starts over on a new epoch', async () => {
    const { ordering, delivered, clock } = setup(3);
    ordering.note('r', { offset: 0, epoch: EPOCH });
    ordering.accept(message(7));
    clock.advance(100);
    await settle();
    await settle();
    assert.deepEqual(delivered, [1, 2, 3, 7], 'what the log had, then the held message');
    ordering.accept(message(1, 'e2'));
    assert.deepEqual(delivered, [1, 2, 3, 7, 1]);
    ordering.forget('r');
    assert.equal(ordering.roomCount, 0);
  });
});
