/**
 * Conformance suite of the DraftStore contract (what users typed and did not send): set and replaced, cleared, listed
 * newest first, bounded per user. Every backend answers the same way.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { DraftStore } from '../../src/drafts/draft-store.js';

/** Makes a fresh, empty store. */
export interface DraftStoreFactory {
  create(): Promise<{ store: DraftStore; close(): Promise<void> }>;
}

const T0 = 1_800_000_000_000;

export function draftStoreSuite(name: string, factory: DraftStoreFactory): void {
  describe(`DraftStore conformance: ${name}`, () => {
    const open: Array<() => Promise<void>> = [];
    const make = async () => {
      const made = await factory.create();
      open.push(made.close);
      return made.store;
    };
    after(async () => {
      await Promise.all(open.map((close) => close()));
    });

    it('keeps one draft per user and room, the newest text, listed the most recently set first', async () => {
      const store = await make();
      assert.equal(await store.set('ann', { room: 'lobby', text: 'hel', at: T0 }, 10), true);
      assert.equal(
        await store.set('ann', { room: 'design', text: 'see “the plan” 👍', at: T0 + 1 }, 10),
        true,
      );
      assert.equal(await store.set('ann', { room: 'lobby', text: 'hello', at: T0 + 2 }, 10), true);
      assert.equal(await store.set('bob', { room: 'lobby', text: 'his own', at: T0 + 3 }, 10), true);
      assert.deepEqual(await store.ofUser('ann'), [
        { room: 'lobby', text: 'hello', at: T0 + 2 },
        { room: 'design', text: 'see “the plan” 👍', at: T0 + 1 },
      ]);
      assert.deepEqual(await store.ofUser('bob'), [{ room: 'lobby', text: 'his own', at: T0 + 3 }]);
      assert.deepEqual(await store.ofUser('nobody'), []);
      // The same time: by room.
      await store.set('cy', { room: 'b', text: 'x', at: T0 }, 10);
      await store.set('cy', { room: 'a', text: 'y', at: T0 }, 10);
      assert.deepEqual(
        (await store.ofUser('cy')).map((d) => d.room),
        ['a', 'b'],
      );
    });

    it('clears a draft, saying whether there was one', async () => {
      const store = await make();
      await store.set('ann', { room: 'lobby', text: 'gone soon', at: T0 }, 10);
      assert.equal(await store.clear('bob', 'lobby'), false, 'not bob’s');
      assert.equal(await store.clear('ann', 'lobby'), true);
      assert.equal(await store.clear('ann', 'lobby'), false);
      assert.deepEqual(await store.ofUser('ann'), []);
    });

    it('bounds the rooms a user keeps drafts of, not the changes to one they have', async () => {
      const store = await make();
      for (const room of ['a', 'b', 'c'])
        assert.equal(await store.set('ann', { room, text: room, at: T0 }, 3), true);
      assert.equal(await store.set('ann', { room: 'd', text: 'd', at: T0 + 1 }, 3), false, 'a fourth room');
      assert.equal(
        await store.set('ann', { room: 'a', text: 'a again', at: T0 + 2 }, 3),
        true,
        'one of the three',
      );
      assert.equal(
        await store.set('bob', { room: 'd', text: 'd', at: T0 + 3 }, 3),
        true,
        'the bound is per user',
      );
      await store.clear('ann', 'b');
      assert.equal(
        await store.set('ann', { room: 'd', text: 'd', at: T0 + 4 }, 3),
        true,
        'room again once one went',
      );
      assert.deepEqual(
        (await store.ofUser('ann')).map((d) => [d.room, d.text]),
        [
          ['d', 'd'],
          ['a', 'a again'],
          ['c', 'c'],
        ],
      );
    });
  });
}
