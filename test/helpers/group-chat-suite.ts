/**
 * The group chat protocol suite, run on one instance of each store (group-chat.test.ts) and on an instance of a
 * cluster (group-chat-cluster.test.ts): rooms created, public and private, invitations, roles and
 * moderation with their error codes, system events in the room's log, direct rooms, the room list with its live
 * updates, and joining a room by name as before rooms were stored.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ParleyNode } from '../../src/index.js';
import { type Frame, RawClient } from './raw-client.js';
import { waitUntil } from './wait.js';

const wsUrl = (node: ParleyNode) => `ws://127.0.0.1:${node.port}/ws`;

/** Connects as a user (anonymous mode: the id comes from the query) and closes after the file. */
async function as(node: ParleyNode, id: string): Promise<RawClient> {
  const client = await RawClient.connect(wsUrl(node), { name: id[0]?.toUpperCase() + id.slice(1), user: id });
  after(() => client.close());
  return client;
}

/** The reply's error code, or 'ok'. */
const outcome = (reply: Frame) => (reply.type === 'error' ? (reply.code as string) : 'ok');

/** The system events (type and user) a client received live in a room, in order. */
const events = (client: RawClient, room: string) =>
  client
    .ofType('message')
    .filter((m) => m.room === room && m.event)
    .map((m) => {
      const event = m.event as { type: string; user?: { id: string } };
      return event.user ? `${event.type}:${event.user.id}` : event.type;
    });

/**
 * A field or two of a user's room list entries (a `rooms` answer), by a label for each room id of `rooms`; a room
 * not listed is left out.
 */
async function listed<T>(
  client: RawClient,
  rooms: Record<string, string>,
  pick: (entry: Record<string, unknown>) => T,
): Promise<Record<string, T>> {
  const entries = (await client.request({ type: 'rooms' })).rooms as Array<Record<string, unknown>>;
  return Object.fromEntries(
    Object.entries(rooms).flatMap(([label, id]) => {
      const entry = entries.find((r) => r.id === id);
      return entry ? [[label, pick(entry)]] : [];
    }),
  );
}

