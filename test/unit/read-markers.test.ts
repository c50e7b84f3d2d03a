/**
 * ReadMarkers.unstored: the markers an instance holds beyond what a room list read from the directory, whether
 * waiting for their batch, being stored, or in the last batch stored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadMarkers } from '../../src/hub/read-markers.js';
import type { RoomLog } from '../../src/log/room-log.js';
import type { MovedMarker, ReadMarkerRecord, RoomDirectory } from '../../src/rooms/room-directory.js';
import { ManualClock } from '../../src/util/clock.js';

/** A directory whose batch commits when the test says so. */
function slowDirectory() {
  const commits: Array<() => void> = [];
  const directory = {
    markRead: (markers: ReadonlyArray<ReadMarkerRecord>) =>
      new Promise<MovedMarker[]>((resolve) =>
        commits.push(() => resolve(markers.map((m) => ({ ...m, direct: false })))),
      ),
    receiptsOff: async () => new Set<string>(),
  } as unknown as RoomDirectory;
  return { directory, commit: () => (commits.shift() as () => void)() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadMarkers.unstored', () => {
  it('holds a marker from the read until the batch after the one that stored it', async () => {
    const clock = new ManualClock();
    const { directory, commit } = slowDirectory();
    const notices: string[] = [];
    const markers = new ReadMarkers({
      directory,
      log: { unread: async () => new Map() } as unknown as RoomLog,
      timers: clock,
      flushMs: 200,
      batchMax: 1000,
      notify: async (user, notice) => {
        notices.push(`${user}:${notice.room}:${notice.offset}`);
      },
      seen: async () => {},
      report: (what, error) => assert.fail(`${what}: ${String(error)}`),
    });
    assert.equal(markers.unstored('bob', 'team'), undefined);

    markers.mark('bob', 'team', 5);
    markers.mark('bob', 'team', 3);
    assert.equal(markers.unstored('bob', 'team'), 5, 'waiting; a marker never goes back');
    assert.equal(markers.unstored('bob', 'other'), undefined);
    assert.equal(markers.unstored('alice', 'team'), undefined);

    clock.advance(200);
    assert.equal(markers.unstored('bob', 'team'), 5, 'being stored');
    markers.mark('bob', 'team', 4);
    assert.equal(markers.unstored('bob', 'team'), 5, 'the newest of waiting and being stored');

    commit();
    await settle();
    assert.deepEqual(notices, ['bob:team:5']);
    assert.equal(markers.unstored('bob', 'team'), 5, 'stored in the last batch: kept until the next is');

    clock.advance(200);
    commit();
    await settle();
    assert.equal(markers.unstored('bob', 'team'), 4, 'the last batch now holds the later, lower mark');
    markers.mark('carol', 'team', 9);
    clock.advance(200);
    commit();
    await settle();
    assert.equal(markers.unstored('bob', 'team'), undefined, 'gone once another batch was stored');
    assert.equal(markers.unstored('carol', 'team'), 9);
  });
});
