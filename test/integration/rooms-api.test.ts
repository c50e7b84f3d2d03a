/**
 * Group chat through the server API: a backend creates a room, adds and removes members, sets roles, bans and
 * lists a user's rooms and a room's members; what it does reaches the users' connections like a moderator's action.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startNode } from '../helpers/nodes.js';
import { pngOf } from '../helpers/png.js';
import { RawClient } from '../helpers/raw-client.js';
import { rawHttp } from '../helpers/raw-http.js';

const API = 'api-secret-for-rooms';

describe('rooms through the server API', async () => {
  const node = await startNode({ store: 'memory', apiToken: API });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${node.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${API}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('creates a room, adds, promotes, removes and bans members, and lists rooms and members', async () => {
    const made = await call('POST', '/rooms', {
      name: 'Support',
      kind: 'private',
      id: 'support',
      owner: { id: 'sam', name: 'Sam' },
    });
    assert.equal(made.status, 201);
    assert.equal((made.body.room as { id: string }).id, 'support');
    assert.equal(
      (await call('POST', '/rooms', { name: 'Support', id: 'support', owner: { id: 'x' } })).status,
      409,
    );

    const tina = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Tina', user: 'tina' });
    after(() => tina.close());
    await tina.request({ type: 'rooms' });
    const added = await call('POST', '/rooms/support/members', { user: { id: 'tina', name: 'Tina' } });
    assert.deepEqual([added.status, added.body.added], [201, true]);
    await tina.frames.find((f) => f.type === 'room_added', 5000, 'room_added');
    assert.equal(
      (await call('POST', '/rooms/support/members', { user: { id: 'tina' } })).status,
      200,
      'once',
    );
    assert.equal(
      (await tina.request({ type: 'join', room: 'support' })).type,
      'joined',
      'a private room, added',
    );

    assert.equal((await call('PUT', '/rooms/support/members/tina/role', { role: 'admin' })).status, 200);
    const members = await call('GET', '/rooms/support/members?limit=1');
    assert.deepEqual(
      (members.body.members as Array<{ user: { id: string }; role: string }>).map((m) => [m.user.id, m.role]),
      [['sam', 'owner']],
    );
    const next = await call('GET', `/rooms/support/members?after=${members.body.next}`);
    assert.deepEqual(
      (next.body.members as Array<{ user: { id: string }; role: string }>).map((m) => [m.user.id, m.role]),
      [['tina', 'admin']],
    );

    const rooms = await call('GET', '/users/tina/rooms');
    assert.deepEqual(
      (rooms.body.rooms as Array<{ id: string; role: string }>).map((r) => [r.id, r.role]),
      [['support', 'admin']],
    );

    assert.equal((await call('DELETE', '/rooms/support/members/tina?reason=reorg')).status, 200);
    const removed = await tina.frames.find((f) => f.type === 'room_removed', 5000, 'room_removed');
    assert.deepEqual([removed.reason, (removed.by as { id: string }).id], ['kicked', 'system']);
    assert.equal((await call('DELETE', '/rooms/support/members/tina')).body.error, 'not_member');

    assert.equal((await call('POST', '/rooms/support/bans', { user: 'tina', reason: 'abuse' })).status, 200);
    assert.equal(
      (await call('POST', '/rooms/support/members', { user: { id: 'tina' } })).body.error,
      'banned',
    );
    const until = Date.now() + 60_000;
    assert.equal((await call('POST', '/rooms/support/bans', { user: 'tom', until })).status, 200);
    const bans = await call('GET', '/rooms/support/bans?limit=1');
    const listed = bans.body.bans as Array<{ user: { id: string }; bannedBy: string; reason?: string }>;
    assert.deepEqual(
      [listed.map((b) => [b.user.id, b.bannedBy, b.reason]), bans.body.next],
      [[['tina', 'system', 'abuse']], 'tina'],
    );
    const rest = await call('GET', '/rooms/support/bans?after=tina');
    assert.deepEqual(
      (rest.body.bans as Array<{ user: { id: string }; until?: number }>).map((b) => [b.user.id, b.until]),
      [['tom', until]],
    );
    assert.equal((await call('DELETE', '/rooms/support/bans/tom')).status, 200);
    assert.equal((await call('DELETE', '/rooms/support/bans/tina')).status, 200);
    assert.equal((await call('POST', '/rooms/support/members', { user: { id: 'tina' } })).status, 201);

    const room = await call('GET', '/rooms/support');
    assert.deepEqual([(room.body.room as { memberCount: number }).memberCount], [2]);
    assert.equal((await call('GET', '/rooms/nowhere')).status, 404);
    assert.equal(
      (await call('POST', '/rooms', { name: 'x' })).body.error,
      'bad_request',
      'an owner is required',
    );
  });

  it("lists a room's pending invitations and withdraws one: it leaves the user's room list at once", async () => {
    await call('POST', '/rooms', { name: 'Club', id: 'club', kind: 'private', owner: { id: 'cleo' } });
    const cleo = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Cleo', user: 'cleo' });
    const vic = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Vic', user: 'vic' });
    after(() => {
      cleo.close();
      vic.close();
    });
    await vic.request({ type: 'rooms' });
    for (const user of ['vic', 'made-up']) await cleo.request({ type: 'invite', room: 'club', user });
    const page = await call('GET', '/rooms/club/invitations?limit=1');
    assert.equal(page.status, 200);
    assert.deepEqual(
      [
        (page.body.invitations as Array<{ user: string; invitedBy: string }>).map((i) => [
          i.user,
          i.invitedBy,
        ]),
        page.body.next,
      ],
      [[['made-up', 'cleo']], 'made-up'],
    );
    // What a user gave, in every room, paged by room then user: cleo gave both.
    const sent = await call('GET', '/users/cleo/sent-invitations?limit=1');
    assert.deepEqual(
      [sent.status, sent.body.user, (sent.body.invitations as Array<{ user: string }>).map((i) => i.user)],
      [200, 'cleo', ['made-up']],
    );
    assert.deepEqual(sent.body.next, { room: 'club', user: 'made-up' });
    const sentRest = await call('GET', '/users/cleo/sent-invitations?afterRoom=club&afterUser=made-up');
    assert.deepEqual(
      [
        (sentRest.body.invitations as Array<{ room: string; user: string }>).map(
          (i) => `${i.room}:${i.user}`,
        ),
        sentRest.body.next,
      ],
      [['club:vic'], undefined],
    );
    assert.equal(
      (await call('GET', '/users/cleo/sent-invitations?afterRoom=club')).body.error,
      'bad_request',
    );
    assert.equal((await call('GET', '/users/cleo/sent-invitations?limit=101')).body.error, 'bad_range');
    assert.deepEqual((await call('GET', '/users/vic/sent-invitations')).body.invitations, []);
    const withdrawn = await call('DELETE', '/rooms/club/invitations/vic');
    assert.deepEqual(
      [withdrawn.status, withdrawn.body],
      [200, { room: 'club', user: 'vic', invited: false }],
    );
    await vic.frames.find((f) => f.type === 'invitation_removed' && f.room === 'club', 5000, 'withdrawn');
    const again = await call('DELETE', '/rooms/club/invitations/vic');
    assert.deepEqual([again.status, again.body.error], [403, 'not_invited']);
    assert.equal((await call('GET', '/rooms/nowhere/invitations')).status, 404);
    assert.deepEqual(
      ((await call('GET', '/rooms/club/invitations')).body.invitations as Array<{ user: string }>).map(
        (i) => i.user,
      ),
      ['made-up'],
    );
  });

  it("changes a room's name, topic and archive, reads what a message said, and deletes it, as a moderator would", async () => {
    await call('POST', '/rooms', { name: 'Desk', id: 'desk', owner: { id: 'dora', name: 'Dora' } });
    const dora = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Dora', user: 'dora' });
    after(() => dora.close());
    await dora.request({ type: 'join', room: 'desk' });
    const sent = await dora.request({ type: 'send', room: 'desk', text: 'a word too many', cid: 'w1' });

    const renamed = await call('PATCH', '/rooms/desk', { name: 'Front desk', topic: 'ask here' });
    assert.equal(renamed.status, 200);
    const room = renamed.body.room as { name: string; topic: string; role?: string };
    assert.deepEqual([room.name, room.topic, room.role], ['Front desk', 'ask here', undefined]);
    const event = await dora.frames.find(
      (f) => f.type === 'message' && (f.event as { type: string } | undefined)?.type === 'topic',
      5000,
      'the topic event',
    );
    assert.deepEqual(event.from, { id: 'system', name: 'System' });
    for (const [body, code] of [
      [{ name: 'x', colour: 'red' }, 'bad_request'],
      [{ archived: 'yes' }, 'bad_request'],
      [{ name: '  ' }, 'bad_request'],
    ] as const) {
      const refused = await call('PATCH', '/rooms/desk', body);
      assert.deepEqual([refused.status, refused.body.error], [400, code], JSON.stringify(body));
    }
    assert.equal((await call('PATCH', '/rooms/nowhere', { topic: 't' })).status, 404);

    // Pinned by the API (no member, above every role), listed, unpinned; the room logs both.
    const pinPath = `/rooms/desk/pins/${sent.offset}`;
    assert.deepEqual((await call('PUT', pinPath)).body, { room: 'desk', offset: sent.offset, pinned: true });
    await dora.frames.find(
      (f) => f.type === 'message' && (f.event as { type: string } | undefined)?.type === 'pinned',
      5000,
      'the pinned event',
    );
    const pins = await call('GET', '/rooms/desk/pins');
    assert.deepEqual(
      (pins.body.pins as Array<{ message: { text: string }; pinnedBy: { id: string } }>).map((p) => [
        p.message.text,
        p.pinnedBy.id,
      ]),
      [['a word too many', 'system']],
    );
    assert.equal((await call('PUT', '/rooms/desk/pins/0')).status, 400);
    assert.equal((await call('PUT', '/rooms/desk/pins/999999')).body.error, 'no_message');
    assert.equal((await call('GET', '/rooms/desk/pins?skip=-1')).status, 400);
    // What it said before an edit, as a moderator reads it.
    await dora.request({ type: 'edit', room: 'desk', offset: sent.offset, text: 'a word' });
    const edits = await call('GET', `/rooms/desk/messages/${sent.offset}/edits`);
    assert.deepEqual(
      [edits.status, (edits.body.versions as Array<{ text: string }>).map((v) => v.text), edits.body.partial],
      [200, ['a word too many', 'a word'], undefined],
    );
    assert.equal((await call('GET', '/rooms/desk/messages/999999/edits')).body.error, 'no_message');
    assert.equal((await call('GET', '/rooms/desk/messages/x/edits')).status, 400);
    // A message deleted: a tombstone everywhere, the delete's entry to the room's members (its pin goes too).
    const path = `/rooms/desk/messages/${sent.offset}`;
    const deleted = await call('DELETE', path);
    assert.equal(deleted.status, 200);
    const tombstone = deleted.body.message as { deleted?: boolean; text: string };
    assert.deepEqual([deleted.body.deleted, tombstone.deleted, tombstone.text], [true, true, '']);
    const entry = await dora.frames.find(
      (f) => f.type === 'message' && (f.action as { type: string } | undefined)?.type === 'delete',
      5000,
      "the delete's entry",
    );
    assert.equal((entry.action as { target: number }).target, sent.offset);
    const again = await call('DELETE', path);
    assert.deepEqual([again.status, again.body.deleted], [200, false]);
    assert.deepEqual(
      (await call('GET', '/rooms/desk/pins')).body.pins,
      [],
      'the deleted message is pinned no more',
    );
    assert.deepEqual((await call('DELETE', pinPath)).body, {
      room: 'desk',
      offset: sent.offset,
      pinned: false,
    });
    for (const [offset, status] of [
      ['0', 400],
      ['abc', 400],
      ['999999', 404],
    ] as const) {
      assert.equal((await call('DELETE', `/rooms/desk/messages/${offset}`)).status, status, offset);
    }
    // Archived: read-only for the API too, until unarchived.
    assert.equal((await call('PATCH', '/rooms/desk', { archived: true })).status, 200);
    const archived = await call('DELETE', `/rooms/desk/messages/1`);
    assert.deepEqual([archived.status, archived.body.error], [409, 'archived']);
    const back = await call('PATCH', '/rooms/desk', { archived: false });
    assert.equal((back.body.room as { archived: boolean }).archived, false);
  });

  it("keeps a room's last owner: demoting them is refused until another member is an owner", async () => {
    await call('POST', '/rooms', { name: 'Kept', id: 'kept', owner: { id: 'kim', name: 'Kim' } });
    await call('POST', '/rooms/kept/members', { user: { id: 'lou', name: 'Lou' }, role: 'admin' });
    const refused = await call('PUT', '/rooms/kept/members/kim/role', { role: 'admin' });
    assert.deepEqual(
      [refused.status, refused.body.error, refused.body.message],
      [403, 'forbidden', "the room's last owner: make another member an owner first"],
    );
    const roles = async () =>
      (
        (await call('GET', '/rooms/kept/members')).body.members as Array<{
          user: { id: string };
          role: string;
        }>
      ).map((m) => `${m.user.id}:${m.role}`);
    assert.deepEqual(await roles(), ['kim:owner', 'lou:admin'], 'unchanged');
    const history = await call('GET', '/rooms/kept/history');
    const events = (history.body.messages as Array<{ event?: { type: string } }>).map((m) => m.event?.type);
    assert.ok(!events.includes('role'), `no role event is logged for the refused change: ${events}`);
    // Another owner first: then the first one can be demoted.
    assert.equal((await call('PUT', '/rooms/kept/members/lou/role', { role: 'owner' })).status, 200);
    assert.equal((await call('PUT', '/rooms/kept/members/kim/role', { role: 'member' })).status, 200);
    assert.deepEqual(await roles(), ['kim:member', 'lou:owner']);
  });

  it("searches a room's messages by their words and filters, in pages", async () => {
    for (const text of ['Deploy at noon', 'lunch first', 'deployed: all good']) {
      assert.equal((await call('POST', '/rooms/searched/messages', { text })).status, 201);
    }
    const get = async (query: string) => {
      const response = await fetch(`${node.url}/api/rooms/searched/search?${query}`, {
        headers: { authorization: `Bearer ${API}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const texts = (body: Record<string, unknown>) =>
      (body.messages as Array<{ text: string }>).map((m) => m.text);
    const found = await get('q=DEPLOY');
    assert.deepEqual(
      [found.status, texts(found.body), found.body.next],
      [200, ['deployed: all good', 'Deploy at noon'], undefined],
    );
    const first = await get('q=deploy&limit=1');
    assert.deepEqual(texts(first.body), ['deployed: all good']);
    const rest = await get(`q=deploy&before=${encodeURIComponent(first.body.next as string)}`);
    assert.deepEqual(texts(rest.body), ['Deploy at noon']);
    // Filters, with words or alone (the API posted these as the system user).
    const newest = (found.body.messages as Array<{ from: { id: string }; ts: number }>)[0];
    const sender = encodeURIComponent(newest?.from.id as string);
    assert.deepEqual(texts((await get(`q=deploy&from=${sender}`)).body), [
      'deployed: all good',
      'Deploy at noon',
    ]);
    assert.deepEqual(texts((await get(`from=${sender}&since=${newest?.ts}`)).body)[0], 'deployed: all good');
    assert.deepEqual(texts((await get(`from=${sender}&until=0`)).body), []);
    assert.deepEqual(texts((await get('from=someone-else')).body), []);
    assert.deepEqual(texts((await get('q=deploy&has=file')).body), []);
    assert.deepEqual(texts((await get('has=link')).body), []);
    for (const [query, code] of [
      ['', 'bad_request'],
      ['q=', 'bad_request'],
      ['from=has%20space', 'bad_request'],
      ['has=image', 'bad_request'],
      ['since=-1', 'bad_request'],
      ['until=1.5', 'bad_request'],
      ['has=%00', 'bad_request'],
      ['q=%21%21', 'bad_request'],
      ['q=x&limit=101', 'bad_range'],
      ['q=x&limit=0', 'bad_request'],
      ['q=x&before=zzz', 'bad_request'],
      ['q=x%00', 'bad_request'],
    ]) {
      const refused = await get(query as string);
      assert.deepEqual([refused.status, refused.body.error], [400, code], query);
    }
  });

  it("replies in a thread for a bot, and reads a thread's replies", async () => {
    const root = await call('POST', '/rooms/builds/messages', { text: 'Build 42 failed' });
    const offset = (root.body.message as { offset: number }).offset;
    const reply = await call('POST', '/rooms/builds/messages', {
      text: 'test/a.ts: 2 failures',
      thread: offset,
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    assert.equal((reply.body.message as { thread?: number }).thread, offset);
    const read = async (query: string) => {
      const response = await fetch(`${node.url}/api/rooms/builds/history?${query}`, {
        headers: { authorization: `Bearer ${API}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const thread = await read(`thread=${offset}`);
    assert.deepEqual(
      (thread.body.messages as Array<{ text: string }>).map((m) => m.text),
      ['test/a.ts: 2 failures'],
    );
    const room = await read('limit=10');
    const stored = (room.body.messages as Array<{ offset: number; replies?: { count: number } }>).find(
      (m) => m.offset === offset,
    );
    assert.equal(stored?.replies?.count, 1);
    const nested = await call('POST', '/rooms/builds/messages', {
      text: 'x',
      thread: (reply.body.message as { offset: number }).offset,
    });
    assert.deepEqual([nested.status, nested.body.error], [404, 'no_message']);
    assert.deepEqual((await read('thread=x')).status, 400);
  });

  it('makes a member who replies through the API follow the thread, and nobody else', async () => {
    await call('POST', '/rooms', { name: 'Ops', id: 'ops', owner: { id: 'olly', name: 'Olly' } });
    await call('POST', '/rooms/ops/members', { user: { id: 'pat', name: 'Pat' } });
    const olly = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Olly', user: 'olly' });
    after(() => olly.close());
    await olly.request({ type: 'rooms' });
    const root = await call('POST', '/rooms/ops/messages', {
      text: 'Disk at 91%',
      from: { id: 'olly', name: 'Olly' },
    });
    assert.equal(root.status, 201, JSON.stringify(root.body));
    const offset = (root.body.message as { offset: number }).offset;
    // A bot that is no member replies first: it follows nothing, and the root's author (a member) follows.
    const bot = await call('POST', '/rooms/ops/messages', { text: 'ticket OPS-7', thread: offset });
    assert.equal(bot.status, 201);
    const told = await olly.frames.find((f) => f.type === 'thread_state', 5000, "olly's thread_state");
    assert.deepEqual([told.thread, told.read, told.unread], [offset, offset, 1]);
    const patsReply = await call('POST', '/rooms/ops/messages', {
      text: 'on it',
      from: { id: 'pat', name: 'Pat' },
      thread: offset,
    });
    assert.equal(patsReply.status, 201, JSON.stringify(patsReply.body));
    const pat = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Pat', user: 'pat' });
    after(() => pat.close());
    const listed = (await pat.request({ type: 'threads' })).threads as Array<{
      root: { text: string };
      unread: number;
    }>;
    assert.deepEqual(
      listed.map((t) => [t.root.text, t.unread]),
      [['Disk at 91%', 0]],
    );
    const system = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'S', user: 'system' });
    after(() => system.close());
    assert.deepEqual((await system.request({ type: 'threads' })).threads, []);
  });

  it('lists every room for operators in pages, private ones too', async () => {
    for (const id of ['list-a', 'list-b', 'list-c']) {
      await call('POST', '/rooms', { name: id, id, kind: 'private', owner: { id: 'owner' } });
    }
    const rooms: string[] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 20; guard += 1) {
      const page = await call('GET', `/rooms?limit=2${after ? `&after=${after}` : ''}`);
      assert.equal(page.status, 200);
      const listed = page.body.rooms as Array<{ id: string; kind: string }>;
      assert.ok(listed.length <= 2);
      rooms.push(...listed.map((r) => r.id));
      after = page.body.next as string | undefined;
      if (!after) break;
    }
    for (const id of ['list-a', 'list-b', 'list-c', 'support']) assert.ok(rooms.includes(id), id);
    assert.deepEqual(rooms, [...rooms].sort(), 'by id');
    assert.equal((await call('GET', '/rooms?limit=101')).status, 400);
  });

  it('refuses names that break the display-name rule, and user ids that are none', async () => {
    // A right-to-left override makes "Support\u202Eevil" read as another room or user in a list.
    const refused = async (path: string, body: unknown) => {
      const reply = await call('POST', path, body);
      return [reply.status, reply.body.error, reply.body.message];
    };
    const [status, error, message] = await refused('/rooms', {
      name: 'Support\u202Eevil',
      owner: { id: 'sam' },
    });
    assert.deepEqual([status, error], [400, 'bad_request']);
    assert.match(String(message), /bidirectional/);
    assert.equal((await refused('/rooms', { name: 'Tab\there', owner: { id: 'sam' } }))[1], 'bad_request');
    assert.equal(
      (await refused('/rooms', { name: 'Fine', owner: { id: 'sam', name: 'S\u202Eam' } }))[1],
      'bad_request',
      "an owner's name",
    );
    assert.equal(
      (await refused('/rooms', { name: 'Fine', owner: { id: 'sam', name: 'x'.repeat(33) } }))[1],
      'bad_request',
      'a name over --max-name-length',
    );
    assert.equal((await refused('/rooms', { name: 'Fine', owner: { id: 'not an id' } }))[1], 'bad_request');
    await call('POST', '/rooms', { name: 'Names', id: 'names', owner: { id: 'sam' } });
    assert.equal(
      (await refused('/rooms/names/members', { user: { id: 'tina', name: 'Ti\u0000na' } }))[1],
      'bad_request',
      "a member's name",
    );
    // A name is trimmed; without one the id stands for it.
    assert.equal(
      (await call('POST', '/rooms/names/members', { user: { id: 'tina', name: ' Tina ' } })).status,
      201,
    );
    assert.equal((await call('POST', '/rooms/names/members', { user: { id: 'uma' } })).status, 201);
    const members = (await call('GET', '/rooms/names/members')).body.members as Array<{
      user: { id: string; name: string };
    }>;
    assert.deepEqual(
      members.map((m) => [m.user.id, m.user.name]),
      [
        ['sam', 'sam'],
        ['tina', 'Tina'],
        ['uma', 'uma'],
      ],
    );
  });

  it('refuses U+0000 in a body, a query or a path: 400 bad_request (the database could not store it)', async () => {
    await call('POST', '/rooms', { name: 'Nul', id: 'nul-api', owner: { id: 'nina' } });
    for (const [method, path, body] of [
      ['POST', '/rooms/nul-api/messages', { text: 'a\u0000b' }],
      ['POST', '/rooms/nul-api/messages', { text: 'fine', cid: '\u0000' }],
      ['POST', '/rooms/nul-api/bans', { user: 'pat', reason: 'x\u0000' }],
      ['GET', '/rooms?after=%00'],
      ['GET', '/users/a%00b/rooms'],
      ['DELETE', '/rooms/nul-api/members/nina?reason=%00'],
    ] as const) {
      const reply = await call(method, path, body);
      assert.deepEqual([reply.status, reply.body.error], [400, 'bad_request'], `${method} ${path}`);
      assert.match(reply.body.message as string, /U\+0000/);
    }
    // Looked for without recursion: a body nested 30,000 deep is a 400 too, not a stack overflow's 500.
    const deep = await fetch(`${node.url}/api/rooms/nul-api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API}`, 'content-type': 'application/json' },
      body: `${'['.repeat(30_000)}"\\u0000"${']'.repeat(30_000)}`,
    });
    assert.equal(deep.status, 400);
    const sent = await call('POST', '/rooms/nul-api/messages', { text: 'a \\u0000 shown as typed' });
    assert.equal(sent.status, 201);
    // The online list's cursor separates its parts with U+0000 (no name holds it) and never reaches the database.
    const url = `ws://127.0.0.1:${node.port}/ws`;
    const online = await Promise.all(
      ['Nul One', 'Nul Two'].map((name, i) => RawClient.connect(url, { name, user: `nul-${i}` })),
    );
    after(() => {
      for (const client of online) client.close();
    });
    const first = await call('GET', '/users?search=Nul&limit=1');
    assert.equal(typeof first.body.next, 'string');
    const second = await call(
      'GET',
      `/users?search=Nul&limit=1&after=${encodeURIComponent(first.body.next as string)}`,
    );
    assert.equal(second.status, 200, JSON.stringify(second.body));
    const names = [first, second].flatMap((page) =>
      (page.body.users as Array<{ user: { name: string } }>).map((u) => u.user.name),
    );
    assert.deepEqual(names, ['Nul One', 'Nul Two']);
  });

  it('answers an unknown path with a message, not only a code', async () => {
    const page = await fetch(`${node.url}/no-such-page`);
    assert.equal(page.status, 404);
    const body = (await page.json()) as { error: string; message: string };
    assert.equal(body.error, 'not_found');
    assert.match(body.message, /nothing at \/no-such-page/);
  });

  it('uploads a file for a bot and posts it with a message; refuses what it must', async () => {
    const uma = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Uma', user: 'uma' });
    after(() => uma.close());
    await uma.request({ type: 'join', room: 'reports' });
    const png = pngOf(64, 48);
    const upload = (query: string, body: Buffer | string) =>
      fetch(`${node.url}/api/rooms/reports/files?${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API}`, 'content-type': 'image/png' },
        body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
      }));
    const stored = await upload('name=chart.png&from=ci-bot', png);
    assert.equal(stored.status, 201, JSON.stringify(stored.body));
    const file = stored.body.file as {
      id: string;
      type: string;
      width: number;
      height: number;
      name: string;
    };
    assert.deepEqual([file.type, file.width, file.height, file.name], ['image/png', 64, 48, 'chart.png']);

    const asSystem = await call('POST', '/rooms/reports/messages', { text: 'not mine', files: [file.id] });
    assert.deepEqual(
      [asSystem.status, asSystem.body.error],
      [404, 'no_file'],
      'uploaded for ci-bot, not system',
    );
    const posted = await call('POST', '/rooms/reports/messages', {
      text: '',
      files: [file.id],
      from: { id: 'ci-bot', name: 'CI' },
      cid: 'build-42',
    });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const live = await uma.frames.find((f) => f.type === 'message' && f.cid === 'build-42', 5000);
    assert.deepEqual(live.files, [file]);
    const bytes = await fetch(`${node.url}/files/${file.id}/chart.png`);
    assert.deepEqual(Buffer.from(await bytes.arrayBuffer()), png);

    assert.equal((await upload('from=ci-bot', png)).status, 400, 'no name');
    assert.equal((await upload('name=x&from=bad%20id', png)).status, 400);
    assert.equal((await upload('name=empty', '')).status, 400, 'empty');
    // Refused from its head, before any of its 26 MiB comes.
    const huge = await rawHttp(node.port, [
      `POST /api/rooms/reports/files?name=big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API}\r\n` +
        `Content-Length: ${26 * 1024 * 1024}\r\n\r\n`,
    ]);
    assert.equal(huge.status, 413, huge.firstLine);
    const chunked = await fetch(`${node.url}/api/rooms/reports/files?name=stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array([1, 2, 3]));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 411, 'a body without a length');
    const unauthorized = await fetch(`${node.url}/api/rooms/reports/files?name=x`, {
      method: 'POST',
      body: 'x',
    });
    assert.equal(unauthorized.status, 401);
  });

  it('sets and reads a user’s status for a backend, told to the user’s devices and rooms', async () => {
    const yan = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Yan', user: 'yan' });
    after(() => yan.close());
    await yan.request({ type: 'rooms' });
    const until = Date.now() + 86_400_000;
    const put = await call('PUT', '/users/yan/status', {
      availability: 'away',
      text: 'On holiday',
      emoji: '🌴',
      until,
    });
    const status = { availability: 'away', text: 'On holiday', emoji: '🌴', until };
    assert.deepEqual([put.status, put.body], [200, { user: 'yan', status }]);
    const told = await yan.frames.find((f) => f.type === 'status', 5000, 'the user told');
    assert.deepEqual(told.status, status);
    assert.deepEqual((await call('GET', '/users/yan/status')).body, { user: 'yan', status });
    assert.equal((await call('PUT', '/users/yan/status', { availability: 'busy' })).status, 400);
    assert.equal(
      (await call('PUT', '/users/yan/status', { text: 'x', until: 1 })).status,
      400,
      'an end in the past',
    );
    assert.deepEqual((await call('PUT', '/users/yan/status', {})).body, { user: 'yan', status: {} });
    assert.deepEqual((await call('GET', '/users/nobody/status')).body, { user: 'nobody', status: {} });
  });

  it('makes, lists and revokes invite links for a backend (an onboarding e-mail)', async () => {
    await call('POST', '/rooms', { name: 'Cohort', kind: 'private', id: 'cohort', owner: { id: 'ola' } });
    const made = await call('POST', '/rooms/cohort/invite-links', { maxUses: 30, expiresInMs: 86_400_000 });
    assert.equal(made.status, 201);
    const link = made.body.link as { code: string; createdBy: unknown; maxUses: number; uses: number };
    assert.deepEqual([link.createdBy, link.maxUses, link.uses], [{ id: 'system', name: 'System' }, 30, 0]);
    const newcomer = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Nia', user: 'nia' });
    after(() => newcomer.close());
    const joined = await newcomer.request({ type: 'join_link', code: link.code });
    assert.equal((joined.room as { id: string }).id, 'cohort');
    const listed = await call('GET', '/rooms/cohort/invite-links');
    assert.deepEqual(
      (listed.body.links as Array<{ code: string; uses: number }>).map((l) => [l.code, l.uses]),
      [[link.code, 1]],
    );
    assert.equal((await call('POST', '/rooms/cohort/invite-links', { maxUses: 0 })).status, 400);
    assert.equal((await call('DELETE', `/rooms/cohort/invite-links/${link.code}`)).status, 200);
    assert.equal((await call('DELETE', `/rooms/cohort/invite-links/${link.code}`)).status, 404);
  });
});
