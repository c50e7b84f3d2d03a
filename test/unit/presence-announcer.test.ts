import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomSignal } from '../../src/broker/broker.js';
import { PresenceAnnouncer } from '../../src/hub/presence-announcer.js';
import { ManualClock } from '../../src/util/clock.js';

const user = (id: string) => ({ id, name: id.toUpperCase() });

/** An announcer on a manual clock: time moves only with `clock.advance`, so windows are exact. */
function announcer(windowMs: number, maxWindowMs = windowMs) {
  const clock = new ManualClock(0);
  const sent: RoomSignal[] = [];
  /** When each diff was sent, on the manual clock. */
  const at: number[] = [];
  const a = new PresenceAnnouncer(
    windowMs,
    maxWindowMs,
    async (s) => {
      sent.push(s);
      at.push(clock.now());
    },
    () => {},
    clock,
  );
  return { a, sent, at, clock };
}

describe('presence announcer', () => {
  it('announces each change at once with a zero window', () => {
    const { a, sent } = announcer(0);
    a.joined('r', user('x'));
    a.left('r', user('x'));
    assert.equal(sent.length, 2);
  });

  it('coalesces a room’s changes within the window into one diff, per room', async () => {
    const { a, sent } = announcer(1000);
    for (const id of ['a', 'b', 'c']) a.joined('r1', user(id));
    a.joined('r2', user('d'));
    a.left('r1', user('old'));
    assert.equal(sent.length, 0, 'nothing before the window ends');
    await a.flush();
    assert.deepEqual(sent, [
      { kind: 'presence', room: 'r1', joins: [user('a'), user('b'), user('c')], leaves: [user('old')] },
      { kind: 'presence', room: 'r2', joins: [user('d')], leaves: [] },
    ]);
  });

  it('lets a change and its undoing cancel out within the window', async () => {
    const { a, sent } = announcer(1000);
    a.joined('r', user('flicker'));
    a.left('r', user('flicker'));
    a.left('r', user('back'));
    a.joined('r', user('back'));
    await a.flush();
    assert.deepEqual(sent, [], 'a reconnect within the window shows no leave and no join');
  });

  it('announces the first change of a quiet room at the end of the turn, without waiting for the window', () => {
    const { a, sent, clock } = announcer(60_000);
    a.joined('r', user('x'));
    a.joined('r', user('y'));
    assert.equal(sent.length, 0, 'not within the turn');
    clock.advance(0);
    assert.deepEqual(sent, [{ kind: 'presence', room: 'r', joins: [user('x'), user('y')], leaves: [] }]);
  });

  it('holds changes after a diff until the window ends, then sends them as one', () => {
    const { a, sent, at, clock } = announcer(600);
    a.joined('r', user('x'));
    clock.advance(0);
    assert.equal(sent.length, 1);
    a.joined('r', user('y'));
    a.left('r', user('x'));
    a.joined('other', user('z'));
    clock.advance(0);
    assert.deepEqual(sent[1], { kind: 'presence', room: 'other', joins: [user('z')], leaves: [] });
    clock.advance(599);
    assert.equal(sent.length, 2, 'held for the whole window');
    clock.advance(1);
    assert.deepEqual(sent[2], { kind: 'presence', room: 'r', joins: [user('y')], leaves: [user('x')] });
    assert.deepEqual(at, [0, 0, 600]);
  });

  it('doubles the window while the room keeps changing, up to the maximum', () => {
    const { a, sent, at, clock } = announcer(100, 200);
    a.joined('r', user('a'));
    clock.advance(0);
    // Each change comes right after the previous diff, so the room never goes quiet.
    for (const [id, window] of [
      ['b', 100],
      ['c', 200],
      ['d', 200],
    ] as const) {
      a.joined('r', user(id));
      clock.advance(window - 1);
      const last = sent.at(-1);
      assert.notEqual(last?.kind === 'presence' ? last.joins[0]?.id : undefined, id, 'held for the window');
      clock.advance(1);
    }
    // The first change at once, then windows of 100, 200 and (capped) 200 ms.
    assert.deepEqual(at, [0, 100, 300, 500]);
    assert.deepEqual(
      sent.map((s) => (s.kind === 'presence' ? s.joins.map((u) => u.id) : [])),
      [['a'], ['b'], ['c'], ['d']],
    );
  });

  it('forgets a room that stayed quiet for a window: its next change goes out at once', () => {
    const { a, sent, clock } = announcer(50);
    a.joined('r', user('x'));
    clock.advance(0);
    assert.equal(sent.length, 1);
    // After the window the follow-up finds nothing to send and forgets the room.
    clock.advance(50);
    assert.equal(a.roomsTracked, 0);
    a.left('r', user('x'));
    clock.advance(0);
    assert.equal(sent.length, 2);
  });
});
