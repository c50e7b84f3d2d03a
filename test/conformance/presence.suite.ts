/** Conformance suite of the PresenceStore contract. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { EngineFixture, FixtureFactory } from './fixture.js';

const alice = { id: 'alice', name: 'Alice' };
const bob = { id: 'bob', name: 'Bob' };
const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
const TTL = 5000;

export function presenceSuite(name: string, factory: FixtureFactory): void {
  describe(`PresenceStore conformance: ${name}`, () => {
    const open: EngineFixture[] = [];
    const make = async () => {
      const fixture = await factory.create({ historySize: 10, presenceTtlMs: TTL });
      open.push(fixture);
      return fixture;
    };
    after(async () => {
      await Promise.all(open.map((f) => f.close()));
    });
    /** Two store instances on the same data (undefined for single-instance engines). */
    const twoInstances = async () => {
      const fixture = await make();
      if (!fixture.peer) return undefined;
      const peer = await fixture.peer();
      open.push(peer);
      return { first: fixture.presence, second: peer.presence, clock: peer.clock };
    };
    /** Lets more than the TTL pass during which only `alive` heartbeats. */
    const outliveTtl = async (
      alive: { refreshLiveness(): Promise<void> },
      clock: { advance(ms: number): void },
    ) => {
      for (let i = 0; i < 2; i += 1) {
        clock.advance(TTL * 0.6);
        await alive.refreshLiveness();
      }
    };

    it('aggregates connections by user: join on the first, leave on the last', async () => {
      const { presence } = await make();
      assert.deepEqual(await presence.add('r', { conn: 'c1', user: alice, node: 'n1' }), {
        userJoined: true,
      });
      assert.deepEqual(await presence.add('r', { conn: 'c2', user: alice, node: 'n2' }), {
        userJoined: false,
      });
      assert.deepEqual(await presence.add('r', { conn: 'c3', user: bob, node: 'n1' }), { userJoined: true });
      const users = await presence.users('r');
      assert.deepEqual(users.map((u) => u.id).sort(), ['alice', 'bob']);
      assert.equal((await presence.remove('r', 'c1')).userLeft, false);
      assert.deepEqual(await presence.remove('r', 'c2'), { userLeft: true, user: alice });
      assert.deepEqual(await presence.users('r'), [bob]);
    });

    it('lists a user with several connections as the user, whatever the count goes through', async () => {
      const { presence } = await make();
      for (const conn of ['c1', 'c2', 'c3']) await presence.add('r', { conn, user: alice, node: 'n1' });
      await presence.add('r', { conn: 'c4', user: bob, node: 'n1' });
      assert.deepEqual((await presence.sample('r', 10)).users.map((u) => ({ ...u })).sort(byId), [
        alice,
        bob,
      ]);
      assert.equal((await presence.remove('r', 'c3')).userLeft, false);
      assert.equal((await presence.remove('r', 'c1')).userLeft, false);
      assert.deepEqual((await presence.users('r')).map((u) => ({ ...u })).sort(byId), [alice, bob]);
      await presence.add('r', { conn: 'c5', user: alice, node: 'n1' });
      assert.equal((await presence.remove('r', 'c2')).userLeft, false);
      assert.deepEqual(await presence.remove('r', 'c5'), { userLeft: true, user: alice });
      assert.deepEqual(await presence.sample('r', 10), { count: 1, users: [bob] });
    });

    it('treats adding a present connection again as a refresh', async () => {
      const { presence } = await make();
      await presence.add('r', { conn: 'c1', user: alice, node: 'n1' });
      assert.deepEqual(await presence.add('r', { conn: 'c1', user: alice, node: 'n1' }), {
        userJoined: false,
      });
      assert.deepEqual(await presence.remove('r', 'c1'), { userLeft: true, user: alice });
    });

    it('ignores removing an unknown connection', async () => {
      const { presence } = await make();
      assert.deepEqual(await presence.remove('nowhere', 'ghost'), { userLeft: false });
    });

    it('keeps rooms apart', async () => {
      const { presence } = await make();
      await presence.add('r1', { conn: 'c1', user: alice, node: 'n1' });
      await presence.add('r2', { conn: 'c1', user: alice, node: 'n1' });
      assert.deepEqual(await presence.remove('r1', 'c1'), { userLeft: true, user: alice });
      assert.deepEqual(await presence.users('r2'), [alice]);
    });

    it('samples a room: its user count and at most the asked number of distinct users', async () => {
      const { presence } = await make();
      assert.deepEqual(await presence.sample('empty', 5), { count: 0, users: [] });
      for (let i = 0; i < 300; i += 1) {
        const user = { id: `u${i}`, name: `User ${i}` };
        await presence.add('big', { conn: `c${i}`, user, node: 'n1' });
        // Every user twice: the sample counts users, not connections.
        await presence.add('big', { conn: `d${i}`, user, node: 'n1' });
      }
      const sample = await presence.sample('big', 40);
      assert.equal(sample.count, 300);
      assert.equal(sample.users.length, 40);
      assert.equal(new Set(sample.users.map((u) => u.id)).size, 40);
      for (const user of sample.users) assert.equal(user.name, `User ${user.id.slice(1)}`);
      const small = await presence.sample('big', 1000);
      assert.equal(small.users.length, 300);
      await presence.remove('big', 'c0');
      await presence.remove('big', 'd0');
      assert.equal((await presence.sample('big', 10)).count, 299);
    });

    it('samples what the room holds now, through joins and leaves between samples', async () => {
      const { presence } = await make();
      const user = (i: number) => ({ id: `u${i}`, name: `User ${i}` });
      const ids = async (limit: number) => (await presence.sample('r', limit)).users.map((u) => u.id).sort();
      for (let i = 0; i < 3; i += 1) await presence.add('r', { conn: `c${i}`, user: user(i), node: 'n1' });
      assert.deepEqual(await ids(5), ['u0', 'u1', 'u2']);
      // A joiner of a room within the limit is in the next sample.
      await presence.add('r', { conn: 'c3', user: user(3), node: 'n1' });
      assert.deepEqual(await ids(5), ['u0', 'u1', 'u2', 'u3']);
      // A second connection of a user changes nothing; the user's last one leaving does.
      await presence.add('r', { conn: 'c1b', user: user(1), node: 'n1' });
      assert.deepEqual(await ids(5), ['u0', 'u1', 'u2', 'u3']);
      await presence.remove('r', 'c1');
      assert.deepEqual(await ids(5), ['u0', 'u1', 'u2', 'u3']);
      await presence.remove('r', 'c1b');
      assert.deepEqual(await ids(5), ['u0', 'u2', 'u3']);
      // Above the limit: whichever users, as many as asked, none gone.
      for (let i = 4; i < 9; i += 1) await presence.add('r', { conn: `c${i}`, user: user(i), node: 'n1' });
      const two = await ids(2);
      assert.equal(two.length, 2);
      await presence.remove('r', `c${two[0]?.slice(1)}`);
      const after = await ids(2);
      assert.equal(after.length, 2);
      assert.ok(!after.includes(two[0] as string), 'a user who left is not sampled');
      assert.equal((await presence.sample('r', 100)).users.length, 7);
      assert.equal((await presence.sample('r', 0)).count, 7);
    });

    it('samples with a given user among the users (a join reply lists the joiner)', async () => {
      const { presence } = await make();
      const user = (i: number) => ({ id: `u${i}`, name: `User ${i}` });
      // Above and below the size from which the memory store keeps its sample.
      for (const size of [5, 40]) {
        const room = `r${size}`;
        for (let i = 0; i < size; i += 1)
          await presence.add(room, { conn: `c${i}`, user: user(i), node: 'n1' });
        const plain = await presence.sample(room, 3);
        const outside = user(size - 1);
        assert.ok(!plain.users.some((u) => u.id === outside.id), 'the last user is past the first three');
        const withLast = await presence.sample(room, 3, outside);
        assert.equal(withLast.count, size);
        assert.equal(withLast.users.length, 3);
        assert.deepEqual({ ...withLast.users[2] }, outside);
        assert.deepEqual(withLast.users.slice(0, 2), plain.users.slice(0, 2));
        // A listed user: the sample as it is.
        const inside = plain.users[0] as { id: string; name: string };
        assert.deepEqual(await presence.sample(room, 3, inside), plain);
        // Everyone fits: the given user is listed already.
        assert.equal((await presence.sample(room, 100, outside)).users.length, size);
        // A user the store has not listed yet is added, and counted.
        const newcomer = { id: 'new', name: 'New' };
        const all = await presence.sample(room, 100, newcomer);
        assert.equal(all.count, size + 1);
        assert.equal(all.users.length, size + 1);
        assert.deepEqual({ ...all.users[size] }, newcomer);
        const full = await presence.sample(room, 3, newcomer);
        assert.equal(full.count, size, 'a full sample is a part of the room: the count stays the store’s');
        assert.deepEqual({ ...full.users[2] }, newcomer);
      }
      assert.deepEqual(await presence.sample('nobody', 3, user(1)), { count: 1, users: [user(1)] });
    });

    it('keeps entries alive as long as their instance heartbeats', async () => {
      const { presence, clock } = await make();
      await presence.add('r', { conn: 'c1', user: alice, node: 'n1' });
      for (let i = 0; i < 6; i += 1) {
        clock.advance(TTL * 0.5);
        await presence.refreshLiveness();
      }
      assert.deepEqual(await presence.expire(), []);
      assert.deepEqual(await presence.users('r'), [alice]);
    });

    it("expires a dead instance's entries, reporting each leave once", async (t) => {
      const pair = await twoInstances();
      if (!pair) return t.skip('one instance only');
      const { first: dying, second: live, clock } = pair;
      await dying.add('r', { conn: 'c1', user: alice, node: 'dead-node' });
      await dying.add('r2', { conn: 'c1', user: alice, node: 'dead-node' });
      await live.add('r', { conn: 'c2', user: bob, node: 'live-node' });
      await outliveTtl(live, clock);
      assert.deepEqual(await live.users('r'), [bob], 'dead entries are not listed even before expire()');
      const left = await live.expire();
      assert.deepEqual(
        left.sort((a, b) => a.room.localeCompare(b.room)),
        [
          { room: 'r', user: alice },
          { room: 'r2', user: alice },
        ],
      );
      assert.deepEqual(await live.expire(), []);
      assert.deepEqual(await live.users('r'), [bob]);
      assert.deepEqual(await live.users('r2'), []);
      assert.deepEqual(await live.add('r', { conn: 'c1b', user: alice, node: 'n' }), { userJoined: true });
    });

    it('does not report a leave while the user has a connection on a live instance', async (t) => {
      const pair = await twoInstances();
      if (!pair) return t.skip('one instance only');
      const { first: drained, second: other, clock } = pair;
      await drained.add('r', { conn: 'old', user: alice, node: 'drained' });
      clock.advance(TTL * 0.5);
      assert.deepEqual(await other.add('r', { conn: 'new', user: alice, node: 'other' }), {
        userJoined: false,
      });
      await outliveTtl(other, clock);
      assert.deepEqual(await other.expire(), []);
      assert.deepEqual(await other.users('r'), [alice]);
      assert.deepEqual(await other.remove('r', 'new'), { userLeft: true, user: alice });
    });
  });
}
