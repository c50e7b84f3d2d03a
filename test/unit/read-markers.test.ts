/**
 * ReadMarkers.unstored: the markers an instance holds beyond what a room list read from the directory, whether
 * waiting for their batch, being stored, or in the last batch stored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadMarkers } from '../../src/hub/read-markers.js';
import { markerKey, type ReadMarker, type RoomLog } from '../../src/log/room-log.js';
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
    clock.advance(999);
    assert.equal(markers.unstored('carol', 'team'), 9, 'held a second at least');
    clock.advance(1);
    assert.equal(markers.unstored('carol', 'team'), undefined, 'then gone, without another batch');
  });

  it('gives way to an unmark: waits for a batch being stored, drops what would move it forward again', async () => {
    const clock = new ManualClock();
    const { directory, commit } = slowDirectory();
    const unmarked: ReadMarkerRecord[] = [];
    const notices: string[] = [];
    Object.assign(directory, {
      markUnread: async (marker: ReadMarkerRecord) => {
        unmarked.push(marker);
        return { ...marker, direct: true };
      },
    });
    const markers = new ReadMarkers({
      directory,
      log: {
        unread: async (asked: ReadonlyArray<ReadMarker>) =>
          new Map(
            asked.map((m) => [
              markerKey(m.room, m.user),
              m.after === 4 ? { unread: 3, mentions: 1 } : { unread: 0, mentions: 0 },
            ]),
          ),
      } as unknown as RoomLog,
      timers: clock,
      flushMs: 200,
      batchMax: 1000,
      notify: async (user, notice) => {
        notices.push(`${user}:${notice.room}:${notice.offset}:${notice.unread}:${notice.mentions}`);
      },
      seen: async () => assert.fail('an unmark is no read: nobody sees it'),
      report: (what, error) => assert.fail(`${what}: ${String(error)}`),
    });
    markers.mark('bob', 'team', 8);
    clock.advance(200);
    markers.mark('bob', 'team', 9);
    let done = false;
    const unmark = markers.unmark('bob', 'team', 4).then((moved) => {
      done = moved;
    });
    await settle();
    assert.deepEqual(unmarked, [], 'waits for the batch holding the marker');
    commit();
    await unmark;
    assert.equal(done, true);
    assert.deepEqual(unmarked, [{ room: 'team', userId: 'bob', offset: 4 }]);
    assert.deepEqual(notices, ['bob:team:8:0:0', 'bob:team:4:3:1']);
    assert.equal(markers.unstored('bob', 'team'), undefined, 'neither the batch stored nor the read waiting');

    markers.mark('bob', 'team', 6);
    markers.heard('bob', 'team', 7);
    assert.equal(markers.unstored('bob', 'team'), 6, 'a read waiting stays whatever is heard');
    clock.advance(200);
    commit();
    await settle();
    markers.heard('bob', 'team', 2);
    assert.equal(
      markers.unstored('bob', 'team'),
      undefined,
      'a stored one gives way to a lower marker heard',
    );
  });
});
