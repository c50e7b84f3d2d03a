import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomSignal } from '../../src/broker/broker.js';
import { PresenceAnnouncer } from '../../src/hub/presence-announcer.js';
import { waitUntil } from '../helpers/wait.js';

const user = (id: string) => ({ id, name: id.toUpperCase() });

function announcer(windowMs: number) {
  const sent: RoomSignal[] = [];
  const a = new PresenceAnnouncer(
    windowMs,
    async (s) => {
      sent.push(s);
    },
    () => {},
  );
  return { a, sent };
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

  it('sends when the window ends', async () => {
    const { a, sent } = announcer(20);
    a.joined('r', user('x'));
    await waitUntil(() => sent.length === 1, 2000, 'the window to end');
  });
});
