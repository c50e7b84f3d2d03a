import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Broker } from '../../src/broker/broker.js';
import { RoomIndex } from '../../src/hub/room-index.js';
import type { Session } from '../../src/hub/session.js';

/** A broker that records subscribe calls and lets the test settle each one (or fail it). */
function recordingBroker() {
  const calls: string[] = [];
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const subscribed = new Set<string>();
  const broker = {
    subscribe: (room: string) =>
      new Promise<void>((resolve, reject) => {
        calls.push(`+${room}`);
        pending.push({
          resolve: () => {
            subscribed.add(room);
            resolve();
          },
          reject,
        });
      }),
    unsubscribe: async (room: string) => {
      calls.push(`-${room}`);
      subscribed.delete(room);
    },
    subscribedRooms: () => subscribed,
  } as unknown as Broker;
  const settleAll = async () => {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = pending.shift();
      if (!next) return;
      next.resolve();
    }
  };
  return { broker, calls, pending, subscribed, settleAll };
}

const session = (id: string) => ({ id }) as unknown as Session;

describe('room index', () => {
  it('subscribes on the first local member and unsubscribes after the last', async () => {
    const { broker, calls, settleAll, subscribed } = recordingBroker();
    const index = new RoomIndex(broker, () => {});
    const [a, b] = [session('a'), session('b')];
    const joins = Promise.all([index.add('r', a), index.add('r', b)]);
    await settleAll();
    await joins;
    assert.deepEqual(calls, ['+r'], 'one subscription for two members');
    assert.equal(index.members('r')?.size, 2);
    index.remove('r', a);
    await settleAll();
    assert.deepEqual(calls, ['+r']);
    index.remove('r', b);
    await settleAll();
    assert.deepEqual(calls, ['+r', '-r']);
    assert.equal(index.roomCount, 0);
    assert.equal(subscribed.size, 0);
  });

  it('ends subscribed when a join races the last leave (calls serialised per room)', async () => {
    const { broker, calls, settleAll, subscribed } = recordingBroker();
    const index = new RoomIndex(broker, () => {});
    const a = session('a');
    const first = index.add('r', a);
    await settleAll();
    await first;
    index.remove('r', a);
    index.remove('r', session('x')); // not a member: nothing happens
    const again = index.add('r', session('b'));
    await settleAll();
    await again;
    assert.deepEqual(calls, ['+r', '-r', '+r']);
    assert.ok(subscribed.has('r'));
    assert.equal(index.members('r')?.size, 1);
  });

  it('does not keep a member whose subscription failed', async () => {
    const { broker, pending } = recordingBroker();
    const index = new RoomIndex(broker, () => {});
    const join = index.add('r', session('a'));
    await new Promise((resolve) => setImmediate(resolve));
    pending.shift()?.reject(new Error('redis down'));
    await assert.rejects(join, /redis down/);
    assert.equal(index.members('r'), undefined);
    assert.equal(index.roomCount, 0);
  });
  it('counts rooms with members (not those only listened to) and moves its version when that list changes', async () => {
    const { broker, settleAll } = recordingBroker();
    const index = new RoomIndex(broker, () => {});
    const [a, b, c] = [session('a'), session('b'), session('c')];
    const version = () => index.membersVersion;
    const start = version();
    const joins = Promise.all([index.add('r', a), index.add('r', b), index.listen('s', c)]);
    await settleAll();
    await joins;
    assert.equal(index.roomCount, 1, 'a room only listened to has no member');
    assert.deepEqual([...index.roomNames()], ['r']);
    const withR = version();
    assert.notEqual(withR, start);
    index.remove('r', a);
    assert.equal(version(), withR, 'r still has a member');
    const toS = index.add('s', a);
    await settleAll();
    await toS;
    assert.equal(index.roomCount, 2);
    assert.notEqual(version(), withR, 's got its first member');
    const withS = version();
    index.remove('r', b);
    index.remove('r', b); // not a member any more: nothing changes
    assert.equal(index.roomCount, 1);
    assert.deepEqual([...index.roomNames()], ['s']);
    assert.notEqual(version(), withS, 'r lost its last member');
    index.remove('s', a);
    index.unlisten('s', c);
    assert.equal(index.roomCount, 0);
  });
});
