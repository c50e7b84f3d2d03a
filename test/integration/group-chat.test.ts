/**
 * Group chat through the protocol on one instance with the memory store: rooms created, public and private,
 * invitations, roles and moderation with their error codes, system events in the room's log, direct rooms, the
 * room list with its live updates, and joining a room by name as before rooms were stored. The embedded store runs
 * the same suite in a file of its own (PGlite's blocking work would stall this process's other node).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { groupChatSuite } from '../helpers/group-chat-suite.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';

groupChatSuite('memory store', () => startNode({ store: 'memory' }));

describe('status changes', async () => {
  const node = await startNode({ store: 'memory', statusChangesPerMin: 3 });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('are bounded per connection (each is told to every room of the user); looking statuses up is not', async () => {
    const lee = await RawClient.connect(url, { name: 'Lee', user: 'lee' });
    after(() => lee.close());
    assert.equal((await lee.request({ type: 'set_status', status: { text: 'one' } })).type, 'status');
    const refused = await lee.request({ type: 'set_status', status: { text: 'two' } });
    assert.deepEqual([refused.code, refused.temporary], ['rate_limited', true]);
    assert.deepEqual((await lee.request({ type: 'statuses', users: ['lee'] })).statuses, {
      lee: { text: 'one' },
    });
  });
});

describe('the per-user room limit', async () => {
  const node = await startNode({ store: 'memory', maxRoomsPerUser: 1 });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('holds for everyone a direct room would take in, so nobody can grow another user’s room list', async () => {
    const [full, other] = await Promise.all(
      ['full', 'other'].map((user) => RawClient.connect(url, { name: user, user })),
    );
    after(() => {
      full?.close();
      other?.close();
    });
    assert.equal((await (full as RawClient).request({ type: 'create_room', name: 'Mine' })).type, 'room');
    const refused = await (other as RawClient).request({ type: 'direct', users: [{ id: 'full' }] });
    assert.deepEqual([refused.code, refused.message], ['room_limit', 'full may belong to at most 1 rooms']);
    const own = await (full as RawClient).request({ type: 'create_room', name: 'Second' });
    assert.equal(own.code, 'room_limit');
  });
});

describe('the per-user draft limit', async () => {
  const node = await startNode({ store: 'memory', maxDraftsPerUser: 2 });

  it('refuses a draft of one more room, not a change to one kept, nor a draft once one went', async () => {
    const client = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Dee', user: 'dee' });
    after(() => client.close());
    const set = (room: string, text: string) =>
      client.request({ type: 'set_draft', room, text }).then((r) => (r.type === 'error' ? r.code : 'ok'));
    assert.deepEqual(
      [await set('a', '1'), await set('b', '2'), await set('c', '3')],
      ['ok', 'ok', 'draft_limit'],
    );
    assert.equal(await set('a', '1 and more'), 'ok');
    assert.equal(await set('b', ''), 'ok');
    assert.equal(await set('c', '3'), 'ok');
  });
});

describe('the per-user invitation limit', async () => {
  const node = await startNode({ store: 'memory', maxInvitationsPerUser: 2 });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('bounds the pending invitations anyone can give a user; declining one makes room again', async () => {
    const [host, guest] = await Promise.all(
      ['host', 'guest'].map((user) => RawClient.connect(url, { name: user, user })),
    );
    after(() => {
      host?.close();
      guest?.close();
    });
    const inviter = host as RawClient;
    for (const id of ['one', 'two', 'three']) await inviter.request({ type: 'create_room', name: id, id });
    for (const id of ['one', 'two']) {
      assert.equal((await inviter.request({ type: 'invite', room: id, user: 'guest' })).type, 'done');
    }
    assert.equal(
      (await inviter.request({ type: 'invite', room: 'one', user: 'guest' })).type,
      'done',
      'inviting again changes nothing, at the limit too',
    );
    const refused = await inviter.request({ type: 'invite', room: 'three', user: 'guest' });
    assert.deepEqual(
      [refused.code, refused.message],
      ['invitation_limit', 'guest has 2 pending invitations'],
    );
    const list = await (guest as RawClient).request({ type: 'rooms' });
    assert.equal((list.invitations as unknown[]).length, 2);
    assert.equal((await (guest as RawClient).request({ type: 'decline', room: 'one' })).type, 'done');
    assert.equal((await inviter.request({ type: 'invite', room: 'three', user: 'guest' })).type, 'done');
  });
});

describe('the per-room invitation limit', async () => {
  const node = await startNode({ store: 'memory', maxInvitationsPerRoom: 3 });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('bounds the invitations of made-up ids one member can store; a withdrawal or an acceptance makes room', async () => {
    const [host, member, guest] = await Promise.all(
      ['host', 'member', 'guest'].map((user) => RawClient.connect(url, { name: user, user })),
    );
    after(() => {
      for (const client of [host, member, guest]) client?.close();
    });
    const owner = host as RawClient;
    const inviter = member as RawClient;
    await owner.request({ type: 'create_room', name: 'Open', id: 'open' });
    await owner.request({ type: 'create_room', name: 'Other', id: 'other' });
    await inviter.request({ type: 'join', room: 'open' });
    for (const user of ['fake-1', 'fake-2', 'guest']) {
      assert.equal((await inviter.request({ type: 'invite', room: 'open', user })).type, 'done');
    }
    const refused = await inviter.request({ type: 'invite', room: 'open', user: 'fake-3' });
    assert.deepEqual(
      [refused.code, refused.message],
      ['invitation_limit', 'this room has 3 pending invitations: withdraw some first'],
    );
    assert.equal(
      (await inviter.request({ type: 'invite', room: 'open', user: 'fake-1' })).type,
      'done',
      'inviting again changes nothing, at the limit too',
    );
    assert.equal(
      (await owner.request({ type: 'invite', room: 'other', user: 'fake-3' })).type,
      'done',
      'the bound is per room',
    );
    // Each way an invitation ends makes room for one more.
    await inviter.request({ type: 'uninvite', room: 'open', user: 'fake-1' });
    assert.equal((await inviter.request({ type: 'invite', room: 'open', user: 'fake-3' })).type, 'done');
    assert.equal(
      (await inviter.request({ type: 'invite', room: 'open', user: 'fake-4' })).code,
      'invitation_limit',
    );
    await (guest as RawClient).request({ type: 'accept', room: 'open' });
    assert.equal((await inviter.request({ type: 'invite', room: 'open', user: 'fake-4' })).type, 'done');
    const page = await owner.request({ type: 'invitations', room: 'open' });
    assert.deepEqual(
      (page.invitations as Array<{ user: string }>).map((i) => i.user),
      ['fake-2', 'fake-3', 'fake-4'],
    );
  });
});

describe('the per-inviter invitation limit', async () => {
  const secret = 'a-test-secret-of-at-least-32-characters!!';
  const node = await startNode({
    store: 'memory',
    maxInvitationsPerInviter: 2,
    auth: 'jwt',
    jwtSecret: secret,
  });
  const url = `ws://127.0.0.1:${node.port}/ws`;
  const as = async (sub: string, admin = false) => {
    const token = await new SignJWT({ sub, name: sub, ...(admin ? { admin: true } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    const client = await RawClient.connect(url, { token });
    after(() => client.close());
    return client;
  };

  it('bounds the pending invitations one user gives across rooms; they withdraw them even after leaving', async () => {
    const [inviter, other, root] = await Promise.all([as('spammer'), as('other'), as('root', true)]);
    await other.request({ type: 'create_room', name: 'Theirs', id: 'theirs' });
    await inviter.request({ type: 'join', room: 'theirs' });
    await inviter.request({ type: 'create_room', name: 'r1', id: 'r1' });
    assert.equal((await inviter.request({ type: 'invite', room: 'theirs', user: 'fake-1' })).type, 'done');
    assert.equal((await inviter.request({ type: 'invite', room: 'r1', user: 'fake-2' })).type, 'done');
    const refused = await inviter.request({ type: 'invite', room: 'r1', user: 'fake-3' });
    assert.deepEqual(
      [refused.code, refused.message],
      ['invitation_limit', 'you have given 2 pending invitations: withdraw some first'],
    );
    await other.request({ type: 'join', room: 'r1' });
    assert.equal(
      (await other.request({ type: 'invite', room: 'r1', user: 'fake-3' })).type,
      'done',
      'the bound is per inviter',
    );
    // Gone from the room, the inviter can still take back what they gave there (it counts against them).
    await inviter.request({ type: 'leave_room', room: 'theirs' });
    assert.equal((await inviter.request({ type: 'uninvite', room: 'theirs', user: 'fake-1' })).type, 'done');
    assert.equal((await inviter.request({ type: 'invite', room: 'r1', user: 'fake-4' })).type, 'done');
    // A server admin (a token claim) is not bound by it: they bring whole teams in.
    for (const user of ['team-1', 'team-2', 'team-3']) {
      assert.equal((await root.request({ type: 'invite', room: 'theirs', user })).type, 'done');
    }
  });
});

describe('the per-room pin limit, and pins of messages no longer kept', async () => {
  const node = await startNode({
    store: 'memory',
    maxPinsPerRoom: 1,
    maxSavedPerUser: 1,
    historySize: 3,
    idleTimeoutMs: 0,
  });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('bounds the pins of a room; a pin whose message is no longer kept is dropped and makes room', async () => {
    const client = await RawClient.connect(url, { name: 'Piper', user: 'piper' });
    after(() => client.close());
    await client.request({ type: 'create_room', name: 'Wall', id: 'wall' });
    await client.request({ type: 'join', room: 'wall' });
    const send = async (text: string) =>
      (await client.request({ type: 'send', room: 'wall', text, cid: text })).offset as number;
    const [a, b] = [await send('a'), await send('b')];
    assert.equal((await client.request({ type: 'pin', room: 'wall', offset: a })).type, 'done');
    const refused = await client.request({ type: 'pin', room: 'wall', offset: b });
    assert.deepEqual(
      [refused.code, refused.message],
      ['pin_limit', 'this room has 1 pinned messages: unpin one first'],
    );
    // Three more entries: 'a' is past the history kept (three entries of a room, in memory).
    for (const text of ['c', 'd', 'e']) await send(text);
    assert.deepEqual((await client.request({ type: 'pins', room: 'wall' })).pins, [], 'dropped where found');
    const kept = await send('f');
    assert.equal(
      (await client.request({ type: 'pin', room: 'wall', offset: kept })).type,
      'done',
      'room again',
    );
  });

  it("bounds a user's saved messages; one whose message is no longer kept is dropped and makes room", async () => {
    const client = await RawClient.connect(url, { name: 'Saver', user: 'saver' });
    after(() => client.close());
    await client.request({ type: 'create_room', name: 'Desk', id: 'desk' });
    await client.request({ type: 'join', room: 'desk' });
    const send = async (text: string) =>
      (await client.request({ type: 'send', room: 'desk', text, cid: text })).offset as number;
    const [a, b] = [await send('a'), await send('b')];
    assert.equal((await client.request({ type: 'save', room: 'desk', offset: a })).type, 'done');
    assert.equal((await client.request({ type: 'save', room: 'desk', offset: b })).code, 'saved_limit');
    for (const text of ['c', 'd', 'e']) await send(text);
    assert.deepEqual((await client.request({ type: 'saved' })).saved, [], 'dropped where found');
    const kept = await send('f');
    assert.equal(
      (await client.request({ type: 'save', room: 'desk', offset: kept })).type,
      'done',
      'room again',
    );
  });
});

describe('pins of long messages', async () => {
  const node = await startNode({ store: 'memory', replyMaxBytes: 16_384, idleTimeoutMs: 0 });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('come as many as one reply holds, and next asks for the rest', async () => {
    const client = await RawClient.connect(url, { name: 'Long', user: 'long' });
    after(() => client.close());
    await client.request({ type: 'create_room', name: 'Quotes', id: 'quotes' });
    await client.request({ type: 'join', room: 'quotes' });
    // 4,000 quotes escape to 8,000 bytes of JSON: two such pins do not fit in 16 KiB.
    const offsets: number[] = [];
    for (const n of [1, 2, 3]) {
      const text = `${n}${'"'.repeat(3999)}`;
      const sent = await client.request({ type: 'send', room: 'quotes', text, cid: `q${n}` });
      offsets.push(sent.offset as number);
      await client.request({ type: 'pin', room: 'quotes', offset: sent.offset as number });
    }
    const seen: number[] = [];
    let skip: number | undefined = 0;
    for (let pages = 0; skip !== undefined; pages += 1) {
      assert.ok(pages < 5, 'the pages end');
      const page = await client.request({ type: 'pins', room: 'quotes', skip });
      const pins = page.pins as Array<{ message: { offset: number } }>;
      assert.equal(pins.length, 1, 'one a reply');
      seen.push(...pins.map((p) => p.message.offset));
      skip = page.next as number | undefined;
    }
    assert.deepEqual(seen, [...offsets].reverse(), 'every pin once, the most recently pinned first');
    // Saved messages come the same way.
    for (const offset of offsets) await client.request({ type: 'save', room: 'quotes', offset });
    const saved: number[] = [];
    let replies = 0;
    skip = 0;
    for (; skip !== undefined; replies += 1) {
      assert.ok(replies < 5, 'the pages end');
      const page = await client.request({ type: 'saved', skip });
      const items = page.saved as Array<{ message: { offset: number } }>;
      assert.ok(items.length >= 1 && items.length <= 2, 'what fits in 16 KiB');
      saved.push(...items.map((s) => s.message.offset));
      skip = page.next as number | undefined;
    }
    assert.deepEqual(
      saved,
      [...offsets].reverse(),
      'every saved message once, the most recently saved first',
    );
  });
});

describe('pins and saved messages within one millisecond', async () => {
  // The wall clock stands still: every pin and save is made at the same millisecond.
  const clock = { now: () => 1_800_000_000_000, monotonic: () => performance.now() };
  const node = await startNode({ store: 'memory', idleTimeoutMs: 0 }, { clock });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('are listed in the order they were made, not by room or offset', async () => {
    const client = await RawClient.connect(url, { name: 'Quick', user: 'quick' });
    after(() => client.close());
    const offsets: Record<string, number> = {};
    for (const room of ['b-room', 'a-room']) {
      await client.request({ type: 'create_room', name: room, id: room });
      await client.request({ type: 'join', room });
      for (const text of ['one', 'two']) {
        offsets[`${room}:${text}`] = (
          await client.request({ type: 'send', room, text, cid: `${room}${text}` })
        ).offset as number;
      }
    }
    const order = ['a-room:two', 'b-room:two', 'a-room:one', 'b-room:one'];
    for (const key of order) {
      const room = key.split(':')[0] as string;
      await client.request({ type: 'save', room, offset: offsets[key] as number });
      if (room === 'a-room') await client.request({ type: 'pin', room, offset: offsets[key] as number });
    }
    const saved = (await client.request({ type: 'saved' })).saved as Array<{
      message: { room: string; text: string };
    }>;
    assert.deepEqual(
      saved.map((s) => `${s.message.room}:${s.message.text}`),
      [...order].reverse(),
    );
    const pins = (await client.request({ type: 'pins', room: 'a-room' })).pins as Array<{
      message: { text: string };
    }>;
    assert.deepEqual(
      pins.map((p) => p.message.text),
      ['one', 'two'],
    );
  });
});

describe('invitations that expire', async () => {
  // The wall clock moved on by hand (timers and the monotonic clock stay real).
  let ahead = 0;
  const clock = { now: () => Date.now() + ahead, monotonic: () => performance.now() };
  const node = await startNode(
    { store: 'memory', invitationTtlDays: 1, maxInvitationsPerInviter: 1, idleTimeoutMs: 0 },
    { clock },
  );
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('are gone after --invitation-ttl-days: not listed, not usable, not counted; a new one holds again', async () => {
    const [host, guest, other] = await Promise.all(
      ['host', 'guest', 'other'].map((user) => RawClient.connect(url, { name: user, user })),
    );
    after(() => {
      for (const client of [host, guest, other]) client?.close();
    });
    const owner = host as RawClient;
    const invitee = guest as RawClient;
    await owner.request({ type: 'create_room', name: 'Vault', id: 'vault', kind: 'private' });
    await owner.request({ type: 'join', room: 'vault' });
    assert.equal((await owner.request({ type: 'invite', room: 'vault', user: 'guest' })).type, 'done');
    // Each summary says when it expires: no event will.
    const [listed] = (await invitee.request({ type: 'rooms' })).invitations as Array<{
      invitedAt: number;
      expiresAt: number;
    }>;
    assert.equal(listed?.expiresAt, (listed?.invitedAt as number) + 86_400_000);
    const [paged] = (await owner.request({ type: 'invitations', room: 'vault' })).invitations as Array<{
      expiresAt: number;
    }>;
    assert.equal(paged?.expiresAt, listed?.expiresAt);
    const [sent] = (await owner.request({ type: 'sent_invitations' })).invitations as Array<{
      expiresAt: number;
    }>;
    assert.equal(sent?.expiresAt, listed?.expiresAt);
    assert.equal(
      (await owner.request({ type: 'invite', room: 'vault', user: 'other' })).code,
      'invitation_limit',
      'one given',
    );
    // The room is held here (the owner joined it): reading its members caches the guest's standing, invited.
    assert.equal((await invitee.request({ type: 'members', room: 'vault' })).code, 'not_member');

    ahead = 86_400_000 + 1;
    assert.deepEqual((await invitee.request({ type: 'rooms' })).invitations, [], 'not listed');
    assert.deepEqual((await owner.request({ type: 'invitations', room: 'vault' })).invitations, []);
    assert.deepEqual((await owner.request({ type: 'sent_invitations' })).invitations, []);
    // The cached "invited" expires too: its age is checked at each use.
    assert.equal((await invitee.request({ type: 'join', room: 'vault' })).code, 'not_invited');
    assert.equal((await invitee.request({ type: 'accept', room: 'vault' })).code, 'not_invited');
    assert.equal(
      (await owner.request({ type: 'uninvite', room: 'vault', user: 'guest' })).code,
      'not_invited',
    );
    // No longer counted: the inviter's bound makes room for a new one.
    assert.equal((await owner.request({ type: 'invite', room: 'vault', user: 'other' })).type, 'done');
    assert.equal((await owner.request({ type: 'uninvite', room: 'vault', user: 'other' })).type, 'done');
    // Invited again, the new invitation holds.
    assert.equal((await owner.request({ type: 'invite', room: 'vault', user: 'guest' })).type, 'done');
    const renewed = await invitee.frames.find((f) => f.type === 'invited', 5000, 'the new invitation');
    const fresh = renewed.invitation as { invitedAt: number; expiresAt: number };
    assert.equal(fresh.expiresAt, fresh.invitedAt + 86_400_000);
    assert.equal((await invitee.request({ type: 'accept', room: 'vault' })).type, 'room');
  });
});

describe('the room list and read markers not stored yet', async () => {
  // Markers wait a minute for their batch here: every list below is answered before any is stored.
  const node = await startNode({
    store: 'memory',
    readMarkerFlushMs: 60_000,
    apiToken: 'api-token-for-markers',
  });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('counts from the newest marker the instance holds, not the stored one', async () => {
    const [laptop, phone, other] = await Promise.all([
      RawClient.connect(url, { name: 'Ivy', user: 'ivy' }),
      RawClient.connect(url, { name: 'Ivy', user: 'ivy' }),
      RawClient.connect(url, { name: 'Jon', user: 'jon' }),
    ]);
    after(() => {
      for (const client of [laptop, phone, other]) client.close();
    });
    assert.equal((await laptop.request({ type: 'create_room', name: 'Notes', id: 'notes' })).type, 'room');
    await laptop.request({ type: 'join', room: 'notes' });
    await other.request({ type: 'join', room: 'notes' });
    const listed = async () => {
      const reply = await phone.request({ type: 'rooms' });
      const notes = (reply.rooms as Array<{ id: string; unread: number; readOffset: number }>).find(
        (r) => r.id === 'notes',
      );
      return [notes?.readOffset, notes?.unread];
    };
    const theirs = await other.request({ type: 'send', room: 'notes', text: 'one', cid: 'j1' });
    await other.request({ type: 'send', room: 'notes', text: 'two', cid: 'j2' });
    // Her own message moves her marker: not unread on her phone, though the marker waits for its batch.
    const mine = await laptop.request({ type: 'send', room: 'notes', text: 'three', cid: 'i1' });
    assert.deepEqual(await listed(), [mine.offset, 0]);
    // A read waiting for its batch counts too (and a lower one changes nothing).
    const later = await other.request({ type: 'send', room: 'notes', text: 'four', cid: 'j3' });
    assert.deepEqual(await listed(), [mine.offset, 1]);
    assert.equal((await laptop.request({ type: 'read', room: 'notes', offset: later.offset })).type, 'done');
    assert.equal((await laptop.request({ type: 'read', room: 'notes', offset: theirs.offset })).type, 'done');
    assert.deepEqual(await listed(), [later.offset, 0]);
    // The server API's view of her rooms is the same.
    const response = await fetch(`${node.url}/api/users/ivy/rooms`, {
      headers: { authorization: 'Bearer api-token-for-markers' },
    });
    const { rooms } = (await response.json()) as {
      rooms: Array<{ id: string; unread: number; readOffset: number }>;
    };
    const notes = rooms.find((r) => r.id === 'notes');
    assert.deepEqual([notes?.readOffset, notes?.unread], [later.offset, 0]);
  });
});
