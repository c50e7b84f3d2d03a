/**
 * Conformance suite of the ScheduledStore contract (messages sent later): adding within a user's bound, listing,
 * removing, claiming what is due once across claimers, leases, sent and failed. Every backend answers the same way.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ScheduledRecord, ScheduledStore } from '../../src/schedule/scheduled-store.js';
import { randomId } from '../../src/util/ids.js';

/** Makes a fresh, empty store (or, with `again`, a second handle on the same one: another instance's). */
export interface ScheduledStoreFactory {
  create(): Promise<{ store: ScheduledStore; again(): Promise<ScheduledStore>; close(): Promise<void> }>;
}

const T0 = 1_800_000_000_000;

const record = (overrides: Partial<ScheduledRecord> = {}): ScheduledRecord => ({
  id: randomId(),
  userId: 'ann',
  userName: 'Ann',
  room: 'lobby',
  text: 'later',
  at: T0 + 60_000,
  createdAt: T0,
  ...overrides,
});

export function scheduledStoreSuite(name: string, factory: ScheduledStoreFactory): void {
  describe(`ScheduledStore conformance: ${name}`, () => {
    const open: Array<() => Promise<void>> = [];
    const make = async () => {
      const made = await factory.create();
      open.push(made.close);
      return made;
    };
    after(async () => {
      await Promise.all(open.map((close) => close()));
    });

    it('keeps what it is given, lists a user’s own soonest first, and bounds each user', async () => {
      const { store } = await make();
      const later = record({ at: T0 + 120_000, text: 'second', replyTo: 7, mentions: ['bob', 'cy'] });
      const sooner = record({ at: T0 + 60_000, text: 'first', mentionsRoom: true });
      assert.equal(await store.add(later, 3), true);
      assert.equal(await store.add(sooner, 3), true);
      assert.equal(await store.add(record({ userId: 'bob', userName: 'Bob' }), 3), true);
      assert.deepEqual(await store.ofUser('ann'), [sooner, later]);
      assert.equal(await store.add(record(), 3), true);
      assert.equal(await store.add(record(), 3), false, 'a fourth is over the bound of 3');
      assert.equal((await store.ofUser('ann')).length, 3);
      assert.equal((await store.ofUser('bob')).length, 1, 'the bound is per user');
      assert.deepEqual(await store.ofUser('nobody'), []);
    });

    it('removes only its user’s own, and says what it removed', async () => {
      const { store } = await make();
      const mine = record();
      await store.add(mine, 10);
      assert.equal(await store.remove('bob', mine.id), undefined, 'not bob’s');
      assert.deepEqual(await store.remove('ann', mine.id), mine);
      assert.equal(await store.remove('ann', mine.id), undefined, 'gone');
      assert.deepEqual(await store.ofUser('ann'), []);
    });

    it('claims what is due, soonest first, up to a limit, and not again while leased', async () => {
      const { store } = await make();
      const a = record({ at: T0 + 1000 });
      const b = record({ at: T0 + 2000, userId: 'bob', userName: 'Bob' });
      const c = record({ at: T0 + 3000 });
      const notYet = record({ at: T0 + 60_000 });
      for (const each of [c, notYet, a, b]) await store.add(each, 10);
      assert.deepEqual(await store.claimDue(T0, T0 + 30_000, 10), [], 'nothing is due before its time');
      assert.deepEqual(await store.claimDue(T0 + 5000, T0 + 35_000, 2), [a, b]);
      assert.deepEqual(await store.claimDue(T0 + 5000, T0 + 35_000, 10), [c], 'a and b are leased');
      assert.deepEqual(await store.claimDue(T0 + 6000, T0 + 36_000, 10), []);
      // Leases end: a claimer that died leaves its messages due again.
      assert.deepEqual(
        (await store.claimDue(T0 + 35_000, T0 + 65_000, 10)).map((each) => each.id),
        [a.id, b.id, c.id],
      );
      // A claimed message is still its user's to list and to remove.
      assert.equal((await store.ofUser('ann')).length, 3);
      assert.ok(await store.remove('ann', c.id));
      assert.deepEqual(
        (await store.claimDue(T0 + 70_000, T0 + 100_000, 10)).map((each) => each.id),
        [a.id, b.id, notYet.id],
      );
    });

    it('forgets one sent, and keeps one failed (listed, no longer due) until it is removed', async () => {
      const { store } = await make();
      const sent = record({ at: T0 + 1000 });
      const failing = record({ at: T0 + 2000 });
      await store.add(sent, 10);
      await store.add(failing, 10);
      assert.equal((await store.claimDue(T0 + 5000, T0 + 35_000, 10)).length, 2);
      await store.sent(sent.id);
      const failure = { code: 'muted', message: 'muted in this room', at: T0 + 5001 };
      assert.deepEqual(await store.fail(failing.id, failure), { ...failing, failed: failure });
      assert.deepEqual(await store.ofUser('ann'), [{ ...failing, failed: failure }]);
      assert.deepEqual(await store.claimDue(T0 + 99_000, T0 + 129_000, 10), [], 'a failed one is not due');
      assert.equal(await store.fail(sent.id, failure), undefined, 'a sent one is gone');
      await store.sent(sent.id);
      assert.ok(await store.remove('ann', failing.id));
      assert.deepEqual(await store.ofUser('ann'), []);
    });

    it('moves one of its user’s own to another time, pending again (failed or leased)', async () => {
      const { store } = await make();
      const failing = record({ at: T0 + 1000 });
      await store.add(failing, 10);
      await store.claimDue(T0 + 1000, T0 + 31_000, 10);
      await store.fail(failing.id, { code: 'muted', message: 'muted', at: T0 + 1000 });
      assert.equal(await store.reschedule('bob', failing.id, T0 + 2000), undefined, 'not bob’s');
      assert.equal(await store.reschedule('ann', 'nope', T0 + 2000), undefined);
      const moved = { ...failing, at: T0 + 2000 };
      assert.deepEqual(await store.reschedule('ann', failing.id, T0 + 2000), moved);
      assert.deepEqual(await store.ofUser('ann'), [moved]);
      assert.deepEqual(
        await store.claimDue(T0 + 2000, T0 + 32_000, 10),
        [moved],
        'due again: no longer failed',
      );
      // Leased (being sent): moved, it is due again at its new time.
      assert.deepEqual(await store.reschedule('ann', failing.id, T0 + 3000), { ...failing, at: T0 + 3000 });
      assert.deepEqual(await store.claimDue(T0 + 3000, T0 + 33_000, 10), [{ ...failing, at: T0 + 3000 }]);
    });

    it('never hands one message to two claimers at once', async () => {
      const { store, again } = await make();
      const other = await again();
      const due = Array.from({ length: 40 }, (_, i) => record({ at: T0 + i, userId: `u${i % 4}` }));
      for (const each of due) await store.add(each, 100);
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).claimDue(T0 + 1000, T0 + 31_000, 7)),
      );
      const ids = claims.flat().map((each) => each.id);
      assert.equal(new Set(ids).size, ids.length, 'no message claimed twice');
      assert.equal(ids.length, 40, 'and every one claimed');
    });
  });
}
