import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserInfo } from '../../src/engine/types.js';
import { PresencePageJson } from '../../src/hub/presence-page-json.js';
import { encodeFrame, encodeJoined } from '../../src/protocol/codec.js';
import type { JoinedFrame } from '../../src/protocol/messages.js';

const user = (n: number, name = `User ${n}`): UserInfo => ({ id: `u${n}`, name });
const users = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => user(from + i));
/** What the page must always be: the users' JSON between the brackets. */
const plain = (page: readonly UserInfo[]) => JSON.stringify(page).slice(1, -1);

describe('PresencePageJson', () => {
  it('encodes every page as JSON.stringify would, whatever changed since the last one', () => {
    const pages = new PresencePageJson(10);
    const stable = users(0, 49);
    const sequence: UserInfo[][] = [
      users(0, 20),
      users(0, 30), // grew
      [...stable, user(100)], // a joiner last
      [...stable, user(101)], // the next joiner
      [...stable.slice(0, 10), ...stable.slice(11), user(102)], // one left in the middle
      [...stable.slice(0, 10), user(10, 'Renamed'), ...stable.slice(11), user(102)], // a new name
      stable.map((u) => ({ ...u })), // new objects with the same users (as Redis returns them)
      users(0, 17), // shrank
      [user(7, 'quote " and \\ and \u2028'), ...users(1, 20)],
    ];
    for (const page of sequence) assert.equal(pages.encode('room', page), plain(page));
  });

  it('keeps no page under 16 users, and at most maxRooms rooms', () => {
    const pages = new PresencePageJson(2);
    assert.equal(pages.encode('small', users(0, 15)), plain(users(0, 15)));
    assert.equal(pages.size, 0);
    for (const room of ['a', 'b', 'c']) assert.equal(pages.encode(room, users(0, 20)), plain(users(0, 20)));
    assert.equal(pages.size, 2);
    assert.equal(new PresencePageJson(0).encode('a', users(0, 20)), plain(users(0, 20)));
  });
});

describe('encodeJoined', () => {
  it('writes the same bytes as encoding the whole frame', () => {
    const page = users(0, 20);
    const frames: JoinedFrame[] = [
      {
        type: 'joined',
        ref: 7,
        room: 'lobby',
        position: { offset: 3, epoch: 'e1' },
        presence: page,
        presenceCount: 190,
      },
      {
        type: 'joined',
        ref: 0,
        room: 'tricky,"presence":[],"x',
        position: { offset: 0, epoch: ',"presence":[' },
        presence: [],
        presenceCount: 0,
        recovered: true,
        messages: [
          {
            room: 'r',
            id: 'm1',
            offset: 1,
            epoch: 'e',
            from: user(1),
            text: ',"presence":[]',
            ts: 1,
            cid: 'c',
          },
        ],
      },
    ];
    for (const frame of frames) {
      const encoded = encodeJoined(frame, plain(frame.presence));
      assert.equal(encoded.toString(), encodeFrame(frame).toString());
    }
  });
});
