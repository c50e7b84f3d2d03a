import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MembershipCache } from '../../src/rooms/membership-cache.js';
import { MemoryRoomDirectory } from '../../src/rooms/memory-room-directory.js';
import type { MemberRecord, RoomDirectory } from '../../src/rooms/room-directory.js';
import { ManualClock } from '../../src/util/clock.js';

const T0 = 1_800_000_000_000;

/** A directory that counts its room and member reads and can hold one kind of them until released. */
function counted(directory: RoomDirectory) {
  let gate: Promise<void> | undefined;
  let gated: 'member' | 'room' = 'member';
  let open: (() => void) | undefined;
  const reads = { member: 0, room: 0 };
  const wrapped: RoomDirectory = Object.create(directory);
  wrapped.get = async (room: string) => {
    reads.room += 1;
    const answer = await directory.get(room);
    if (gate && gated === 'room') await gate;
    return answer;
  };
  wrapped.member = async (room: string, userId: string) => {
    reads.member += 1;
    const answer = await directory.member(room, userId);
    if (gate && gated === 'member') await gate;
    return answer;
  };
  return {
    directory: wrapped,
    reads,
    hold(kind: 'member' | 'room' = 'member') {
      gated = kind;
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open?.();
    },
  };
}

async function setup(maxEntries = 100) {
  const directory = new MemoryRoomDirectory();
  await directory.create({
    id: 'r',
    kind: 'public',
    name: 'r',
    createdBy: 'olga',
    createdAt: T0,
    members: [{ userId: 'olga', role: 'owner' }],
  });
  for (const userId of ['ann', 'bob', 'cy']) {
    await directory.addMember({ room: 'r', userId, role: 'member', joinedAt: T0 });
  }
  const clock = new ManualClock(T0);
  const { directory: reading, ...gate } = counted(directory);
  const cache = new MembershipCache(reading, clock, { maxEntries, invitationTtlMs: 1000 });
  return { directory, clock, cache, ...gate };
}

