/**
 * `presence` pages read a room's users whole at most once a second per instance, and anew after a change
 * (src/hub/presence-listing.ts): paging through a big room, or asking for its pages over and over, no longer reads
 * the room once per page.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserInfo } from '../../src/engine/types.js';
import { PRESENCE_LISTING_TTL_MS, PresenceListing } from '../../src/hub/presence-listing.js';
import type { PresenceStore } from '../../src/presence/presence-store.js';

/** A presence store of fixed rooms that counts its reads; `failing` rooms reject. */
function store(rooms: Record<string, string[]>, failing = new Set<string>()) {
  const reads: string[] = [];
  const fake = {
    users: async (room: string): Promise<UserInfo[]> => {
      reads.push(room);
      if (failing.has(room)) throw new Error('store down');
      return (rooms[room] ?? []).map((id) => ({ id, name: id.toUpperCase() }));
    },
  };
  return { store: fake as unknown as PresenceStore, reads };
}

describe('the listing of a room for presence pages', () => {
  it('reads a room once a second, sorted by id, and shares a read in progress', async () => {
    let now = 1_000;
    const { store: presence, reads } = store({ big: ['m', 'c', 'x', 'a'] });
    const listing = new PresenceListing(presence, { now: () => now, monotonic: () => now });
    const [first, second] = await Promise.all([listing.users('big'), listing.users('big')]);
    assert.deepEqual(
      first.map((u) => u.id),
      ['a', 'c', 'm', 'x'],
    );
    assert.equal(second, first, 'one read for both');
    now += PRESENCE_LISTING_TTL_MS - 1;
    await listing.users('big');
    assert.deepEqual(reads, ['big']);
    now += 1;
    await listing.users('big');
    assert.deepEqual(reads, ['big', 'big'], 'a second later: read again');
  });

  it('tells the call that read the room how many users it read (what its connection is charged)', async () => {
    let now = 1_000;
    const { store: presence } = store({ big: ['a', 'b', 'c'] });
    const listing = new PresenceListing(presence, { now: () => now, monotonic: () => now });
    const told: string[] = [];
    const tell = (who: string) => (users: number) => told.push(`${who}:${users}`);
    await Promise.all([listing.users('big', tell('first')), listing.users('big', tell('sharing'))]);
    await listing.users('big', tell('kept'));
    assert.deepEqual(told, ['first:3'], 'a read in progress or a list kept costs the store nothing');
    now += PRESENCE_LISTING_TTL_MS;
    await listing.users('big', tell('later'));
    assert.deepEqual(told, ['first:3', 'later:3']);
  });

  it('reads a room anew after a change, and keeps no failed read', async () => {
    const failing = new Set(['down']);
    const { store: presence, reads } = store({ room: ['a'] }, failing);
    const listing = new PresenceListing(presence, { now: () => 5, monotonic: () => 5 });
    await listing.users('room');
    listing.changed('room');
    await listing.users('room');
    assert.deepEqual(reads, ['room', 'room']);
    await assert.rejects(listing.users('down'));
    failing.clear();
    assert.deepEqual(await listing.users('down'), []);
    assert.deepEqual(reads, ['room', 'room', 'down', 'down'], 'the failed read was asked again');
  });

  it('keeps at most its bound of users, the oldest lists going first, and forgets lists out of date', async () => {
    let now = 0;
    const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    const { store: presence, reads } = store({ a: ids(4, 'a'), b: ids(4, 'b'), c: ids(10, 'c') });
    const listing = new PresenceListing(presence, { now: () => now, monotonic: () => now }, 8);
    await listing.users('a');
    await listing.users('b');
    assert.equal(listing.size, 8);
    await listing.users('c');
    assert.equal(listing.size, 10, 'a room bigger than the bound is kept alone');
    await listing.users('a');
    assert.deepEqual(reads, ['a', 'b', 'c', 'a'], "a's list went to make room");
    now += PRESENCE_LISTING_TTL_MS;
    await listing.users('b');
    assert.equal(listing.size, 4, 'the lists out of date are gone');
  });
});
