import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserInfo } from '../../src/engine/types.js';
import { PresencePageJson } from '../../src/hub/presence-page-json.js';
import { encodeFrame, encodeJoined, NO_USERS } from '../../src/protocol/codec.js';
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
    for (const page of sequence) assert.equal(pages.encode('room', page).toString(), plain(page));
  });

  it('keeps no page under 16 users, and at most maxRooms rooms', () => {
    const pages = new PresencePageJson(2);
    assert.equal(pages.encode('small', users(0, 15)).toString(), plain(users(0, 15)));
    assert.equal(pages.size, 0);
    for (const room of ['a', 'b', 'c']) {
      assert.equal(pages.encode(room, users(0, 20)).toString(), plain(users(0, 20)));
    }
    assert.equal(pages.size, 2);
    assert.equal(new PresencePageJson(0).encode('a', users(0, 20)).toString(), plain(users(0, 20)));
  });

  it('grows a page past its first buffer, multi-byte names included', () => {
    const pages = new PresencePageJson(1);
    const wide = (from: number, to: number) =>
      users(from, to).map((u) => ({ ...u, name: `Zoë ${u.id} 🙂`.repeat(3) }));
    for (const page of [wide(0, 20), wide(0, 200), [...wide(0, 150), user(999)], wide(0, 40)]) {
      assert.equal(pages.encode('room', page).toString(), plain(page));
    }
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
      const encoded = encodeJoined({ ...frame, presence: NO_USERS }, Buffer.from(plain(frame.presence)));
      assert.deepEqual(encoded, encodeFrame(frame));
    }
  });

  /** A one-user `joined` frame. */
  const joinedWith = (overrides: Partial<JoinedFrame>): JoinedFrame => ({
    type: 'joined',
    ref: 1,
    room: 'r',
    position: { offset: 0, epoch: 'e' },
    presence: [user(1)],
    presenceCount: 1,
    ...overrides,
  });

  it('counts bytes, not characters, before and after the users', () => {
    const frame = joinedWith({
      room: 'café 🙂',
      position: { offset: 0, epoch: 'é' },
      presence: [user(1, 'Zoë 🙂')],
    });
    const encoded = encodeJoined({ ...frame, presence: NO_USERS }, Buffer.from(plain(frame.presence)));
    assert.deepEqual(encoded, encodeFrame(frame));
  });

  it('refuses a frame that carries its users itself', () => {
    assert.throws(() => encodeJoined(joinedWith({}), Buffer.alloc(0)), /as bytes/);
  });
});
