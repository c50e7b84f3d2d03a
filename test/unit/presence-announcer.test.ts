import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomSignal } from '../../src/broker/broker.js';
import { PresenceAnnouncer } from '../../src/hub/presence-announcer.js';
import { waitUntil } from '../helpers/wait.js';

const user = (id: string) => ({ id, name: id.toUpperCase() });

function announcer(windowMs: number, maxWindowMs = windowMs) {
  const sent: RoomSignal[] = [];
  /** When each diff was sent (Date.now()). */
  const at: number[] = [];
  const a = new PresenceAnnouncer(
    windowMs,
    maxWindowMs,
    async (s) => {
      sent.push(s);
      at.push(Date.now());
    },
    () => {},
  );
  return { a, sent, at };
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

  it('announces the first change of a quiet room at the end of the turn, without waiting for the window', async () => {
    const { a, sent } = announcer(60_000);
    a.joined('r', user('x'));
    a.joined('r', user('y'));
    assert.equal(sent.length, 0, 'not within the turn');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent, [{ kind: 'presence', room: 'r', joins: [user('x'), user('y')], leaves: [] }]);
  });

  it('holds changes after a diff until the window ends, then sends them as one', async () => {
    const { a, sent } = announcer(600);
    a.joined('r', user('x'));
    await waitUntil(() => sent.length === 1, 2000, 'the first diff');
    const firstAt = Date.now();
    a.joined('r', user('y'));
    a.left('r', user('x'));
    a.joined('other', user('z'));
    await waitUntil(() => sent.length === 2, 2000, 'the quiet room’s diff');
    assert.deepEqual(sent[1], { kind: 'presence', room: 'other', joins: [user('z')], leaves: [] });
    await waitUntil(() => sent.length === 3, 2000, 'the window to end');
    // The window started when the first diff was sent, a little before it was seen here.
    assert.ok(Date.now() - firstAt >= 300, 'held for the window');
    assert.deepEqual(sent[2], { kind: 'presence', room: 'r', joins: [user('y')], leaves: [user('x')] });
  });

  it('doubles the window while the room keeps changing, up to the maximum', async () => {
    const { a, sent, at } = announcer(100, 200);
    a.joined('r', user('a'));
    for (const [n, id] of [
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ] as const) {
      await waitUntil(() => sent.length === n - 1, 5000, `diff ${n - 1}`);
      a.joined('r', user(id));
    }
    await waitUntil(() => sent.length === 4, 5000, 'diff 4');
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    // Windows of 100, 200 and (capped) 200 ms; timers measure from a loop time that may lag Date.now() a little.
    assert.ok((gaps[0] as number) >= 80, `first window ${gaps[0]}`);
    assert.ok((gaps[1] as number) >= 180, `doubled window ${gaps[1]}`);
    assert.ok((gaps[2] as number) >= 180, `capped window ${gaps[2]}`);
    assert.deepEqual(
      sent.map((s) => (s.kind === 'presence' ? s.joins.map((u) => u.id) : [])),
      [['a'], ['b'], ['c'], ['d']],
    );
  });

  it('forgets a room that stayed quiet for a window: its next change goes out at once', async () => {
    const { a, sent } = announcer(50);
    a.joined('r', user('x'));
    await waitUntil(() => sent.length === 1, 2000, 'the first diff');
    // After the window the follow-up finds nothing to send and forgets the room.
    await waitUntil(() => a.roomsTracked === 0, 2000, 'the room to be forgotten');
    a.left('r', user('x'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sent.length, 2);
  });
});