describe('membership cache', () => {
  it('holds a cached invitation until it expires, checked at each use', async () => {
    const { cache, clock, directory } = await setup();
    await directory.create({
      id: 'p',
      kind: 'private',
      name: 'p',
      createdBy: 'olga',
      createdAt: T0,
      members: [{ userId: 'olga', role: 'owner' }],
    });
    await directory.invite({ room: 'p', userId: 'ivy', invitedBy: 'olga', invitedAt: T0 });
    cache.hold('p');
    assert.equal((await cache.actor('p', 'ivy', false)).invited, true);
    clock.advance(999);
    assert.equal((await cache.actor('p', 'ivy', false)).invited, true, 'cached, still in force');
    clock.advance(1);
    assert.equal((await cache.actor('p', 'ivy', false)).invited, false, 'the same cached standing, expired');
  });

  it('caches nothing of a room this node does not hold: every check reads the directory', async () => {
    const { cache, reads } = await setup();
    await cache.standing('r', 'ann');
    await cache.standing('r', 'ann');
    assert.equal(reads.member, 2);
    assert.equal(cache.size, 0);
  });

  it('answers a held room from memory until an event of the room invalidates the user or the room', async () => {
    const { cache, reads, directory } = await setup();
    cache.hold('r');
    assert.equal((await cache.standing('r', 'ann')).member?.role, 'member');
    assert.equal((await cache.standing('r', 'ann')).member?.role, 'member');
    assert.equal(reads.member, 1, 'the second check costs no read');
    await directory.ban({ room: 'r', userId: 'ann', reason: 'spam', bannedBy: 'olga', bannedAt: T0 });
    cache.invalidate('r', 'ann');
    const after = await cache.standing('r', 'ann');
    assert.deepEqual([after.member, after.ban?.reason], [undefined, 'spam']);
    await cache.standing('r', 'bob');
    await directory.update('r', { name: 'Renamed' });
    cache.invalidate('r');
    assert.equal(cache.size, 0, 'a change to the room drops every standing in it');
    assert.equal((await cache.standing('r', 'bob')).room?.name, 'Renamed');
  });

  it('does not cache a load that an invalidation overtook', async () => {
    const { cache, reads, directory, hold, release } = await setup();
    cache.hold('r');
    hold();
    const stale = cache.standing('r', 'ann');
    // The room is read first, then the membership: wait until the old membership was read.
    for (let turns = 0; reads.member === 0 && turns < 100; turns += 1) await new Promise(setImmediate);
    assert.equal(reads.member, 1);
    // The change commits and is announced while the old standing is on its way.
    await directory.setRole('r', 'ann', 'admin');
    cache.invalidate('r', 'ann');
    release();
    assert.equal((await stale).member?.role, 'member', 'the load answers what it read');
    assert.equal((await cache.standing('r', 'ann')).member?.role, 'admin', 'but it was not kept');
    assert.equal(reads.member, 2);
  });

  it('merges identical loads in flight', async () => {
    const { cache, reads, hold, release } = await setup();
    cache.hold('r');
    hold();
    const both = Promise.all([cache.standing('r', 'cy'), cache.standing('r', 'cy')]);
    release();
    const [a, b] = await both;
    assert.equal(a, b);
    assert.equal(reads.member, 1);
  });

  it('keeps at most maxEntries, the least recently used out first, and drops a released room', async () => {
    const { cache, reads } = await setup(2);
    cache.hold('r');
    await cache.standing('r', 'ann');
    await cache.standing('r', 'bob');
    await cache.standing('r', 'ann');
    await cache.standing('r', 'cy');
    assert.equal(cache.size, 2);
    const before = reads.member;
    await cache.standing('r', 'ann');
    assert.equal(reads.member, before, 'ann was used recently: kept');
    await cache.standing('r', 'bob');
    assert.equal(reads.member, before + 1, 'bob was the least recently used: gone');
    cache.release('r');
    assert.deepEqual([cache.size, cache.heldRooms], [0, 0]);
    await cache.standing('r', 'ann');
    assert.equal(cache.size, 0, 'released: no longer cached');
  });

  it("gives the permission checks' view, with a ban's end checked at each use", async () => {
    const { cache, directory, clock } = await setup();
    cache.hold('r');
    await directory.ban({
      room: 'r',
      userId: 'bob',
      reason: '',
      bannedBy: 'olga',
      bannedAt: T0,
      expiresAt: T0 + 1000,
    });
    const member: MemberRecord | undefined = (await cache.actor('r', 'olga', false)).member;
    assert.equal(member?.role, 'owner');
    assert.equal((await cache.actor('r', 'bob', false)).banned, true);
    clock.advance(1000);
    assert.equal((await cache.actor('r', 'bob', false)).banned, false, 'the cached ban has ended');
  });

  it('reads a room once for every user loading at once, but not across an invalidation', async () => {
    const { cache, reads, hold, release } = await setup();
    cache.hold('r');
    hold('room');
    const first = [cache.standing('r', 'ann'), cache.standing('r', 'bob')];
    await new Promise((resolve) => setImmediate(resolve));
    cache.invalidate('r');
    const after = cache.standing('r', 'cy');
    release();
    const standings = await Promise.all([...first, after]);
    assert.deepEqual(
      standings.map((s) => s.member?.userId),
      ['ann', 'bob', 'cy'],
    );
    assert.equal(reads.room, 2, 'ann and bob shared a read; cy, after the invalidation, made its own');
    await Promise.all([cache.standing('r', 'ann'), cache.standing('r', 'bob')]);
    assert.equal(reads.room, 3, 'both overtaken by the invalidation, so not cached: read again, once');
  });

  it("keeps one entry for an open channel, whoever asks, until a change in it may be the room's creation", async () => {
    const { cache, reads, directory } = await setup();
    cache.hold('lobby');
    const users = Array.from({ length: 50 }, (_, i) => `user${i}`);
    for (const userId of users) assert.equal((await cache.standing('lobby', userId)).room, undefined);
    assert.equal(reads.room, 1, 'the first user found no room; the others cost nothing');
    assert.equal(cache.size, 1, 'one entry for the channel, not one per user');
    const actor = await cache.actor('lobby', 'user7', false);
    assert.deepEqual(
      [actor.userId, actor.member, actor.banned, actor.invited],
      ['user7', undefined, false, false],
    );

    // Someone creates a room by that name: the change is announced to the channel (about its creator).
    await directory.create({
      id: 'lobby',
      kind: 'public',
      name: 'Lobby',
      createdBy: 'user1',
      createdAt: T0,
      members: [{ userId: 'user1', role: 'owner' }],
    });
    cache.invalidate('lobby', 'user1');
    assert.equal((await cache.standing('lobby', 'user2')).room?.name, 'Lobby', 'every user reads it again');
    assert.equal((await cache.standing('lobby', 'user1')).member?.role, 'owner');
    cache.release('lobby');
    assert.equal(cache.size, 0);
  });
});