export function groupChatSuite(name: string, start: () => Promise<ParleyNode>): void {
  describe(`group chat over the protocol: ${name}`, async () => {
    const node = await start();

    it('creates public and private rooms, lists them on every device, and lets the right people in', async () => {
      const alice = await as(node, 'alice');
      const phone = await as(node, 'alice');
      const listed = await phone.request({ type: 'rooms' });
      assert.deepEqual(listed.rooms, []);
      const made = await alice.request({ type: 'create_room', name: 'Design Review', topic: 'pixels' });
      const room = made.room as Record<string, unknown>;
      assert.equal(room.kind, 'public');
      assert.equal(room.role, 'owner');
      assert.equal(room.name, 'Design Review');
      assert.match(room.id as string, /^design-review-[a-z0-9]+$/);
      const added = await phone.frames.find((f) => f.type === 'room_added', 5000, 'room_added on the phone');
      assert.equal((added.room as { id: string }).id, room.id, 'the other device hears of the new room');

      const secret = await alice.request({
        type: 'create_room',
        name: 'Secret',
        kind: 'private',
        id: 'secret',
      });
      assert.equal((secret.room as { id: string }).id, 'secret');
      assert.equal(
        outcome(await alice.request({ type: 'create_room', name: 'Again', id: 'secret' })),
        'room_exists',
      );

      const bob = await as(node, 'bob');
      assert.equal(
        outcome(await bob.request({ type: 'join', room: room.id })),
        'ok',
        'a public room: anyone',
      );
      assert.equal(outcome(await bob.request({ type: 'join', room: 'secret' })), 'not_invited');
      const bobList = await as(node, 'bob');
      await bobList.request({ type: 'rooms' });
      assert.equal(outcome(await alice.request({ type: 'invite', room: 'secret', user: 'bob' })), 'ok');
      const invited = await bobList.frames.find((f) => f.type === 'invited', 5000, 'the invitation');
      assert.equal((invited.invitation as { invitedBy: string }).invitedBy, 'alice');
      const accepted = await bob.request({ type: 'accept', room: 'secret' });
      assert.equal((accepted.room as { role: string }).role, 'member');
      assert.equal(outcome(await bob.request({ type: 'join', room: 'secret' })), 'ok');
      assert.equal(outcome(await bob.request({ type: 'send', room: 'secret', text: 'hi', cid: 'b1' })), 'ok');

      const list = await bobList.request({ type: 'rooms' });
      const ids = (list.rooms as Array<{ id: string; last?: { preview: string } }>).map((r) => r.id);
      assert.deepEqual(ids, ['secret', room.id], 'newest activity first');
      const first = (list.rooms as Array<{ last?: { preview: string } }>)[0];
      assert.equal(first?.last?.preview, 'hi');
      assert.deepEqual(list.invitations, []);
    });

    it('lists pending invitations to those who may invite, and lets their givers and moderators withdraw them', async () => {
      const host = await as(node, 'host');
      const mod = await as(node, 'mod');
      const guest = await as(node, 'guest');
      const devices = await as(node, 'guest');
      await devices.request({ type: 'rooms' });
      await host.request({ type: 'create_room', name: 'Lounge', id: 'lounge' });
      await host.request({ type: 'create_room', name: 'Den', id: 'den', kind: 'private' });
      for (const room of ['lounge', 'den']) {
        await host.request({ type: 'invite', room, user: 'mod' });
        assert.equal(outcome(await mod.request({ type: 'accept', room })), 'ok');
        await host.request({ type: 'set_role', room, user: 'mod', role: 'admin' });
      }
      const member = await as(node, 'member');
      await member.request({ type: 'join', room: 'lounge' });
      // In a public room any member invites; ids that never signed in are invitations too.
      for (const user of ['guest', 'z-nobody', 'a-nobody']) {
        assert.equal(outcome(await member.request({ type: 'invite', room: 'lounge', user })), 'ok');
      }
      assert.equal(outcome(await host.request({ type: 'invite', room: 'lounge', user: 'b-nobody' })), 'ok');
      await devices.frames.find((f) => f.type === 'invited', 5000, 'the invitation');

      const first = await member.request({ type: 'invitations', room: 'lounge', limit: 2 });
      assert.deepEqual(
        (first.invitations as Array<{ user: string; invitedBy: string }>).map(
          (i) => `${i.user}<${i.invitedBy}`,
        ),
        ['a-nobody<member', 'b-nobody<host'],
      );
      assert.equal(first.next, 'b-nobody');
      const rest = await member.request({ type: 'invitations', room: 'lounge', after: first.next as string });
      const listed = rest.invitations as Array<{ user: string; invitedBy: string; invitedAt: number }>;
      assert.deepEqual(
        listed.map((i) => i.user),
        ['guest', 'z-nobody'],
      );
      assert.equal(rest.next, undefined);
      assert.equal(typeof listed[0]?.invitedAt, 'number');
      assert.equal(outcome(await guest.request({ type: 'invitations', room: 'lounge' })), 'not_member');
      assert.equal(outcome(await member.request({ type: 'invitations', room: 'den' })), 'not_member');
      assert.equal(
        outcome(await member.request({ type: 'invitations', room: 'lounge', limit: 101 })),
        'bad_range',
      );

      // Withdrawing: its giver (a plain member), or an admin; nobody else, and only once.
      assert.equal(
        outcome(await member.request({ type: 'uninvite', room: 'lounge', user: 'b-nobody' })),
        'forbidden',
        "another's invitation",
      );
      assert.equal(outcome(await member.request({ type: 'uninvite', room: 'lounge', user: 'guest' })), 'ok');
      const gone = await devices.frames.find((f) => f.type === 'invitation_removed', 5000, 'withdrawn');
      assert.equal(gone.room, 'lounge');
      assert.equal(
        outcome(await member.request({ type: 'uninvite', room: 'lounge', user: 'guest' })),
        'not_invited',
      );
      assert.equal(outcome(await mod.request({ type: 'uninvite', room: 'lounge', user: 'z-nobody' })), 'ok');
      assert.equal(outcome(await guest.request({ type: 'accept', room: 'lounge' })), 'not_invited');
      assert.deepEqual((await guest.request({ type: 'rooms' })).invitations, []);
      assert.deepEqual(
        (
          (await host.request({ type: 'invitations', room: 'lounge' })).invitations as Array<{ user: string }>
        ).map((i) => i.user),
        ['a-nobody', 'b-nobody'],
      );

      // A private room: its moderators list and withdraw; a withdrawn invitation no longer opens the door.
      assert.equal(outcome(await mod.request({ type: 'invite', room: 'den', user: 'guest' })), 'ok');
      await host.request({ type: 'set_role', room: 'den', user: 'mod', role: 'member' });
      assert.equal(outcome(await mod.request({ type: 'invitations', room: 'den' })), 'forbidden');
      assert.equal(
        outcome(await mod.request({ type: 'uninvite', room: 'den', user: 'guest' })),
        'ok',
        'its giver, though no longer an admin',
      );
      assert.equal(outcome(await guest.request({ type: 'join', room: 'den' })), 'not_invited');
      assert.equal(outcome(await host.request({ type: 'invite', room: 'den', user: 'guest' })), 'ok');
      assert.equal(outcome(await host.request({ type: 'uninvite', room: 'den', user: 'guest' })), 'ok');
      assert.equal(
        outcome(await host.request({ type: 'uninvite', room: 'nowhere-x', user: 'guest' })),
        'no_room',
      );
      const direct = await host.request({ type: 'direct', users: [{ id: 'guest' }] });
      const dm = (direct.room as { id: string }).id;
      assert.equal(outcome(await host.request({ type: 'invitations', room: dm })), 'direct_room');
      assert.equal(outcome(await host.request({ type: 'uninvite', room: dm, user: 'x' })), 'direct_room');
      // Whether someone is invited to a private room is not told to those who may not list its invitations.
      assert.equal(outcome(await mod.request({ type: 'invite', room: 'den', user: 'other' })), 'forbidden');
      assert.equal(outcome(await host.request({ type: 'invite', room: 'den', user: 'other' })), 'ok');
      const answers = async (client: RawClient, user: string) => {
        const reply = await client.request({ type: 'uninvite', room: 'den', user });
        return `${reply.code}: ${reply.message}`;
      };
      for (const client of [mod, guest]) {
        assert.equal(
          await answers(client, 'other'),
          await answers(client, 'nobody-at-all'),
          'the same answer',
        );
      }
      assert.match(await answers(mod, 'other'), /^forbidden/);
      assert.match(await answers(guest, 'other'), /^not_member/);
    });

    it('lists the invitations a user gave in every room, also one they left, until each ends', async () => {
      const giver = await as(node, 'giver');
      const yardOwner = await as(node, 'yard-owner');
      await giver.request({ type: 'create_room', name: 'Porch', id: 'porch' });
      await giver.request({ type: 'create_room', name: 'Attic', id: 'attic', kind: 'private' });
      await yardOwner.request({ type: 'create_room', name: 'Yard', id: 'yard' });
      await giver.request({ type: 'join', room: 'yard' });
      for (const [room, user] of [
        ['porch', 'v3'],
        ['attic', 'v2'],
        ['attic', 'v1'],
        ['yard', 'v4'],
      ] as const) {
        assert.equal(outcome(await giver.request({ type: 'invite', room, user })), 'ok');
      }
      assert.equal(outcome(await yardOwner.request({ type: 'invite', room: 'yard', user: 'v5' })), 'ok');
      assert.equal(outcome(await giver.request({ type: 'leave_room', room: 'yard' })), 'ok');
      const places = (reply: Frame) =>
        (reply.invitations as Array<{ room: string; user: string }>).map((i) => `${i.room}:${i.user}`);

      const first = await giver.request({ type: 'sent_invitations', limit: 2 });
      assert.deepEqual(places(first), ['attic:v1', 'attic:v2']);
      assert.deepEqual(first.next, { room: 'attic', user: 'v2' });
      const listed = first.invitations as Array<Record<string, unknown>>;
      assert.deepEqual(Object.keys(listed[0] ?? {}).sort(), ['expiresAt', 'invitedAt', 'room', 'user']);
      const rest = await giver.request({ type: 'sent_invitations', after: first.next });
      assert.deepEqual(places(rest), ['porch:v3', 'yard:v4'], "in a room they left, and nobody else's");
      assert.equal(rest.next, undefined);
      assert.deepEqual(places(await yardOwner.request({ type: 'sent_invitations' })), ['yard:v5']);
      assert.deepEqual(places(await as(node, 'v1').then((c) => c.request({ type: 'sent_invitations' }))), []);
      assert.equal(outcome(await giver.request({ type: 'sent_invitations', limit: 101 })), 'bad_range');
      assert.equal(
        outcome(await giver.request({ type: 'sent_invitations', after: { room: 'attic' } })),
        'bad_request',
      );

      // Accepted, declined and withdrawn (also by the giver from outside the room) leave the list.
      const v1 = await as(node, 'v1');
      assert.equal(outcome(await v1.request({ type: 'accept', room: 'attic' })), 'ok');
      const v3 = await as(node, 'v3');
      assert.equal(outcome(await v3.request({ type: 'decline', room: 'porch' })), 'ok');
      assert.equal(outcome(await giver.request({ type: 'uninvite', room: 'yard', user: 'v4' })), 'ok');
      assert.deepEqual(places(await giver.request({ type: 'sent_invitations' })), ['attic:v2']);
    });

    it('keeps what each member wants to be notified of per room, on every device', async () => {
      const nell = await as(node, 'nell');
      const tablet = await as(node, 'nell');
      await tablet.request({ type: 'rooms' });
      await nell.request({ type: 'create_room', name: 'Bells', id: 'bells' });
      await nell.request({ type: 'join', room: 'bells' });
      const direct = await nell.request({ type: 'direct', users: [{ id: 'ned' }] });
      const dm = (direct.room as { id: string }).id;
      const levels = (client: RawClient) => listed(client, { bells: 'bells', dm }, (r) => r.notifications);
      assert.deepEqual(
        await levels(nell),
        { bells: 'mentions', dm: 'all' },
        'the defaults: mentions, all in direct',
      );

      assert.equal(
        outcome(await nell.request({ type: 'notifications', room: 'bells', level: 'none' })),
        'ok',
      );
      const told = await tablet.frames.find(
        (f) => f.type === 'notifications',
        5000,
        'the other device is told',
      );
      assert.deepEqual([told.room, told.level], ['bells', 'none']);
      assert.equal(outcome(await nell.request({ type: 'notifications', room: dm, level: 'mentions' })), 'ok');
      assert.deepEqual(await levels(tablet), { bells: 'none', dm: 'mentions' });
      // A summary made from the standing an instance caches says it too (the room is held here: nell joined it).
      const renamed = await nell.request({ type: 'update_room', room: 'bells', topic: 'ding' });
      assert.equal((renamed.room as { notifications: string }).notifications, 'none');
      // Archived, a room's choices may still change (it is one's own, like leaving).
      await nell.request({ type: 'update_room', room: 'bells', archived: true });
      assert.equal(outcome(await nell.request({ type: 'notifications', room: 'bells', level: 'all' })), 'ok');
      assert.deepEqual(await levels(nell), { bells: 'all', dm: 'mentions' });

      const ned = await as(node, 'ned-other');
      assert.equal(
        outcome(await ned.request({ type: 'notifications', room: 'bells', level: 'none' })),
        'not_member',
      );
      assert.equal(
        outcome(await nell.request({ type: 'notifications', room: 'no-such-room', level: 'none' })),
        'no_room',
      );
      assert.equal(
        outcome(await nell.request({ type: 'notifications', room: 'bells', level: 'loud' })),
        'bad_request',
      );
    });

    it('keeps favorites and hidden rooms per member, on every device; a newer message shows a hidden room again', async () => {
      const fay = await as(node, 'fay');
      const tablet = await as(node, 'fay');
      await tablet.request({ type: 'rooms' });
      await fay.request({ type: 'create_room', name: 'Stars', id: 'stars' });
      await fay.request({ type: 'join', room: 'stars' });
      const finn = await as(node, 'finn');
      const dm = ((await fay.request({ type: 'direct', users: [{ id: 'finn' }] })).room as { id: string }).id;
      await fay.request({ type: 'join', room: dm });
      await finn.request({ type: 'join', room: dm });
      const first = await finn.request({ type: 'send', room: dm, text: 'lunch?', cid: 'f1' });
      const entries = (client: RawClient) =>
        listed(client, { stars: 'stars', dm }, (r) => ({ favorite: r.favorite, hidden: r.hidden }));
      const none = { favorite: undefined, hidden: undefined };
      assert.deepEqual(await entries(fay), { stars: none, dm: none }, 'neither, never chosen');

      assert.equal(outcome(await fay.request({ type: 'favorite', room: 'stars', favorite: true })), 'ok');
      const starred = await tablet.frames.find(
        (f) => f.type === 'favorite',
        5000,
        'the other device is told',
      );
      assert.deepEqual([starred.room, starred.favorite], ['stars', true]);
      // A summary made from the standing an instance caches says it too (the room is held here: fay joined it).
      const renamed = await fay.request({ type: 'update_room', room: 'stars', topic: 'shiny' });
      assert.equal((renamed.room as { favorite?: boolean }).favorite, true);

      assert.equal(outcome(await fay.request({ type: 'hide', room: dm, hidden: true })), 'ok');
      const hid = await tablet.frames.find((f) => f.type === 'hide', 5000, 'the other device is told');
      assert.deepEqual([hid.room, hid.hidden], [dm, true]);
      assert.deepEqual(await entries(tablet), {
        stars: { favorite: true, hidden: undefined },
        dm: { favorite: undefined, hidden: true },
      });
      // A reaction or a reply only in a thread is nothing new in the conversation: it stays hidden.
      const offset = first.offset as number;
      await finn.request({ type: 'react', room: dm, offset, emoji: '👍' });
      await finn.request({ type: 'send', room: dm, text: 'in a thread', cid: 'f2', thread: offset });
      assert.equal((await entries(fay)).dm?.hidden, true, 'still hidden');
      // A message is: the room is listed again, without anything written (the list compares offsets).
      await finn.request({ type: 'send', room: dm, text: 'still on?', cid: 'f3' });
      assert.equal((await entries(fay)).dm?.hidden, undefined, 'shown again by a newer message');
      await tablet.frames.find(
        (f) => f.type === 'activity' && f.room === dm,
        5000,
        'the activity that shows it',
      );

      // Hidden again, then asked for as the direct room of the same people: shown again, every device told.
      assert.equal(outcome(await tablet.request({ type: 'hide', room: dm, hidden: true })), 'ok');
      assert.equal((await entries(fay)).dm?.hidden, true);
      await fay.request({ type: 'direct', users: [{ id: 'finn' }] });
      await tablet.frames.find((f) => f.type === 'hide' && f.hidden === false, 5000, 'shown again');
      assert.equal((await entries(fay)).dm?.hidden, undefined);
      assert.equal(outcome(await fay.request({ type: 'hide', room: dm, hidden: true })), 'ok');
      assert.equal(outcome(await fay.request({ type: 'hide', room: dm, hidden: false })), 'ok');
      assert.equal((await entries(fay)).dm?.hidden, undefined, 'shown again by hand');
      assert.deepEqual((await entries(finn)).dm, none, "another member's are their own");

      // Archived, a room's arrangement may still change (it is one's own, like leaving).
      await fay.request({ type: 'update_room', room: 'stars', archived: true });
      assert.equal(outcome(await fay.request({ type: 'favorite', room: 'stars', favorite: false })), 'ok');
      assert.equal((await entries(fay)).stars?.favorite, undefined);
      assert.equal(
        outcome(await finn.request({ type: 'favorite', room: 'stars', favorite: true })),
        'not_member',
      );
      assert.equal(outcome(await finn.request({ type: 'hide', room: 'stars', hidden: true })), 'not_member');
      assert.equal(
        outcome(await fay.request({ type: 'hide', room: 'no-such-room', hidden: true })),
        'no_room',
      );
      assert.equal(outcome(await fay.request({ type: 'favorite', room: 'stars' })), 'bad_request');
      assert.equal(outcome(await fay.request({ type: 'hide', room: dm, hidden: 'yes' })), 'bad_request');
    });

    it('mentions everyone in a room: each member but the sender counts it, live and in the room list', async () => {
      const hal = await as(node, 'hal');
      const ivy = await as(node, 'ivy');
      const ivyList = await as(node, 'ivy');
      await ivyList.request({ type: 'rooms' });
      await hal.request({ type: 'create_room', name: 'Town hall', id: 'town-hall' });
      await hal.request({ type: 'join', room: 'town-hall' });
      await ivy.request({ type: 'join', room: 'town-hall' });
      const sent = await hal.request({
        type: 'send',
        room: 'town-hall',
        text: '@room meeting at noon',
        cid: 'all-1',
        mentionsRoom: true,
      });
      assert.equal(sent.type, 'sent');
      const live = await ivy.frames.find(
        (f) => f.type === 'message' && f.text === '@room meeting at noon',
        5000,
        'live',
      );
      assert.equal(live.mentionsRoom, true);
      const activity = await ivyList.frames.find(
        (f) => f.type === 'activity' && f.room === 'town-hall',
        5000,
        'activity',
      );
      assert.equal((activity.last as { mentionsRoom?: boolean }).mentionsRoom, true);
      const counts = async (client: RawClient) =>
        (await listed(client, { hall: 'town-hall' }, (r) => [r.unread, r.mentions])).hall;
      assert.deepEqual(await counts(ivy), [1, 1], 'a mention of every member');
      assert.deepEqual(await counts(hal), [0, 0], "never the sender's own");
      const history = await ivy.request({ type: 'history', room: 'town-hall', limit: 5 });
      const kept = (history.messages as Array<Record<string, unknown>>).find(
        (m) => m.text === '@room meeting at noon',
      );
      assert.equal(kept?.mentionsRoom, true, 'kept with the message');

      const reply = (extra: Record<string, unknown>) =>
        hal.request({
          type: 'send',
          room: 'town-hall',
          text: '@room',
          cid: `all-${JSON.stringify(extra)}`,
          ...extra,
        });
      const thread = sent.offset as number;
      assert.equal(
        outcome(await reply({ mentionsRoom: true, thread })),
        'bad_request',
        'kept to its thread: no',
      );
      assert.equal(
        outcome(await reply({ mentionsRoom: true, thread, broadcast: true })),
        'ok',
        'sent to the room too',
      );
      assert.deepEqual(await counts(ivy), [2, 2]);
      await hal.request({ type: 'join', room: 'open-channel-for-all' });
      assert.equal(
        outcome(
          await hal.request({
            type: 'send',
            room: 'open-channel-for-all',
            text: '@room',
            cid: 'oc',
            mentionsRoom: true,
          }),
        ),
        'bad_request',
        'an open channel has no members to mention',
      );
    });

    it('pins messages for everyone in the room, logged, listed as they are now, until unpinned or deleted', async () => {
      const pinner = await as(node, 'pinner');
      const pia = await as(node, 'pia');
      await pinner.request({ type: 'create_room', name: 'Board', id: 'board' });
      await pinner.request({ type: 'join', room: 'board' });
      await pia.request({ type: 'join', room: 'board' });
      const offsets: number[] = [];
      for (const text of ['first', 'second', 'third']) {
        offsets.push(
          (await pinner.request({ type: 'send', room: 'board', text, cid: `pin-${text}` })).offset as number,
        );
      }
      const [first, second, third] = offsets as [number, number, number];
      const listed = async (client: RawClient = pinner) =>
        (
          (await client.request({ type: 'pins', room: 'board' })).pins as Array<{
            message: { offset: number };
          }>
        ).map((p) => p.message.offset);

      assert.equal(outcome(await pinner.request({ type: 'pin', room: 'board', offset: first })), 'ok');
      const event = await pia.frames.find(
        (f) => f.type === 'message' && (f.event as { type: string } | undefined)?.type === 'pinned',
        5000,
        'the pinned event',
      );
      assert.deepEqual(
        [(event.event as { target: number }).target, event.text],
        [first, 'Pinner pinned a message'],
      );
      assert.equal(
        outcome(await pinner.request({ type: 'pin', room: 'board', offset: first })),
        'ok',
        'again',
      );
      assert.equal(outcome(await pia.request({ type: 'pin', room: 'board', offset: second })), 'ok');
      const pins = (await pia.request({ type: 'pins', room: 'board' })).pins as Array<{
        message: { offset: number; text: string };
        pinnedBy: { id: string; name: string };
        pinnedAt: number;
      }>;
      assert.deepEqual(
        pins.map((p) => [p.message.offset, p.message.text, p.pinnedBy.id]),
        [
          [second, 'second', 'pia'],
          [first, 'first', 'pinner'],
        ],
        'the most recently pinned first',
      );
      const pinnedEvents = (await pia.request({ type: 'history', room: 'board', limit: 20 }))
        .messages as Array<{
        event?: { type: string };
      }>;
      assert.equal(
        pinnedEvents.filter((m) => m.event?.type === 'pinned').length,
        2,
        'pinning again logs nothing',
      );

      // What cannot be pinned: a system event, an offset with no message, a deleted message.
      const created = (pinnedEvents.find((m) => m.event?.type === 'created') as { offset: number }).offset;
      for (const offset of [created, 99_999]) {
        assert.equal(
          outcome(await pinner.request({ type: 'pin', room: 'board', offset })),
          'no_message',
          `${offset}`,
        );
      }
      // A stranger reads a public room's pins but does not pin; a muted member neither pins nor unpins.
      const stranger = await as(node, 'pin-stranger');
      assert.deepEqual(await listed(stranger), [second, first]);
      assert.equal(
        outcome(await stranger.request({ type: 'pin', room: 'board', offset: third })),
        'not_member',
      );
      await pinner.request({ type: 'mute', room: 'board', user: 'pia' });
      assert.equal(outcome(await pia.request({ type: 'unpin', room: 'board', offset: first })), 'muted');
      await pinner.request({ type: 'unmute', room: 'board', user: 'pia' });

      // Deleted: its pin goes with it. Unpinned: logged, and unpinning again changes nothing.
      assert.equal(outcome(await pinner.request({ type: 'delete', room: 'board', offset: second })), 'ok');
      assert.deepEqual(await listed(), [first]);
      assert.equal(
        outcome(await pinner.request({ type: 'pin', room: 'board', offset: second })),
        'no_message',
      );
      assert.equal(outcome(await pia.request({ type: 'unpin', room: 'board', offset: first })), 'ok');
      await pinner.frames.find(
        (f) => f.type === 'message' && (f.event as { type: string } | undefined)?.type === 'unpinned',
        5000,
        'the unpinned event',
      );
      assert.equal(outcome(await pia.request({ type: 'unpin', room: 'board', offset: first })), 'ok');
      assert.deepEqual(await listed(), []);
      assert.equal(outcome(await pinner.request({ type: 'pins', room: 'no-such-board' })), 'no_room');
      await pinner.request({ type: 'update_room', room: 'board', archived: true });
      assert.equal(outcome(await pinner.request({ type: 'pin', room: 'board', offset: third })), 'archived');
    });

    it('lets whoever has an invite link join a private room, within its end and uses, until it is revoked', async () => {
      const owner = await as(node, 'link-owner');
      const helper = await as(node, 'link-helper');
      const guest = await as(node, 'link-guest');
      const late = await as(node, 'link-late');
      await owner.request({ type: 'create_room', name: 'Backstage', id: 'backstage', kind: 'private' });
      await owner.request({ type: 'invite', room: 'backstage', user: 'link-helper' });
      await helper.request({ type: 'accept', room: 'backstage' });
      await guest.request({ type: 'rooms' });
      assert.equal(
        outcome(await helper.request({ type: 'create_invite_link', room: 'backstage' })),
        'forbidden',
        "a private room's plain member invites nobody",
      );
      const made = await owner.request({ type: 'create_invite_link', room: 'backstage', maxUses: 1 });
      assert.equal(made.type, 'invite_link', JSON.stringify(made));
      const link = made.link as { code: string; uses: number; maxUses: number; createdBy: unknown };
      assert.match(link.code, /^[A-Za-z0-9_-]{32}$/);
      assert.deepEqual(
        [link.uses, link.maxUses, link.createdBy],
        [0, 1, { id: 'link-owner', name: 'Link-owner' }],
      );

      // Before joining: what the link lets into, and who made it; nothing changes, no use is counted.
      const preview = await guest.request({ type: 'invite_preview', code: link.code });
      assert.equal(preview.type, 'invite_preview', JSON.stringify(preview));
      const shown = preview.room as {
        id: string;
        name: string;
        kind: string;
        memberCount: number;
        role?: string;
      };
      assert.deepEqual(
        [shown.id, shown.name, shown.kind, shown.memberCount, shown.role, preview.member, preview.invitedBy],
        ['backstage', 'Backstage', 'private', 2, undefined, false, { id: 'link-owner', name: 'Link-owner' }],
      );
      assert.equal(
        outcome(await guest.request({ type: 'join', room: 'backstage' })),
        'not_invited',
        'not yet',
      );
      assert.equal(
        outcome(await late.request({ type: 'invite_preview', code: 'no-such-code' })),
        'no_invite_link',
      );

      const joined = await guest.request({ type: 'join_link', code: link.code });
      assert.equal(joined.type, 'room', JSON.stringify(joined));
      assert.deepEqual(
        [(joined.room as { id: string }).id, (joined.room as { role: string }).role],
        ['backstage', 'member'],
      );
      await guest.frames.find(
        (f) => f.type === 'room_added' && (f.room as { id: string }).id === 'backstage',
        5000,
      );
      assert.equal(outcome(await guest.request({ type: 'join', room: 'backstage' })), 'ok', 'a member now');
      const again = await guest.request({ type: 'join_link', code: link.code });
      assert.equal(again.type, 'room', 'a member already: the room, no use counted');
      const seen = await guest.request({ type: 'invite_preview', code: link.code });
      assert.equal(seen.member, true, 'a member is told so');
      const spent = await late.request({ type: 'invite_preview', code: link.code });
      assert.deepEqual(
        [spent.code, spent.message],
        ['no_invite_link', 'this invite link was used its most times'],
      );
      assert.equal(
        outcome(await late.request({ type: 'join_link', code: link.code })),
        'no_invite_link',
        'used up',
      );
      const members = await owner.request({ type: 'members', room: 'backstage' });
      const guestMember = (members.members as Array<{ user: { id: string }; invitedBy?: string }>).find(
        (m) => m.user.id === 'link-guest',
      );
      assert.equal(guestMember?.invitedBy, 'link-owner', "as the link's maker invited them");

      const open = await owner.request({
        type: 'create_invite_link',
        room: 'backstage',
        expiresInMs: 3_600_000,
      });
      const code = (open.link as { code: string }).code;
      const listed = await owner.request({ type: 'invite_links', room: 'backstage' });
      assert.deepEqual(
        (listed.links as Array<{ code: string; uses: number }>).map((l) => [l.code, l.uses]),
        [[code, 0]],
        'the used-up link went when the next was made',
      );
      assert.equal(outcome(await guest.request({ type: 'invite_links', room: 'backstage' })), 'forbidden');
      assert.equal(
        outcome(await guest.request({ type: 'revoke_invite_link', room: 'backstage', code })),
        'forbidden',
        "only its maker and the room's moderators revoke it",
      );
      assert.equal(
        outcome(await guest.request({ type: 'revoke_invite_link', room: 'backstage', code: 'made-up' })),
        'forbidden',
        'the same refusal for a code that is no link: nothing learnt of codes',
      );
      await owner.request({ type: 'ban', room: 'backstage', user: 'link-late' });
      assert.equal(outcome(await late.request({ type: 'join_link', code })), 'banned');
      assert.equal(outcome(await late.request({ type: 'invite_preview', code })), 'banned');
      assert.equal(
        outcome(await owner.request({ type: 'revoke_invite_link', room: 'backstage', code })),
        'ok',
      );
      assert.equal(
        outcome(await owner.request({ type: 'unban', room: 'backstage', user: 'link-late' })),
        'ok',
      );
      assert.equal(outcome(await late.request({ type: 'join_link', code })), 'no_invite_link', 'revoked');
      assert.equal(
        outcome(await owner.request({ type: 'revoke_invite_link', room: 'backstage', code })),
        'no_invite_link',
      );
      assert.equal(
        outcome(await late.request({ type: 'join_link', code: 'no-such-code' })),
        'no_invite_link',
      );
      assert.equal(outcome(await late.request({ type: 'join_link', code: 'bad code!' })), 'bad_request');
      assert.equal(
        outcome(await owner.request({ type: 'create_invite_link', room: 'backstage', expiresInMs: 1000 })),
        'bad_request',
        'a minute at least',
      );
      const direct = await owner.request({ type: 'direct', users: [{ id: 'link-guest' }] });
      const dm = (direct.room as { id: string }).id;
      assert.equal(outcome(await owner.request({ type: 'create_invite_link', room: dm })), 'direct_room');

      // In a public room any member makes one; an archived room lets nobody in with it.
      await owner.request({ type: 'create_room', name: 'Foyer', id: 'link-foyer' });
      await guest.request({ type: 'join', room: 'link-foyer' });
      const foyer = await guest.request({ type: 'create_invite_link', room: 'link-foyer' });
      assert.equal(foyer.type, 'invite_link');
      await owner.request({ type: 'update_room', room: 'link-foyer', archived: true });
      assert.equal(
        outcome(await late.request({ type: 'join_link', code: (foyer.link as { code: string }).code })),
        'archived',
      );
    });

    it('saves messages for oneself in every room, listed as they are now, only while one may read the room', async () => {
      const keeper = await as(node, 'keeper');
      const host = await as(node, 'save-host');
      await host.request({ type: 'create_room', name: 'Shelf', id: 'shelf' });
      await host.request({ type: 'create_room', name: 'Vault', id: 'save-vault', kind: 'private' });
      await host.request({ type: 'invite', room: 'save-vault', user: 'keeper' });
      await keeper.request({ type: 'accept', room: 'save-vault' });
      for (const room of ['shelf', 'save-vault']) {
        await host.request({ type: 'join', room });
        await keeper.request({ type: 'join', room });
      }
      const say = async (room: string, text: string) =>
        (await host.request({ type: 'send', room, text, cid: `save-${text}` })).offset as number;
      const [a, b, c] = [
        await say('shelf', 'alpha'),
        await say('save-vault', 'bravo'),
        await say('shelf', 'charlie'),
      ];
      for (const [room, offset] of [
        ['shelf', a],
        ['save-vault', b],
        ['shelf', c],
      ] as const) {
        assert.equal(outcome(await keeper.request({ type: 'save', room, offset })), 'ok');
      }
      assert.equal(outcome(await keeper.request({ type: 'save', room: 'shelf', offset: a })), 'ok', 'again');
      const texts = async (client: RawClient = keeper) =>
        ((await client.request({ type: 'saved' })).saved as Array<{ message: { text: string } }>).map(
          (s) => s.message.text,
        );
      assert.deepEqual(await texts(), ['charlie', 'bravo', 'alpha'], 'the most recently saved first');
      assert.deepEqual(await texts(host), [], "another user's list is their own");
      // Edited, it is listed as it is now; deleted, it is saved no more.
      await host.request({ type: 'edit', room: 'shelf', offset: c, text: 'charlie, edited' });
      await host.request({ type: 'delete', room: 'shelf', offset: a });
      assert.deepEqual(await texts(), ['charlie, edited', 'bravo']);
      // Out of the private room, its message is not shown, but kept: let back in, it is there again.
      await host.request({ type: 'kick', room: 'save-vault', user: 'keeper' });
      assert.deepEqual(await texts(), ['charlie, edited']);
      assert.equal(
        outcome(await keeper.request({ type: 'save', room: 'save-vault', offset: b })),
        'not_member',
      );
      await host.request({ type: 'invite', room: 'save-vault', user: 'keeper' });
      await keeper.request({ type: 'accept', room: 'save-vault' });
      assert.deepEqual(await texts(), ['charlie, edited', 'bravo']);
      // What cannot be saved: a system event, a message that is not there, in an open channel.
      const history = (await keeper.request({ type: 'history', room: 'shelf', limit: 20 }))
        .messages as Array<{
        offset: number;
        event?: unknown;
      }>;
      const event = (history.find((m) => m.event) as { offset: number }).offset;
      assert.equal(
        outcome(await keeper.request({ type: 'save', room: 'shelf', offset: event })),
        'no_message',
      );
      assert.equal(
        outcome(await keeper.request({ type: 'save', room: 'shelf', offset: 99_999 })),
        'no_message',
      );
      assert.equal(
        outcome(await keeper.request({ type: 'save', room: 'no-such-shelf', offset: 1 })),
        'no_room',
      );
      assert.equal(outcome(await keeper.request({ type: 'unsave', room: 'shelf', offset: c })), 'ok');
      assert.deepEqual(await texts(), ['bravo']);
    });

    it('records joins, kicks, bans and renames in the room log, and enforces each permission', async () => {
      const olga = await as(node, 'olga');
      const made = await olga.request({ type: 'create_room', name: 'Moderated', id: 'moderated' });
      assert.equal(outcome(made), 'ok');
      // A room's name follows the display-name rule: nothing that makes it read as another in a list.
      for (const name of ['Moderated\u202Eevil', 'Two\nlines', '   ']) {
        assert.equal(outcome(await olga.request({ type: 'create_room', name })), 'bad_request', name);
        assert.equal(
          outcome(await olga.request({ type: 'update_room', room: 'moderated', name })),
          'bad_request',
          name,
        );
      }
      await olga.request({ type: 'join', room: 'moderated' });
      const pete = await as(node, 'pete');
      const quinn = await as(node, 'quinn');
      await pete.request({ type: 'join', room: 'moderated' });
      await quinn.request({ type: 'join', room: 'moderated' });

      // A member may not moderate; an owner may, up to their own rank.
      assert.equal(
        outcome(await pete.request({ type: 'kick', room: 'moderated', user: 'quinn' })),
        'forbidden',
      );
      assert.equal(
        outcome(await olga.request({ type: 'set_role', room: 'moderated', user: 'pete', role: 'admin' })),
        'ok',
      );
      assert.equal(
        outcome(await pete.request({ type: 'set_role', room: 'moderated', user: 'quinn', role: 'owner' })),
        'forbidden',
        'an admin cannot make owners',
      );
      assert.equal(
        outcome(await pete.request({ type: 'kick', room: 'moderated', user: 'olga' })),
        'forbidden',
      );

      // Mute: may read, may not send.
      assert.equal(outcome(await pete.request({ type: 'mute', room: 'moderated', user: 'quinn' })), 'ok');
      assert.equal(
        outcome(await quinn.request({ type: 'send', room: 'moderated', text: 'x', cid: 'q1' })),
        'muted',
      );
      await pete.request({ type: 'unmute', room: 'moderated', user: 'quinn' });
      assert.equal(
        outcome(await quinn.request({ type: 'send', room: 'moderated', text: 'x', cid: 'q2' })),
        'ok',
      );

      // Kick: out at once, may come back to a public room.
      assert.equal(
        outcome(await pete.request({ type: 'kick', room: 'moderated', user: 'quinn', reason: 'calm down' })),
        'ok',
      );
      const removed = await quinn.frames.find((f) => f.type === 'room_removed', 5000, 'room_removed');
      assert.deepEqual([removed.reason, (removed.by as { id: string }).id], ['kicked', 'pete']);
      assert.equal(
        outcome(await quinn.request({ type: 'send', room: 'moderated', text: 'x', cid: 'q3' })),
        'not_joined',
      );
      assert.equal(outcome(await quinn.request({ type: 'join', room: 'moderated' })), 'ok');

      // Ban: out, and may neither rejoin nor read until unbanned.
      assert.equal(
        outcome(await olga.request({ type: 'ban', room: 'moderated', user: 'quinn', reason: 'spam' })),
        'ok',
      );
      await quinn.frames.find((f) => f.type === 'room_removed' && f.reason === 'banned', 5000, 'banned');
      assert.equal(outcome(await quinn.request({ type: 'join', room: 'moderated' })), 'banned');
      assert.equal(outcome(await quinn.request({ type: 'history', room: 'moderated' })), 'not_joined');
      assert.equal(outcome(await quinn.request({ type: 'members', room: 'moderated' })), 'banned');
      // The room's moderators list its bans, to lift them (a banned user is no member: no row among them).
      const listed = await pete.request({ type: 'bans', room: 'moderated' });
      const [ban] = listed.bans as Array<Record<string, unknown>>;
      assert.deepEqual(
        [ban?.user, ban?.bannedBy, ban?.reason, ban?.until, listed.next],
        [{ id: 'quinn', name: 'Quinn' }, 'olga', 'spam', undefined, undefined],
      );
      assert.equal(outcome(await quinn.request({ type: 'bans', room: 'moderated' })), 'banned');
      assert.equal(outcome(await olga.request({ type: 'unban', room: 'moderated', user: 'quinn' })), 'ok');
      assert.equal(outcome(await quinn.request({ type: 'join', room: 'moderated' })), 'ok');
      assert.equal(
        outcome(await quinn.request({ type: 'bans', room: 'moderated' })),
        'forbidden',
        'a member who may not lift a ban does not see them',
      );
      assert.deepEqual((await olga.request({ type: 'bans', room: 'moderated' })).bans, []);

      assert.equal(
        outcome(await olga.request({ type: 'update_room', room: 'moderated', name: 'Calm' })),
        'ok',
      );
      assert.equal(
        outcome(await quinn.request({ type: 'update_room', room: 'moderated', name: 'Mine' })),
        'forbidden',
      );
      await olga.frames.find(
        (f) => f.type === 'message' && (f.event as { type?: string })?.type === 'renamed',
      );

      // Everything above is in the room's history, in order, and a resume replays it.
      const history = await olga.request({ type: 'history', room: 'moderated' });
      const logged = (history.messages as Frame[])
        .filter((m) => m.event)
        .map((m) => {
          const event = m.event as { type: string; user?: { id: string } };
          return event.user ? `${event.type}:${event.user.id}` : event.type;
        });
      assert.deepEqual(logged, [
        'created',
        'joined:pete',
        'joined:quinn',
        'role:pete',
        'muted:quinn',
        'unmuted:quinn',
        'kicked:quinn',
        'joined:quinn',
        'banned:quinn',
        'unbanned:quinn',
        'joined:quinn',
        'renamed',
      ]);
      assert.deepEqual(events(olga, 'moderated'), logged.slice(1), 'and each reached the members live');
      const unbanned = (history.messages as Frame[]).find(
        (m) => (m.event as { type?: string } | undefined)?.type === 'unbanned',
      );
      assert.deepEqual(
        (unbanned?.event as { user?: unknown } | undefined)?.user,
        { id: 'quinn', name: 'Quinn' },
        'a lifted ban names the user as they were named when banned (they are no member then)',
      );

      // Archived: read-only.
      await olga.request({ type: 'update_room', room: 'moderated', archived: true });
      assert.equal(
        outcome(await pete.request({ type: 'send', room: 'moderated', text: 'x', cid: 'p1' })),
        'archived',
      );
      await olga.request({ type: 'update_room', room: 'moderated', archived: false });
      assert.equal(
        outcome(await pete.request({ type: 'send', room: 'moderated', text: 'x', cid: 'p2' })),
        'ok',
      );

      // Members, paged by user id.
      const page1 = await pete.request({ type: 'members', room: 'moderated', limit: 2 });
      assert.deepEqual(
        (page1.members as Array<{ user: { id: string }; role: string }>).map((m) => [m.user.id, m.role]),
        [
          ['olga', 'owner'],
          ['pete', 'admin'],
        ],
      );
      const page2 = await pete.request({ type: 'members', room: 'moderated', after: page1.next, limit: 2 });
      assert.deepEqual(
        (page2.members as Array<{ user: { id: string } }>).map((m) => m.user.id),
        ['quinn'],
      );
      assert.equal(page2.next, undefined);
    });

    it('gives one direct room per set of people, and keeps its people', async () => {
      const dana = await as(node, 'dana');
      const first = await dana.request({ type: 'direct', users: [{ id: 'erin', name: 'Erin' }] });
      const room = first.room as { id: string; kind: string; members: Array<{ id: string }> };
      assert.equal(room.kind, 'direct');
      assert.deepEqual(room.members.map((m) => m.id).sort(), ['dana', 'erin']);
      const erin = await as(node, 'erin');
      const again = await erin.request({ type: 'direct', users: [{ id: 'dana' }] });
      assert.equal((again.room as { id: string }).id, room.id, 'the same room, whoever starts it');
      assert.equal(outcome(await erin.request({ type: 'join', room: room.id })), 'ok');
      assert.equal(
        outcome(await erin.request({ type: 'send', room: room.id, text: 'psst', cid: 'e1' })),
        'ok',
      );
      const stranger = await as(node, 'frank');
      assert.equal(outcome(await stranger.request({ type: 'join', room: room.id })), 'direct_room');
      assert.equal(
        outcome(await dana.request({ type: 'invite', room: room.id, user: 'frank' })),
        'direct_room',
      );
      assert.equal(
        outcome(await dana.request({ type: 'leave_room', room: room.id })),
        'direct_room',
        'a room of two cannot be left',
      );
      const group = await dana.request({
        type: 'direct',
        users: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({ id })),
      });
      assert.equal((group.room as { members: unknown[] }).members.length, 8, 'a group of 8');
      const tooMany = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => ({ id }));
      assert.equal(outcome(await dana.request({ type: 'direct', users: tooMany })), 'bad_request');
      // An id that could hide a separator of the direct key is no user id.
      assert.equal(outcome(await dana.request({ type: 'direct', users: [{ id: 'a\nb' }] })), 'bad_request');
      assert.equal(
        outcome(await dana.request({ type: 'invite', room: room.id, user: 'x y' })),
        'bad_request',
      );
    });

    it('gives a room whose last owner left (or was removed) to its senior member', async () => {
      const ola = await as(node, 'ola');
      const made = await ola.request({ type: 'create_room', name: 'Handover', kind: 'private' });
      const room = (made.room as { id: string }).id;
      const join = async (id: string) => {
        const client = await as(node, id);
        assert.equal(outcome(await ola.request({ type: 'invite', room, user: id })), 'ok');
        assert.equal(outcome(await client.request({ type: 'accept', room })), 'ok');
        return client;
      };
      const max = await join('max');
      const ned = await join('ned');
      assert.equal(outcome(await ola.request({ type: 'set_role', room, user: 'ned', role: 'admin' })), 'ok');
      await max.request({ type: 'join', room });
      assert.equal(outcome(await ola.request({ type: 'leave_room', room })), 'ok');
      // The admin takes over (not the member who joined before him), and the room says so.
      const handed = await max.frames.find(
        (f) => f.type === 'message' && (f.event as { type?: string } | undefined)?.type === 'role',
        5000,
        'the role event',
      );
      assert.deepEqual(
        [handed.from, handed.event, handed.text],
        [
          { id: 'system', name: 'System' },
          { type: 'role', user: { id: 'ned', name: 'Ned' }, role: 'owner' },
          'System made Ned an owner',
        ],
      );
      assert.equal(outcome(await ned.request({ type: 'invite', room, user: 'ola' })), 'ok', 'Ned runs it');
      // Another owner is left in the room: nobody is promoted when one of two leaves.
      assert.equal(outcome(await ned.request({ type: 'set_role', room, user: 'max', role: 'owner' })), 'ok');
      assert.equal(outcome(await ned.request({ type: 'leave_room', room })), 'ok');
      const members = (await max.request({ type: 'members', room })).members as Array<{ role: string }>;
      assert.deepEqual(
        members.map((m) => m.role),
        ['owner'],
      );
    });

    it('keeps the dm- prefix for direct rooms: no room is created with it and no channel opened', async () => {
      const gus = await as(node, 'gus');
      assert.equal(
        outcome(await gus.request({ type: 'create_room', name: 'X', id: 'dm-fake' })),
        'invalid_room',
      );
      assert.equal(outcome(await gus.request({ type: 'join', room: 'dm-nothing-here' })), 'no_room');
      for (const name of ['DM with Bob', 'dm', 'Dm-']) {
        const made = await gus.request({ type: 'create_room', name });
        const id = (made.room as { id: string }).id;
        assert.doesNotMatch(id, /^dm-/, `the id made from "${name}": ${id}`);
        assert.match(id, /^room-dm/);
      }
    });

    it('lets a person leave a group direct room (not one of two): nobody is kept in rooms others made for them', async () => {
      const spammer = await as(node, 'spammer');
      const target = await as(node, 'target');
      await target.request({ type: 'rooms' });
      // Group rooms with the target and someone who never came: each is another room in the target's list.
      const made: string[] = [];
      for (const ghost of ['ghost-1', 'ghost-2', 'ghost-3']) {
        const reply = await spammer.request({ type: 'direct', users: [{ id: 'target' }, { id: ghost }] });
        made.push((reply.room as { id: string }).id);
      }
      const listed = await target.request({ type: 'rooms' });
      for (const id of made) assert.ok((listed.rooms as Array<{ id: string }>).some((r) => r.id === id));
      for (const id of made) {
        assert.equal(outcome(await target.request({ type: 'leave_room', room: id })), 'ok');
        const removed = await target.frames.find(
          (f) => f.type === 'room_removed' && f.room === id,
          5000,
          'room_removed',
        );
        assert.equal(removed.reason, 'left');
      }
      const after = await target.request({ type: 'rooms' });
      assert.ok(!(after.rooms as Array<{ id: string }>).some((r) => made.includes(r.id)), 'all gone');
      // The others stay, and the room says who left; two are left now, and a room of two cannot be left.
      assert.equal(outcome(await spammer.request({ type: 'join', room: made[0] as string })), 'ok');
      const page = await spammer.request({ type: 'history', room: made[0] as string });
      const left = (page.messages as Array<{ event?: { type: string; user?: { id: string } } }>).find(
        (m) => m.event?.type === 'left',
      );
      assert.equal(left?.event?.user?.id, 'target');
      assert.equal(
        outcome(await spammer.request({ type: 'leave_room', room: made[0] as string })),
        'direct_room',
      );
      // The same three people asked for again: a new room (the one left is theirs no more); it can be left too.
      const again = await spammer.request({ type: 'direct', users: [{ id: 'target' }, { id: 'ghost-1' }] });
      assert.notEqual((again.room as { id: string }).id, made[0]);
      const members = (again.room as { members: Array<{ id: string }> }).members.map((m) => m.id).sort();
      assert.deepEqual(members, ['ghost-1', 'spammer', 'target']);
    });

    it('resumes (join with since) only a room the user still belongs to: never makes them a member again', async () => {
      const host = await as(node, 'resume-host');
      await host.request({ type: 'create_room', name: 'Resume', id: 'resume-room' });
      const phone = await as(node, 'rita');
      const joined = await phone.request({ type: 'join', room: 'resume-room' });
      const since = joined.position as { offset: number; epoch: string };
      // Left on another device while this one was away: its resume would have joined her again.
      const laptop = await as(node, 'rita');
      assert.equal(outcome(await laptop.request({ type: 'leave_room', room: 'resume-room' })), 'ok');
      const back = await as(node, 'rita');
      const resumed = await back.request({ type: 'join', room: 'resume-room', since });
      assert.equal(outcome(resumed), 'not_member');
      const members = await host.request({ type: 'members', room: 'resume-room' });
      assert.deepEqual(
        (members.members as Array<{ user: { id: string } }>).map((m) => m.user.id),
        ['resume-host'],
      );
      // Joining is her own doing; a banned user's resume says why.
      assert.equal(outcome(await back.request({ type: 'join', room: 'resume-room' })), 'ok');
      assert.equal(outcome(await host.request({ type: 'ban', room: 'resume-room', user: 'rita' })), 'ok');
      const banned = await as(node, 'rita');
      assert.equal(outcome(await banned.request({ type: 'join', room: 'resume-room', since })), 'banned');
      // An open channel has no members: a resume there is as before.
      const open = await phone.request({
        type: 'join',
        room: 'open-resume',
        since: { offset: 0, epoch: 'x' },
      });
      assert.equal(outcome(open), 'ok');
    });

    it('keeps joining a room by name as before: an open channel, nothing stored, offsets are the messages', async () => {
      const gus = await as(node, 'gus');
      const joined = await gus.request({ type: 'join', room: 'lobby-by-name' });
      assert.equal((joined.position as { offset: number }).offset, 0);
      const sent = await gus.request({ type: 'send', room: 'lobby-by-name', text: 'first', cid: 'g1' });
      assert.equal(sent.offset, 1);
      const hana = await as(node, 'hana');
      await hana.request({ type: 'join', room: 'lobby-by-name' });
      assert.equal(
        (await hana.request({ type: 'send', room: 'lobby-by-name', text: 'second', cid: 'h1' })).offset,
        2,
      );
      const list = await gus.request({ type: 'rooms' });
      assert.equal(
        (list.rooms as Array<{ id: string }>).find((r) => r.id === 'lobby-by-name'),
        undefined,
      );
      assert.equal(outcome(await gus.request({ type: 'leave_room', room: 'lobby-by-name' })), 'no_room');
      assert.equal(
        outcome(await gus.request({ type: 'kick', room: 'lobby-by-name', user: 'hana' })),
        'no_room',
      );

      // Made a room: its history stays, its creator owns it, and from then on who belongs is stored.
      const made = await gus.request({ type: 'create_room', name: 'Lobby', id: 'lobby-by-name' });
      assert.equal((made.room as { role: string }).role, 'owner');
      const history = await gus.request({ type: 'history', room: 'lobby-by-name' });
      assert.deepEqual(
        (history.messages as Frame[]).map((m) => m.text),
        ['first', 'second', 'Gus created the room'],
      );
      assert.equal(
        outcome(await hana.request({ type: 'send', room: 'lobby-by-name', text: 'x', cid: 'h2' })),
        'not_member',
      );
      await hana.request({ type: 'leave', room: 'lobby-by-name' });
      assert.equal(
        outcome(await hana.request({ type: 'join', room: 'lobby-by-name' })),
        'ok',
        'a public room',
      );
      assert.equal(
        outcome(await hana.request({ type: 'send', room: 'lobby-by-name', text: 'y', cid: 'h3' })),
        'ok',
      );
    });

    it('searches the rooms a user belongs to, or one room they may read, newest first, in pages, with filters', async () => {
      const sia = await as(node, 'sia');
      const tom = await as(node, 'tom');
      await sia.request({ type: 'create_room', name: 'Launch', id: 'launch-s' });
      await sia.request({
        type: 'create_room',
        name: 'Launch secrets',
        kind: 'private',
        id: 'launch-secret',
      });
      await tom.request({ type: 'join', room: 'launch-s' });
      await sia.request({ type: 'join', room: 'launch-s' });
      await sia.request({ type: 'join', room: 'launch-secret' });
      await tom.request({ type: 'join', room: 'launch-by-name' });
      const say = async (client: RawClient, room: string, text: string) =>
        assert.equal(outcome(await client.request({ type: 'send', room, text, cid: text })), 'ok');
      await say(sia, 'launch-s', 'Launch on Friday?');
      await say(tom, 'launch-s', 'launching friday works');
      await say(sia, 'launch-secret', 'the launch date is secret');
      await say(tom, 'launch-by-name', 'an open channel launch');
      const found = async (client: RawClient, command: Record<string, unknown>) => {
        const reply = await client.request({ type: 'search', ...command });
        assert.equal(reply.type, 'search', JSON.stringify(reply));
        return (reply.messages as Frame[]).map((m) => `${m.room}: ${m.text}`);
      };
      assert.deepEqual(
        await found(sia, { query: 'LAUNCH' }),
        [
          'launch-secret: the launch date is secret',
          'launch-s: launching friday works',
          'launch-s: Launch on Friday?',
        ],
        'every room Sia belongs to, newest first; not the open channel she has not joined',
      );
      // Which messages (their order, newest first, is checked above: here two may share a millisecond).
      assert.deepEqual(
        (await found(tom, { query: 'launch' })).sort(),
        [
          'launch-by-name: an open channel launch',
          'launch-s: Launch on Friday?',
          'launch-s: launching friday works',
        ],
        'the open channel Tom joined on this connection too; not the private room he is not in',
      );
      assert.deepEqual(
        await found(tom, { query: 'launch fri' }),
        ['launch-s: launching friday works', 'launch-s: Launch on Friday?'],
        'not the private room he is not in, and every word must match',
      );
      assert.deepEqual(await found(tom, { query: 'launch', room: 'launch-by-name' }), [
        'launch-by-name: an open channel launch',
      ]);
      assert.equal(
        outcome(await tom.request({ type: 'search', query: 'launch', room: 'launch-secret' })),
        'not_member',
      );
      assert.equal(
        outcome(await tom.request({ type: 'search', query: 'launch', room: 'nowhere-s' })),
        'no_room',
      );
      assert.equal(outcome(await tom.request({ type: 'search', query: ' ?! 👍 ' })), 'bad_request');
      assert.equal(outcome(await tom.request({ type: 'search', query: 'a b c d e f g h i' })), 'bad_request');
      assert.equal(outcome(await tom.request({ type: 'search', query: 'x', before: 'nope' })), 'bad_request');
      assert.equal(outcome(await tom.request({ type: 'search', query: 'x', limit: 101 })), 'bad_range');
      // Pages: `next` while more may follow, none on the last page.
      const first = await sia.request({ type: 'search', query: 'launch', limit: 2 });
      assert.equal((first.messages as Frame[]).length, 2);
      assert.equal(typeof first.next, 'string');
      const second = await sia.request({ type: 'search', query: 'launch', limit: 2, before: first.next });
      assert.deepEqual(
        (second.messages as Frame[]).map((m) => m.text),
        ['Launch on Friday?'],
      );
      assert.equal(second.next, undefined);
      // Filters: with words or alone, in every room or one.
      await say(tom, 'launch-s', 'checklist at https://example.test/launch');
      assert.deepEqual(await found(sia, { query: 'launch', from: 'tom' }), [
        'launch-s: checklist at https://example.test/launch',
        'launch-s: launching friday works',
      ]);
      assert.deepEqual(await found(sia, { from: 'tom', has: 'link', room: 'launch-s' }), [
        'launch-s: checklist at https://example.test/launch',
      ]);
      // The times, checked against the messages' own (two may share a millisecond).
      const sias = (await sia.request({ type: 'search', from: 'sia' })).messages as Frame[];
      assert.equal(sias.length, 2);
      const ts = sias[0]?.ts as number;
      const within = (since: number, until: number) =>
        sias
          .filter((m) => (m.ts as number) >= since && (m.ts as number) < until)
          .map((m) => `${m.room}: ${m.text}`);
      assert.deepEqual(
        await found(sia, { query: '', from: 'sia', since: ts, until: ts + 1 }),
        within(ts, ts + 1),
      );
      assert.deepEqual(await found(sia, { from: 'sia', until: ts }), within(0, ts), 'until is not included');
      assert.ok(within(ts, ts + 1).includes('launch-secret: the launch date is secret'));
      assert.deepEqual(await found(sia, { has: 'file' }), []);
      for (const filter of [
        { query: '' },
        { from: 'no spaces' },
        { has: 'image' },
        { since: -1 },
        { until: 1.5 },
        { query: 'x', from: '' },
      ]) {
        assert.equal(
          outcome(await sia.request({ type: 'search', ...filter })),
          'bad_request',
          JSON.stringify(filter),
        );
      }
    });

    it('tells a listing connection of activity in rooms it has not joined', async () => {
      const ivan = await as(node, 'ivan');
      await ivan.request({ type: 'create_room', name: 'Quiet', id: 'quiet' });
      const listing = await as(node, 'ivan');
      await listing.request({ type: 'rooms' });
      await ivan.request({ type: 'join', room: 'quiet' });
      await ivan.request({ type: 'send', room: 'quiet', text: 'news', cid: 'i1' });
      const activity = await listing.frames.find((f) => f.type === 'activity', 5000, 'activity');
      assert.equal((activity.last as { preview: string }).preview, 'news');
      assert.equal(listing.ofType('message').length, 0, 'previews only, not the room’s messages');
    });

    it('tells everyone who shares a room with a user what they say of themselves, on every device, until it ends', async () => {
      const ida = await as(node, 'ida');
      const phone = await as(node, 'ida');
      const jon = await as(node, 'jon');
      const stranger = await as(node, 'kai');
      await ida.request({ type: 'create_room', name: 'Status room', id: 'status-room' });
      for (const client of [ida, jon, stranger]) await client.request({ type: 'join', room: 'status-room' });
      await stranger.request({ type: 'leave_room', room: 'status-room' });
      await phone.request({ type: 'rooms' });
      const until = Date.now() + 3_600_000;
      const set = await ida.request({
        type: 'set_status',
        status: { availability: 'dnd', text: '  In a meeting ', emoji: '📅', until },
      });
      const status = { availability: 'dnd', text: 'In a meeting', emoji: '📅', until };
      assert.deepEqual([set.type, set.user, set.status], ['status', 'ida', status], 'kept trimmed');
      const told = await jon.frames.find(
        (f) => f.type === 'status' && f.user === 'ida',
        5000,
        'a member told',
      );
      assert.deepEqual([told.room, told.status], ['status-room', status]);
      const device = await phone.frames.find(
        (f) => f.type === 'status' && f.user === 'ida',
        5000,
        'the other device',
      );
      assert.deepEqual([device.room, device.status], [undefined, status]);
      const looked = await stranger.request({ type: 'statuses', users: ['ida', 'jon', 'ida'] });
      assert.deepEqual(
        looked.statuses,
        { ida: status },
        'anyone may look a user up; those without one left out',
      );

      assert.equal(
        outcome(await ida.request({ type: 'set_status', status: { until: 1 } })),
        'ok',
        'nothing: none',
      );
      const cleared = await jon.frames.find(
        (f) => f.type === 'status' && f.user === 'ida' && f !== told,
        5000,
      );
      assert.deepEqual(cleared.status, {});
      assert.deepEqual((await jon.request({ type: 'statuses', users: ['ida'] })).statuses, {});

      const soon = Date.now() + 1000;
      await ida.request({ type: 'set_status', status: { availability: 'away', until: soon } });
      await waitUntil(
        async () =>
          Object.keys((await jon.request({ type: 'statuses', users: ['ida'] })).statuses as object).length ===
          0,
        5000,
        'the status to end by itself',
      );
      for (const status of [
        { text: 'x', until: Date.now() - 1 },
        { text: 'x'.repeat(101) },
        { text: 'evil \u202e txt' },
        { availability: 'busy' },
        { emoji: 'two words' },
      ])
        assert.equal(
          outcome(await ida.request({ type: 'set_status', status })),
          'bad_request',
          JSON.stringify(status),
        );
      const many = Array.from({ length: 101 }, (_, i) => `u${i}`);
      assert.equal(outcome(await jon.request({ type: 'statuses', users: many })), 'bad_request');
    });

    it('forwards a message to another room: a copy of it as it is now, with where it came from; the refusals', async () => {
      const [fay, gus, hal] = [await as(node, 'fay'), await as(node, 'gus'), await as(node, 'hal')];
      for (const [id, kind] of [
        ['fwd-src', 'public'],
        ['fwd-dst', 'private'],
      ] as const) {
        assert.equal(outcome(await fay.request({ type: 'create_room', name: id, id, kind })), 'ok');
        assert.equal(outcome(await fay.request({ type: 'join', room: id })), 'ok');
      }
      assert.equal(outcome(await fay.request({ type: 'invite', room: 'fwd-dst', user: 'hal' })), 'ok');
      assert.equal(outcome(await hal.request({ type: 'accept', room: 'fwd-dst' })), 'ok');
      assert.equal(outcome(await hal.request({ type: 'join', room: 'fwd-dst' })), 'ok');
      assert.equal(outcome(await gus.request({ type: 'join', room: 'fwd-src' })), 'ok');
      const plan = await gus.request({ type: 'send', room: 'fwd-src', text: 'the plen', cid: 'p1' });
      assert.equal(
        outcome(await gus.request({ type: 'edit', room: 'fwd-src', offset: plan.offset, text: 'the plan' })),
        'ok',
      );

      // Hal, who is not in the room it came from, reads it: a copy as it is now (the edit in it).
      const sent = await fay.request({
        type: 'send',
        room: 'fwd-dst',
        text: '',
        cid: 'f1',
        forward: { room: 'fwd-src', offset: plan.offset },
      });
      assert.equal(sent.type, 'sent', JSON.stringify(sent));
      const copy = {
        room: 'fwd-src',
        offset: plan.offset,
        id: plan.id,
        from: { id: 'gus', name: 'Gus' },
        text: 'the plan',
        ts: plan.ts,
      };
      const received = await hal.frames.find((f) => f.type === 'message' && f.id === sent.id);
      assert.deepEqual(
        [received.text, received.from, received.forwarded],
        ['', { id: 'fay', name: 'Fay' }, copy],
      );
      // Its room list previews what it passes on.
      const last = await listed(hal, { dst: 'fwd-dst' }, (r) => r.last as Record<string, unknown>);
      assert.deepEqual([last.dst?.preview, last.dst?.forwarded], ['the plan', true]);
      // Words of one's own; a forward of a forward that says nothing passes on the original, where it was written.
      const again = await fay.request({
        type: 'send',
        room: 'fwd-src',
        text: 'as agreed',
        cid: 'f2',
        forward: { room: 'fwd-dst', offset: sent.offset },
      });
      const relayed = await gus.frames.find((f) => f.type === 'message' && f.id === again.id);
      assert.deepEqual([relayed.text, relayed.forwarded], ['as agreed', copy]);
      // In a thread, as any reply.
      const inThread = await fay.request({
        type: 'send',
        room: 'fwd-src',
        text: '',
        cid: 'f3',
        thread: plan.offset,
        forward: { room: 'fwd-dst', offset: sent.offset },
      });
      const thread = await gus.request({ type: 'history', room: 'fwd-src', thread: plan.offset });
      const reply = (thread.messages as Frame[]).find((m) => m.id === inThread.id);
      assert.deepEqual(reply?.forwarded, copy);
      // A later edit of the original leaves the copies as they were.
      await gus.request({ type: 'edit', room: 'fwd-src', offset: plan.offset, text: 'a new plan' });
      const page = await hal.request({ type: 'history', room: 'fwd-dst' });
      const kept = (page.messages as Frame[]).find((m) => m.id === sent.id);
      assert.equal((kept?.forwarded as { text: string } | undefined)?.text, 'the plan');

      // Refusals: a room the forwarder has not joined, no chat message there, blank words, a room not joined to send to.
      const refusal = (command: Record<string, unknown>) =>
        hal.request({ type: 'send', cid: `r${Math.random()}`, text: '', ...command }).then(outcome);
      assert.equal(
        await refusal({ room: 'fwd-dst', forward: { room: 'fwd-src', offset: plan.offset } }),
        'not_joined',
      );
      const event = (page.messages as Frame[]).find((m) => m.event);
      assert.ok(event, 'the room has a system event');
      const dst = (offset: number, text = '') => ({
        room: 'fwd-dst',
        text,
        forward: { room: 'fwd-dst', offset },
      });
      assert.equal(await refusal(dst(event.offset as number)), 'no_message');
      assert.equal(await refusal(dst(10_000)), 'no_message');
      assert.equal(await refusal(dst(sent.offset as number, '  ')), 'text_empty');
      assert.equal(await refusal({ ...dst(sent.offset as number), room: 'fwd-src' }), 'not_joined');
      const gone = await hal.request({ type: 'send', room: 'fwd-dst', text: 'oops', cid: 'gone' });
      await hal.request({ type: 'delete', room: 'fwd-dst', offset: gone.offset });
      assert.equal(await refusal(dst(gone.offset as number)), 'no_message');
      assert.equal(
        outcome(
          await hal.request({
            type: 'send',
            room: 'fwd-dst',
            text: 'x',
            cid: 'bad',
            forward: { room: 'fwd-dst' },
          }),
        ),
        'bad_request',
      );

      // Deleted, a forward keeps nothing of what it carried.
      assert.equal(
        outcome(await fay.request({ type: 'delete', room: 'fwd-dst', offset: sent.offset })),
        'ok',
      );
      const after = await hal.request({ type: 'history', room: 'fwd-dst' });
      const tombstone = (after.messages as Frame[]).find((m) => m.id === sent.id);
      assert.deepEqual([tombstone?.deleted, tombstone?.forwarded, tombstone?.text], [true, undefined, '']);
    });

    it('keeps a user’s drafts for each of their devices, told as they change, listed the newest first', async () => {
      const [kit, kitPhone] = [await as(node, 'kit'), await as(node, 'kit')];
      assert.equal(outcome(await kitPhone.request({ type: 'rooms' })), 'ok');
      const done = await kit.request({ type: 'set_draft', room: 'drafty', text: 'half a tho' });
      assert.deepEqual([done.type, done.room], ['done', 'drafty']);
      const told = await kitPhone.frames.find((f) => f.type === 'draft' && f.text === 'half a tho');
      assert.equal(told.room, 'drafty');
      assert.ok(typeof told.at === 'number');
      // Without a ref, as a client sends it while typing: not answered, still told.
      kit.fire({ type: 'set_draft', room: 'other-room', text: 'elsewhere' });
      await kitPhone.frames.find((f) => f.type === 'draft' && f.room === 'other-room');
      // The most recently set first: the second, unless both were set within the same millisecond (then by room).
      const listed = (await kitPhone.request({ type: 'drafts' })).drafts as Frame[];
      const second = ['other-room', 'elsewhere'];
      const first = ['drafty', 'half a tho'];
      assert.deepEqual(
        listed.map((d) => [d.room, d.text]),
        listed[0]?.at === listed[1]?.at ? [first, second] : [second, first],
      );
      // Emptied (sent, or erased): told as an empty text, gone from the list.
      assert.equal(outcome(await kit.request({ type: 'set_draft', room: 'drafty', text: '  ' })), 'ok');
      await kitPhone.frames.find((f) => f.type === 'draft' && f.room === 'drafty' && f.text === '');
      assert.deepEqual(
        ((await kit.request({ type: 'drafts' })).drafts as Frame[]).map((d) => d.room),
        ['other-room'],
      );
      const max = (kit.welcome?.limits as { maxTextLength: number } | undefined)?.maxTextLength ?? 4000;
      const long = { type: 'set_draft', room: 'drafty', text: 'x'.repeat(max + 1) };
      assert.equal(outcome(await kit.request(long)), 'text_too_long');
      assert.equal(
        outcome(await kit.request({ type: 'set_draft', room: '-bad', text: 'x' })),
        'invalid_room',
      );
      // Another user's list is their own.
      assert.deepEqual((await (await as(node, 'lee')).request({ type: 'drafts' })).drafts, []);
    });
  });
}
