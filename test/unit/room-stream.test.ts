import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage, HistoryFrame, JoinedFrame } from '../../client/protocol.js';
import { RoomState } from '../../client/room-state.js';
import { type ResetReason, RoomStream, type RoomStreamHost } from '../../client/room-stream.js';

const msg = (offset: number, epoch = 'e1'): ChatMessage => ({
  room: 'r',
  id: `id-${epoch}-${offset}`,
  offset,
  epoch,
  from: { id: 'u', name: 'U' },
  text: `m${offset}`,
  ts: offset,
  cid: `c${offset}`,
});

const joined = (offset: number, extra: Partial<JoinedFrame> = {}, epoch = 'e1'): JoinedFrame => ({
  type: 'joined',
  ref: 1,
  room: 'r',
  position: { offset, epoch },
  presence: [],
  presenceCount: 0,
  ...extra,
});

/** A host whose history holds `stored` (or fails), recording what the stream did. */
function host(stored: ChatMessage[] = [], pageLimit = 100) {
  const delivered: number[] = [];
  const resets: Array<{ offset: number; reason: ResetReason }> = [];
  const gaps: Array<[number, number]> = [];
  const fetches: Array<[number, number]> = [];
  const h: RoomStreamHost = {
    deliver: (m) => delivered.push(m.offset),
    fetchAfter: async (_room, after, limit) => {
      fetches.push([after, limit]);
      const messages = stored.filter((m) => m.offset > after).slice(0, limit);
      const last = stored.at(-1);
      return {
        type: 'history',
        ref: 0,
        room: 'r',
        messages,
        position: { offset: last?.offset ?? 0, epoch: last?.epoch ?? 'e1' },
        hasMore: false,
      } satisfies HistoryFrame;
    },
    pageLimit: () => pageLimit,
    gap: (_room, from, to) => gaps.push([from, to]),
    reset: (_room, position, reason) => resets.push({ offset: position.offset, reason }),
  };
  return { h, delivered, resets, gaps, fetches };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('room stream (SDK ordering)', () => {
  it('at offset 0, takes the epoch of the first message without a reset (an empty room may be forgotten)', () => {
    const { h, delivered, resets } = host();
    const stream = new RoomStream('r', h);
    stream.joined(joined(0, {}, 'empty-epoch'));
    stream.live(msg(1, 'e2'));
    stream.live(msg(2, 'e2'));
    assert.deepEqual(delivered, [1, 2]);
    assert.equal(resets.length, 0);
    assert.deepEqual(stream.position, { offset: 2, epoch: 'e2' });
    // With something seen, another epoch is a reset as always.
    stream.live(msg(1, 'e3'));
    assert.equal(resets[0]?.reason, 'epoch_changed');
  });

  it('delivers in order and drops duplicates', () => {
    const { h, delivered } = host();
    const stream = new RoomStream('r', h);
    stream.joined(joined(0));
    for (const o of [1, 2, 2, 3, 1]) stream.live(msg(o));
    assert.deepEqual(delivered, [1, 2, 3]);
  });

  it('fills a gap from history before delivering what came after it', async () => {
    const stored = [1, 2, 3, 4, 5, 6].map((o) => msg(o));
    const { h, delivered, gaps } = host(stored);
    const stream = new RoomStream('r', h);
    stream.joined(joined(1));
    stream.live(msg(2));
    stream.live(msg(5));
    stream.live(msg(6));
    assert.deepEqual(delivered, [2], 'waits at the gap');
    await settle();
    await settle();
    assert.deepEqual(delivered, [2, 3, 4, 5, 6]);
    assert.deepEqual(gaps, [[3, 4]]);
  });

  it('fills a long gap page by page', async () => {
    const stored = Array.from({ length: 30 }, (_, i) => msg(i + 1));
    const { h, delivered, fetches } = host(stored, 10);
    const stream = new RoomStream('r', h);
    stream.joined(joined(0));
    stream.live(msg(30));
    for (let i = 0; i < 10; i += 1) await settle();
    assert.deepEqual(
      delivered,
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.deepEqual(fetches, [
      [0, 10],
      [10, 10],
      [20, 9],
    ]);
  });

  it('resets instead of showing a gap when history no longer has it', async () => {
    const stored = [8, 9, 10].map((o) => msg(o)); // 2..7 trimmed
    const { h, delivered, resets } = host(stored);
    const stream = new RoomStream('r', h);
    stream.joined(joined(1));
    stream.live(msg(10));
    await settle();
    await settle();
    assert.deepEqual(resets, [{ offset: 9, reason: 'history_trimmed' }]);
    assert.deepEqual(delivered, [10]);
  });

  it('resets when a live message comes from a new epoch', () => {
    const { h, delivered, resets } = host();
    const stream = new RoomStream('r', h);
    stream.joined(joined(5));
    stream.live(msg(6));
    stream.live(msg(1, 'e2'));
    stream.live(msg(2, 'e2'));
    assert.deepEqual(delivered, [6, 1, 2]);
    assert.deepEqual(resets, [{ offset: 0, reason: 'epoch_changed' }]);
    assert.deepEqual(stream.resumeFrom, { offset: 2, epoch: 'e2' });
  });

  it('applies a recovery, skipping what it already had', () => {
    const { h, delivered, resets } = host();
    const stream = new RoomStream('r', h);
    stream.joined(joined(0));
    stream.live(msg(1));
    stream.live(msg(2));
    stream.joined(joined(5, { recovered: true, messages: [2, 3, 4, 5].map((o) => msg(o)) }));
    stream.live(msg(5));
    stream.live(msg(6));
    assert.deepEqual(delivered, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(resets, []);
  });

  it('catches up to a position hint: fetches what it lacks even when no live message follows', async () => {
    const stored = [1, 2, 3, 4, 5].map((o) => msg(o));
    const { h, delivered, resets } = host(stored);
    const stream = new RoomStream('r', h);
    stream.joined(joined(2));
    stream.caughtUp({ offset: 2, epoch: 'e1' });
    stream.caughtUp({ offset: 5, epoch: 'e1' });
    await settle();
    await settle();
    assert.deepEqual(delivered, [3, 4, 5]);
    stream.caughtUp({ offset: 0, epoch: 'e2' });
    assert.deepEqual(resets, [{ offset: 0, reason: 'epoch_changed' }]);
  });

  // The SDK applies a join reply when its request's promise settles, a microtask after the reply was read; the live
  // messages that followed it in the same read (the `ws` package emits a read's frames in one tick) come first.
  describe('with the room state, live messages that overtook their join reply', () => {
    const room = (stored: ChatMessage[] = []) => {
      const recorded = host(stored);
      const stream = new RoomStream('r', recorded.h);
      return { ...recorded, stream, state: new RoomState(stream) };
    };

    it('keeps one above a resume, which comes neither in the recovery nor again (found by the nginx drain test)', async () => {
      const { state, stream, delivered } = room([1, 2, 3, 4, 5, 6].map((o) => msg(o)));
      state.applyJoined(joined(0));
      for (const o of [1, 2, 3, 4]) state.live(msg(o));
      state.connectionLost();
      // Reconnected; the server answered the resume (since 4) with 5, then sent 6 live: 6 is read first.
      state.live(msg(6));
      state.applyJoined(joined(5, { recovered: true, messages: [msg(5)] }));
      await settle();
      assert.deepEqual(delivered, [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(stream.position, { offset: 6, epoch: 'e1' });
    });

    it('delivers one that overtook the first join reply once', async () => {
      const { state, stream, delivered } = room([1, 2, 3, 4, 5, 6].map((o) => msg(o)));
      state.live(msg(5));
      state.applyJoined(joined(4));
      state.live(msg(6));
      await settle();
      assert.deepEqual(delivered, [5, 6]);
      assert.deepEqual(stream.position, { offset: 6, epoch: 'e1' });
    });

    it('keeps one above a resume that could not recover', () => {
      const { state, delivered, resets } = room();
      state.applyJoined(joined(0));
      state.live(msg(1));
      state.connectionLost();
      state.live(msg(8));
      state.applyJoined(joined(7, { recovered: false }));
      assert.deepEqual(resets, [{ offset: 7, reason: 'not_recovered' }]);
      assert.deepEqual(delivered, [1, 8]);
    });

    it('forgets those of a connection that was lost before its reply came', () => {
      const { state, delivered } = room();
      state.live(msg(3));
      state.connectionLost();
      state.applyJoined(joined(5));
      state.live(msg(6));
      assert.deepEqual(delivered, [6]);
    });
  });

  it('tells the application when a resume could not recover', () => {
    const { h, delivered, resets } = host();
    const stream = new RoomStream('r', h);
    stream.joined(joined(0));
    stream.live(msg(1));
    stream.joined(joined(3, { recovered: false }, 'e9'));
    stream.live(msg(4, 'e9'));
    assert.deepEqual(resets, [{ offset: 3, reason: 'not_recovered' }]);
    assert.deepEqual(delivered, [1, 4]);
  });
});
