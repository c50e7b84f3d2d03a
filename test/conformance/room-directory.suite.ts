/**
 * Conformance suite of the RoomDirectory contract (rooms, members, invitations, bans): every backend answers these
 * the same way.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { directKeyOf, type NewRoom, type RoomDirectory } from '../../src/rooms/room-directory.js';

/** Makes a fresh, empty directory. */
export interface DirectoryFactory {
  create(): Promise<{ directory: RoomDirectory; close(): Promise<void> }>;
}

const T0 = 1_800_000_000_000;

const publicRoom = (id: string, name = id, owner = 'olga'): NewRoom => ({
  id,
  kind: 'public',
  name,
  createdBy: owner,
  createdAt: T0,
  members: [{ userId: owner, role: 'owner' }],
});

export function roomDirectorySuite(name: string, factory: DirectoryFactory): void {
  describe(`RoomDirectory conformance: ${name}`, () => {
    const open: Array<() => Promise<void>> = [];
    const make = async () => {
      const { directory, close } = await factory.create();
      open.push(close);
      return directory;
    };
    after(async () => {
      await Promise.all(open.map((close) => close()));
    });

    it('creates a room with its first members, once', async () => {
      const rooms = await make();
      const made = await rooms.create({ ...publicRoom('general', 'General'), topic: 'anything' });
      assert.equal(made.created, true);
      assert.deepEqual(made.room, {
        id: 'general',
        kind: 'public',
        name: 'General',
        topic: 'anything',
        createdBy: 'olga',
        createdAt: T0,
        memberCount: 1,
        announceJoins: true,
      });
      assert.deepEqual(await rooms.member('general', 'olga'), {
        room: 'general',
        userId: 'olga',
        role: 'owner',
        joinedAt: T0,
      });
      const again = await rooms.create({ ...publicRoom('general', 'Other'), createdBy: 'x' });
      assert.equal(again.created, false, 'an id is taken once');
      assert.equal(again.room.name, 'General', 'and the first room stays as it was');
      assert.equal(await rooms.get('nowhere'), undefined);
      const twice = {
        ...publicRoom('twice'),
        members: [
          { userId: 'olga', role: 'owner' as const },
          { userId: 'olga', role: 'member' as const },
        ],
      };
      await assert.rejects(rooms.create(twice), 'a first member listed twice is refused');
      assert.equal(await rooms.get('twice'), undefined, 'and nothing is written');
    });

    it('keeps whether joins are announced, and members’ names', async () => {
      const rooms = await make();
      const open = await rooms.create({
        ...publicRoom('lobby'),
        announceJoins: false,
        members: [{ userId: 'olga', role: 'member', name: 'Olga' }],
      });
      assert.equal(open.room.announceJoins, false);
      assert.equal((await rooms.member('lobby', 'olga'))?.name, 'Olga');
      assert.equal((await rooms.update('lobby', { announceJoins: true }))?.announceJoins, true);
      assert.equal(
        (await rooms.update('lobby', { topic: 'x' }))?.announceJoins,
        true,
        'kept when not patched',
      );
      await rooms.addMember({ room: 'lobby', userId: 'pia', name: 'Pia', role: 'member', joinedAt: T0 });
      assert.deepEqual(
        [await rooms.roomCount('pia'), await rooms.roomCount('olga'), await rooms.roomCount('nobody')],
        [1, 1, 0],
      );
      const mine = await rooms.roomsOf('pia');
      assert.equal(mine[0]?.member.name, 'Pia', 'the member’s name, not the room’s');
      assert.equal(mine[0]?.room.name, 'lobby');
      assert.deepEqual(
        (await rooms.members('lobby', { limit: 10 })).map((m) => m.name),
        ['Olga', 'Pia'],
      );
    });

    it('gives one direct room per set of people, whatever their order', async () => {
      const rooms = await make();
      const key = directKeyOf(['bob', 'alice', 'bob']);
      assert.equal(key, directKeyOf(['alice', 'bob']));
      const first = await rooms.create({
        id: 'dm-1',
        kind: 'direct',
        name: '',
        createdBy: 'alice',
        createdAt: T0,
        directKey: key,
        members: [
          { userId: 'alice', role: 'member' },
          { userId: 'bob', role: 'member' },
        ],
      });
      assert.equal(first.created, true);
      assert.equal(first.room.memberCount, 2);
      assert.equal(
        (await rooms.member('dm-1', 'bob'))?.invitedBy,
        'alice',
        'added by the one who started it',
      );
      const second = await rooms.create({
        id: 'dm-2',
        kind: 'direct',
        name: '',
        createdBy: 'bob',
        createdAt: T0 + 1,
        directKey: key,
        members: [],
      });
      assert.deepEqual([second.created, second.room.id], [false, 'dm-1']);
      assert.equal((await rooms.direct(key))?.id, 'dm-1');
      assert.equal(await rooms.get('dm-2'), undefined, 'nothing written');
      assert.equal(await rooms.direct(directKeyOf(['alice', 'carol'])), undefined);
      // Someone left it: it is no longer the direct room of these people, and the key is free for a new one.
      const freed = await rooms.update('dm-1', { directKey: null });
      assert.equal(freed?.directKey, undefined);
      assert.equal(await rooms.direct(key), undefined);
      const third = await rooms.create({
        id: 'dm-3',
        kind: 'direct',
        name: '',
        createdBy: 'alice',
        createdAt: T0 + 2,
        directKey: key,
        members: [{ userId: 'alice', role: 'member' }],
      });
      assert.deepEqual([third.created, (await rooms.direct(key))?.id], [true, 'dm-3']);
    });

    it('renames, changes the topic, archives and unarchives', async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      assert.equal((await rooms.update('r', { name: 'Renamed' }))?.name, 'Renamed');
      assert.equal((await rooms.update('r', { topic: 'new topic' }))?.topic, 'new topic');
      assert.equal((await rooms.update('r', { archivedAt: T0 + 5 }))?.archivedAt, T0 + 5);
      const back = await rooms.update('r', { archivedAt: null });
      assert.equal(back?.archivedAt, undefined);
      assert.equal(back?.name, 'Renamed', 'a patch leaves the other fields alone');
      assert.equal(await rooms.update('nowhere', { name: 'x' }), undefined);
    });

    it('lists public rooms that are not archived, by name, in keyset pages', async () => {
      const rooms = await make();
      for (const [id, title] of [
        ['c', 'Cats'],
        ['a', 'Apples'],
        ['b2', 'Bikes'],
        ['b1', 'Bikes'],
        ['z', 'Zebras'],
      ] as const) {
        await rooms.create(publicRoom(id, title));
      }
      await rooms.create({ ...publicRoom('secret', 'Aardvarks'), kind: 'private' });
      await rooms.update('z', { archivedAt: T0 });
      const first = await rooms.publicRooms({ limit: 2 });
      assert.deepEqual(
        first.map((r) => r.id),
        ['a', 'b1'],
      );
      const last = first.at(-1);
      const rest = await rooms.publicRooms({
        after: last && { name: last.name, id: last.id },
        limit: 10,
      });
      assert.deepEqual(
        rest.map((r) => r.id),
        ['b2', 'c'],
        'same name: by id; private and archived rooms are not listed',
      );
    });

    it('lists every room for operators, private and archived ones too, by id in keyset pages', async () => {
      const rooms = await make();
      for (const id of ['m', 'B', 'a', 'z']) await rooms.create(publicRoom(id));
      await rooms.create({ ...publicRoom('p'), kind: 'private' });
      await rooms.update('z', { archivedAt: T0 });
      const first = await rooms.allRooms({ limit: 3 });
      assert.deepEqual(
        first.map((r) => r.id),
        ['B', 'a', 'm'],
        'byte order (upper case first), as the SQL collation "C"',
      );
      const rest = await rooms.allRooms({ after: first.at(-1)?.id, limit: 10 });
      assert.deepEqual(
        rest.map((r) => r.id),
        ['p', 'z'],
      );
    });

    it('adds and removes members, counting them, and pages them by user id', async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      for (const user of ['dan', 'bea', 'cid', 'amy']) {
        assert.equal(
          await rooms.addMember({ room: 'r', userId: user, role: 'member', joinedAt: T0 + 1 }),
          true,
        );
      }
      assert.equal(
        await rooms.addMember({ room: 'r', userId: 'amy', role: 'admin', joinedAt: T0 + 2 }),
        false,
        'already a member: nothing changes',
      );
      assert.equal((await rooms.member('r', 'amy'))?.role, 'member');
      assert.equal(
        await rooms.addMember({ room: 'nowhere', userId: 'amy', role: 'member', joinedAt: T0 }),
        false,
      );
      assert.equal((await rooms.get('r'))?.memberCount, 5);
      const page1 = await rooms.members('r', { limit: 3 });
      assert.deepEqual(
        page1.map((m) => m.userId),
        ['amy', 'bea', 'cid'],
      );
      const page2 = await rooms.members('r', { after: 'cid', limit: 3 });
      assert.deepEqual(
        page2.map((m) => m.userId),
        ['dan', 'olga'],
      );
      assert.equal(await rooms.removeMember('r', 'bea'), true);
      assert.equal(await rooms.removeMember('r', 'bea'), false);
      assert.equal((await rooms.get('r'))?.memberCount, 4);
      assert.equal(await rooms.member('r', 'bea'), undefined);
    });

    it("lists a user's rooms with their membership", async () => {
      const rooms = await make();
      await rooms.create(publicRoom('b'));
      await rooms.create(publicRoom('a'));
      await rooms.create(publicRoom('c', 'c', 'someone'));
      await rooms.addMember({ room: 'c', userId: 'olga', role: 'member', joinedAt: T0, invitedBy: 'x' });
      const mine = await rooms.roomsOf('olga');
      assert.deepEqual(
        mine.map((m) => [m.room.id, m.member.role]),
        [
          ['a', 'owner'],
          ['b', 'owner'],
          ['c', 'member'],
        ],
      );
      assert.equal(mine[2]?.member.invitedBy, 'x');
      await rooms.removeMember('a', 'olga');
      assert.deepEqual(
        (await rooms.roomsOf('olga')).map((m) => m.room.id),
        ['b', 'c'],
      );
      assert.deepEqual(await rooms.roomsOf('nobody'), []);
    });

    it('names the senior member: the highest role, then the earliest to join, then the lowest id', async () => {
      const rooms = await make();
      await rooms.create(publicRoom('s', 's', 'olga'));
      const join = (userId: string, role: 'admin' | 'member', at: number) =>
        rooms.addMember({ room: 's', userId, role, joinedAt: T0 + at });
      await join('zed', 'member', 1);
      await join('amy', 'member', 5);
      await join('bob', 'admin', 9);
      await join('abe', 'admin', 9);
      assert.equal((await rooms.senior('s'))?.userId, 'olga', 'the owner');
      await rooms.removeMember('s', 'olga');
      assert.equal((await rooms.senior('s'))?.userId, 'abe', 'an admin, the lower id of two joined at once');
      await rooms.removeMember('s', 'abe');
      await rooms.removeMember('s', 'bob');
      const next = await rooms.senior('s');
      assert.deepEqual([next?.userId, next?.role], ['zed', 'member'], 'the member who joined first');
      await rooms.removeMember('s', 'zed');
      await rooms.removeMember('s', 'amy');
      assert.equal(await rooms.senior('s'), undefined, 'nobody left');
      assert.equal(await rooms.senior('nowhere'), undefined);
    });

    it('changes roles, mutes and unmutes members only', async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      await rooms.addMember({ room: 'r', userId: 'ann', role: 'member', joinedAt: T0 });
      assert.equal(await rooms.setRole('r', 'ann', 'admin'), true);
      assert.equal((await rooms.member('r', 'ann'))?.role, 'admin');
      assert.equal(await rooms.setRole('r', 'stranger', 'admin'), false);
      assert.equal(await rooms.setMute('r', 'ann', { at: T0 + 1, expiresAt: T0 + 60_000 }), true);
      const muted = await rooms.member('r', 'ann');
      assert.deepEqual([muted?.mutedAt, muted?.muteExpiresAt], [T0 + 1, T0 + 60_000]);
      await rooms.setMute('r', 'ann', { at: T0 + 2 });
      const forGood = await rooms.member('r', 'ann');
      assert.deepEqual([forGood?.mutedAt, forGood?.muteExpiresAt], [T0 + 2, undefined]);
      assert.equal(await rooms.setMute('r', 'ann', undefined), true);
      const free = await rooms.member('r', 'ann');
      assert.deepEqual([free?.mutedAt, free?.muteExpiresAt], [undefined, undefined]);
      assert.equal(await rooms.setMute('r', 'stranger', { at: T0 }), false);
    });

    it('keeps what each member wants to be notified of, in their room list too, until they leave', async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      await rooms.addMember({ room: 'r', userId: 'ann', role: 'member', joinedAt: T0 });
      await rooms.addMember({ room: 'r', userId: 'bo', role: 'member', joinedAt: T0 });
      assert.equal((await rooms.member('r', 'ann'))?.notifications, undefined, 'never chosen');
      assert.equal(await rooms.setNotifications('r', 'ann', 'none'), true);
      assert.equal((await rooms.member('r', 'ann'))?.notifications, 'none');
      assert.equal(
        (await rooms.member('r', 'bo'))?.notifications,
        undefined,
        "another member's is their own",
      );
      const [listed] = await rooms.roomsOf('ann');
      assert.equal(listed?.member.notifications, 'none');
      assert.equal(await rooms.setNotifications('r', 'ann', 'all'), true);
      assert.equal((await rooms.member('r', 'ann'))?.notifications, 'all');
      assert.equal(await rooms.setNotifications('r', 'ann', undefined), true);
      assert.equal((await rooms.member('r', 'ann'))?.notifications, undefined, 'back to the default');
      assert.equal(await rooms.setNotifications('r', 'stranger', 'none'), false);
      // A membership ended ends its choices: joining again starts from the default.
      await rooms.setNotifications('r', 'bo', 'none');
      await rooms.removeMember('r', 'bo');
      await rooms.addMember({ room: 'r', userId: 'bo', role: 'member', joinedAt: T0 + 1 });
      assert.equal((await rooms.member('r', 'bo'))?.notifications, undefined);
    });

    it("keeps each member's favorites and hidden rooms, in their room list too, until they leave", async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      await rooms.addMember({ room: 'r', userId: 'ann', role: 'member', joinedAt: T0 });
      await rooms.addMember({ room: 'r', userId: 'bo', role: 'member', joinedAt: T0 });
      const ann = await rooms.member('r', 'ann');
      assert.deepEqual([ann?.favorite, ann?.hiddenAt], [undefined, undefined], 'neither, never chosen');
      assert.equal(await rooms.setFavorite('r', 'ann', true), true);
      assert.equal(await rooms.setHidden('r', 'ann', 0), true, 'an empty room hidden up to offset 0');
      const set = await rooms.member('r', 'ann');
      assert.deepEqual([set?.favorite, set?.hiddenAt], [true, 0]);
      const bo = await rooms.member('r', 'bo');
      assert.deepEqual(
        [bo?.favorite, bo?.hiddenAt],
        [undefined, undefined],
        "another member's are their own",
      );
      const [listed] = await rooms.roomsOf('ann');
      assert.deepEqual([listed?.member.favorite, listed?.member.hiddenAt], [true, 0]);
      assert.equal(await rooms.setHidden('r', 'ann', 41), true, 'hidden again, further on');
      assert.equal((await rooms.member('r', 'ann'))?.hiddenAt, 41);
      assert.equal(await rooms.setFavorite('r', 'ann', false), true);
      assert.equal(await rooms.setHidden('r', 'ann', undefined), true);
      const cleared = await rooms.member('r', 'ann');
      assert.deepEqual([cleared?.favorite, cleared?.hiddenAt], [undefined, undefined]);
      assert.equal(await rooms.setFavorite('r', 'stranger', true), false);
      assert.equal(await rooms.setHidden('r', 'stranger', 3), false);
      // A membership ended ends them: joining again starts shown, no favorite.
      await rooms.setFavorite('r', 'bo', true);
      await rooms.setHidden('r', 'bo', 7);
      await rooms.removeMember('r', 'bo');
      await rooms.addMember({ room: 'r', userId: 'bo', role: 'member', joinedAt: T0 + 1 });
      const back = await rooms.member('r', 'bo');
      assert.deepEqual([back?.favorite, back?.hiddenAt], [undefined, undefined]);
    });

    it("keeps a room's pins, the most recently pinned first, each once", async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      await rooms.create(publicRoom('q'));
      const pin = (room: string, offset: number, pinnedAt: number) =>
        rooms.pin({ room, offset, messageId: `m${offset}`, pinnedBy: { id: 'ann', name: 'Ann' }, pinnedAt });
      assert.equal(await pin('r', 4, T0), true);
      assert.equal(await pin('r', 9, T0 + 1), true);
      assert.equal(await pin('r', 2, T0 + 1), true);
      assert.equal(await pin('r', 4, T0 + 5), false, 'pinned already: unchanged');
      assert.equal(await pin('q', 4, T0), true, 'another room');
      assert.equal(await pin('nowhere', 1, T0), false, 'no such room');
      assert.deepEqual(
        (await rooms.pins('r')).map((p) => [p.offset, p.pinnedAt]),
        [
          [9, T0 + 1],
          [2, T0 + 1],
          [4, T0],
        ],
      );
      assert.deepEqual((await rooms.pins('q'))[0], {
        room: 'q',
        offset: 4,
        messageId: 'm4',
        pinnedBy: { id: 'ann', name: 'Ann' },
        pinnedAt: T0,
      });
      assert.equal(await rooms.unpin('r', 9), true);
      assert.equal(await rooms.unpin('r', 9), false);
      assert.deepEqual(
        (await rooms.pins('r')).map((p) => p.offset),
        [2, 4],
      );
      assert.deepEqual(await rooms.pins('nowhere'), []);
    });

    it("keeps a room's invite links, counts their uses within their bounds, and revokes them", async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      await rooms.create(publicRoom('q'));
      const link = (code: string, room: string, createdAt: number, extra = {}) => ({
        code,
        room,
        createdBy: { id: 'olga', name: 'Olga' },
        createdAt,
        uses: 0,
        ...extra,
      });
      assert.equal(await rooms.addInviteLink(link('twice', 'r', T0 + 2, { maxUses: 2 })), true);
      assert.equal(await rooms.addInviteLink(link('open', 'r', T0 + 1)), true);
      assert.equal(await rooms.addInviteLink(link('soon', 'q', T0, { expiresAt: T0 + 100 })), true);
      assert.equal(await rooms.addInviteLink(link('open', 'q', T0)), false, 'a code is taken once');
      assert.equal(await rooms.addInviteLink(link('x', 'nowhere', T0)), false, 'no such room');
      assert.deepEqual(await rooms.inviteLink('twice'), link('twice', 'r', T0 + 2, { maxUses: 2 }));
      assert.deepEqual(
        await rooms.inviteLink('open'),
        link('open', 'r', T0 + 1),
        'no end, no bound: none kept',
      );
      assert.deepEqual(
        (await rooms.inviteLinks('r')).map((l) => l.code),
        ['open', 'twice'],
      );
      assert.equal((await rooms.useInviteLink('twice', T0))?.uses, 1);
      assert.equal((await rooms.useInviteLink('twice', T0))?.uses, 2);
      assert.equal(await rooms.useInviteLink('twice', T0), undefined, 'used its most times');
      assert.equal((await rooms.inviteLink('twice'))?.uses, 2);
      assert.equal((await rooms.useInviteLink('soon', T0 + 99))?.uses, 1);
      assert.equal(await rooms.useInviteLink('soon', T0 + 100), undefined, 'expired');
      assert.equal(await rooms.useInviteLink('nothing', T0), undefined);
      for (let i = 0; i < 5; i += 1) await rooms.useInviteLink('open', T0 + 10 ** 9);
      assert.equal((await rooms.inviteLink('open'))?.uses, 5);
      assert.equal(await rooms.removeInviteLink('q', 'open'), false, "another room's link stays");
      assert.equal(await rooms.removeInviteLink('r', 'open'), true);
      assert.equal(await rooms.removeInviteLink('r', 'open'), false);
      assert.equal(await rooms.useInviteLink('open', T0), undefined, 'revoked');
      assert.deepEqual(await rooms.inviteLinks('nowhere'), []);
    });

    it("keeps a room's webhooks by id, oldest first, and removes them from their own room only", async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      await rooms.create(publicRoom('q'));
      const hook = (id: string, room: string, createdAt: number) => ({
        id,
        room,
        name: `Hook ${id}`,
        secretSha256: `sha-${id}`,
        createdBy: { id: 'olga', name: 'Olga' },
        createdAt,
      });
      assert.equal(await rooms.addWebhook(hook('h2', 'r', T0 + 2)), true);
      assert.equal(await rooms.addWebhook(hook('h1', 'r', T0 + 1)), true);
      assert.equal(await rooms.addWebhook(hook('h3', 'q', T0)), true);
      assert.equal(await rooms.addWebhook(hook('h1', 'q', T0)), false, 'an id is taken once');
      assert.equal(await rooms.addWebhook(hook('h4', 'nowhere', T0)), false, 'no such room');
      assert.deepEqual(await rooms.webhook('h2'), hook('h2', 'r', T0 + 2));
      assert.equal(await rooms.webhook('h4'), undefined);
      assert.equal(await rooms.webhook('H2'), undefined, 'ids are compared exactly');
      assert.deepEqual(
        (await rooms.webhooks('r')).map((h) => h.id),
        ['h1', 'h2'],
      );
      assert.equal(await rooms.removeWebhook('q', 'h1'), false, "another room's hook stays");
      assert.equal(await rooms.removeWebhook('r', 'h1'), true);
      assert.equal(await rooms.removeWebhook('r', 'h1'), false);
      assert.equal(await rooms.webhook('h1'), undefined);
      assert.deepEqual(
        (await rooms.webhooks('r')).map((h) => h.id),
        ['h2'],
      );
      assert.deepEqual(await rooms.webhooks('nowhere'), []);
    });

    it("keeps each user's saved messages, the most recently saved first, each once", async () => {
      const rooms = await make();
      const save = (userId: string, room: string, offset: number, savedAt: number) =>
        rooms.save({ userId, room, offset, messageId: `${room}${offset}`, savedAt });
      assert.equal(await save('ann', 'r', 4, T0), true);
      assert.equal(await save('ann', 'q', 9, T0 + 2), true);
      assert.equal(await save('ann', 'r', 7, T0 + 1), true);
      assert.equal(await save('ann', 'r', 4, T0 + 5), false, 'saved already: unchanged');
      assert.equal(await save('bo', 'r', 4, T0), true, "another user's");
      assert.deepEqual(
        (await rooms.saved('ann')).map((s) => `${s.room}:${s.offset}`),
        ['q:9', 'r:7', 'r:4'],
      );
      assert.deepEqual((await rooms.saved('bo'))[0], {
        userId: 'bo',
        room: 'r',
        offset: 4,
        messageId: 'r4',
        savedAt: T0,
      });
      assert.equal(await rooms.unsave('ann', 'r', 7), true);
      assert.equal(await rooms.unsave('ann', 'r', 7), false);
      assert.deepEqual(
        (await rooms.saved('ann')).map((s) => `${s.room}:${s.offset}`),
        ['q:9', 'r:4'],
      );
      assert.deepEqual(await rooms.saved('nobody'), []);
    });

    it('keeps reminders of saved messages, and hands each due one out once, the soonest first', async () => {
      const rooms = await make();
      const save = (userId: string, room: string, offset: number) =>
        rooms.save({ userId, room, offset, messageId: `${room}${offset}`, savedAt: T0 });
      await save('ann', 'r', 1);
      await save('ann', 'r', 2);
      await save('bo', 'r', 1);
      assert.equal(await rooms.setReminder('ann', 'r', 9, T0 + 10), false, 'not saved');
      assert.equal(await rooms.setReminder('ann', 'r', 1, T0 + 30), true);
      assert.equal(await rooms.setReminder('ann', 'r', 2, T0 + 10), true);
      assert.equal(await rooms.setReminder('bo', 'r', 1, T0 + 20), true);
      assert.deepEqual(
        (await rooms.saved('ann')).map((s) => [s.offset, s.remindAt, s.remindedAt]),
        [
          [2, T0 + 10, undefined],
          [1, T0 + 30, undefined],
        ],
      );
      assert.deepEqual(await rooms.dueReminders(T0 + 5, 10), [], 'none due yet');
      const first = await rooms.dueReminders(T0 + 25, 1);
      assert.deepEqual(
        first.map((s) => [s.userId, s.offset, s.remindAt, s.remindedAt]),
        [['ann', 2, T0 + 10, T0 + 25]],
      );
      const rest = await rooms.dueReminders(T0 + 26, 10);
      assert.deepEqual(
        rest.map((s) => [s.userId, s.offset]),
        [['bo', 1]],
        'the soonest of the rest; ann’s came due already',
      );
      assert.deepEqual(await rooms.dueReminders(T0 + 27, 10), [], 'each once');
      // Another reminder (or none) forgets that one came due.
      assert.equal(await rooms.setReminder('ann', 'r', 2, T0 + 40), true);
      assert.equal(await rooms.setReminder('ann', 'r', 1, undefined), true);
      assert.deepEqual(
        (await rooms.saved('ann')).map((s) => [s.offset, s.remindAt, s.remindedAt]),
        [
          [2, T0 + 40, undefined],
          [1, undefined, undefined],
        ],
      );
      assert.deepEqual(
        (await Promise.all([rooms.dueReminders(T0 + 50, 10), rooms.dueReminders(T0 + 50, 10)])).flat().length,
        1,
        'two rounds at once: one gets it',
      );
    });

    it('keeps the threads each user follows: read markers forward only, the newest reply first, within a bound', async () => {
      const rooms = await make();
      const follow = (userId: string, room: string, root: number, readOffset: number, at: number) => ({
        userId,
        room,
        root,
        rootId: `${room}${root}`,
        readOffset,
        followedAt: at,
        lastAt: at,
      });
      await rooms.followThreads([follow('ann', 'r', 1, 1, T0), follow('bo', 'r', 1, 3, T0)], 10);
      await rooms.followThreads([follow('ann', 's', 5, 5, T0 + 1)], 10);
      assert.deepEqual(
        (await rooms.followedThreads('ann')).map((f) => `${f.room}:${f.root}`),
        ['s:5', 'r:1'],
        'the newest first',
      );
      // A reply in r:1: its followers' lastAt moves, and they come back with their markers.
      const followers = await rooms.threadReplied({ room: 'r', root: 1, rootId: 'r1', at: T0 + 10 }, [], 10);
      assert.deepEqual(
        followers.sort((a, b) => a.userId.localeCompare(b.userId)),
        [
          { userId: 'ann', readOffset: 1 },
          { userId: 'bo', readOffset: 3 },
        ],
      );
      assert.deepEqual(
        (await rooms.threadReplied({ room: 'r', root: 1, rootId: 'other-id', at: T0 + 11 }, [], 10)).length,
        0,
        'another root id',
      );
      assert.deepEqual(
        await rooms.threadReplied({ room: 'r', root: 2, rootId: 'r2', at: T0 + 11 }, [], 10),
        [],
      );
      const ann = await rooms.followedThreads('ann');
      assert.deepEqual(
        ann.map((f) => `${f.room}:${f.root}`),
        ['r:1', 's:5'],
      );
      assert.deepEqual(ann[0], { ...follow('ann', 'r', 1, 1, T0), lastAt: T0 + 10 });
      // Read markers move forward only; a thread not followed keeps none.
      assert.equal(await rooms.readThread('ann', 'r', 1, 4), 4);
      assert.equal(await rooms.readThread('ann', 'r', 1, 2), undefined, 'not back');
      assert.equal(await rooms.readThread('ann', 'r', 1, 4), undefined, 'there already');
      assert.equal(await rooms.readThread('cy', 'r', 1, 4), undefined, 'not followed');
      // Followed again: the marker only moves forward, the follow keeps when it was made.
      await rooms.followThreads([follow('ann', 'r', 1, 2, T0 + 20)], 10);
      const again = (await rooms.followedThreads('ann')).find((f) => f.root === 1);
      assert.equal(again?.readOffset, 4);
      assert.equal(again?.followedAt, T0);
      assert.equal(again?.lastAt, T0 + 20);
      // Another root at the same offset (a log that began again) is followed anew.
      await rooms.followThreads([{ ...follow('ann', 'r', 1, 1, T0 + 30), rootId: 'new' }], 10);
      const anew = (await rooms.followedThreads('ann')).find((f) => f.root === 1);
      assert.deepEqual(anew, { ...follow('ann', 'r', 1, 1, T0 + 30), rootId: 'new' });
      // Unfollowing.
      assert.equal(await rooms.unfollowThread('ann', 's', 5), true);
      assert.equal(await rooms.unfollowThread('ann', 's', 5), false);
      assert.deepEqual(
        (await rooms.threadReplied({ room: 'r', root: 1, rootId: 'r1', at: T0 + 40 }, [], 10)).map(
          (f) => f.userId,
        ),
        ['bo'],
      );
      // The bound: the follows made the longest ago give way.
      await rooms.followThreads(
        [follow('dee', 'r', 1, 1, T0), follow('dee', 'r', 2, 2, T0 + 1), follow('dee', 'r', 3, 3, T0 + 2)],
        2,
      );
      assert.deepEqual(
        (await rooms.followedThreads('dee')).map((f) => f.root),
        [3, 2],
      );
      await rooms.followThreads([follow('dee', 'q', 9, 9, T0 + 3)], 2);
      assert.deepEqual(
        (await rooms.followedThreads('dee')).map((f) => `${f.room}:${f.root}`),
        ['q:9', 'r:3'],
      );
      assert.deepEqual(await rooms.followedThreads('nobody'), []);

      // A reply makes its follows and tells of every follower in one call: a new follow, one moved forward, the rest.
      const replied = await rooms.threadReplied(
        { room: 'r', root: 1, rootId: 'r1', at: T0 + 50 },
        [
          follow('eve', 'r', 1, 7, T0 + 50),
          follow('bo', 'r', 1, 7, T0 + 50),
          follow('dee', 'r', 1, 1, T0 + 50),
        ],
        2,
      );
      assert.deepEqual(
        replied.sort((a, b) => a.userId.localeCompare(b.userId)),
        [
          { userId: 'bo', readOffset: 7 },
          { userId: 'dee', readOffset: 1 },
          { userId: 'eve', readOffset: 7 },
        ],
      );
      assert.deepEqual(
        (await rooms.followedThreads('dee')).map((f) => `${f.room}:${f.root}`),
        ['r:1', 'q:9'],
        'the bound holds for a follow a reply makes',
      );
      assert.equal((await rooms.followedThreads('bo'))[0]?.lastAt, T0 + 50);
    });

    it('moves read markers of members forward only, a batch at once', async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r1'));
      await rooms.create(publicRoom('r2'));
      await rooms.addMember({ room: 'r1', userId: 'ann', role: 'member', joinedAt: T0 });
      await rooms.addMember({ room: 'r2', userId: 'ann', role: 'member', joinedAt: T0 });
      const moved = await rooms.markRead([
        { room: 'r1', userId: 'ann', offset: 5 },
        { room: 'r2', userId: 'ann', offset: 2 },
        { room: 'r1', userId: 'stranger', offset: 9 },
      ]);
      assert.deepEqual(
        moved.sort((a, b) => (a.room < b.room ? -1 : 1)),
        [
          { room: 'r1', userId: 'ann', offset: 5, direct: false },
          { room: 'r2', userId: 'ann', offset: 2, direct: false },
        ],
      );
      assert.deepEqual(
        await rooms.markRead([{ room: 'r1', userId: 'ann', offset: 3 }]),
        [],
        'never backwards',
      );
      assert.equal((await rooms.member('r1', 'ann'))?.readOffset, 5);
      const list = await rooms.roomsOf('ann');
      assert.deepEqual(
        list.map(({ member }) => [member.room, member.readOffset]),
        [
          ['r1', 5],
          ['r2', 2],
        ],
      );
    });

    it("moves a member's read marker back only when marked unread", async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r1'));
      await rooms.addMember({ room: 'r1', userId: 'ann', role: 'member', joinedAt: T0 });
      await rooms.markRead([{ room: 'r1', userId: 'ann', offset: 7 }]);
      assert.deepEqual(await rooms.markUnread({ room: 'r1', userId: 'ann', offset: 4 }), {
        room: 'r1',
        userId: 'ann',
        offset: 4,
        direct: false,
      });
      assert.equal((await rooms.member('r1', 'ann'))?.readOffset, 4);
      assert.equal(
        await rooms.markUnread({ room: 'r1', userId: 'ann', offset: 4 }),
        undefined,
        'there already',
      );
      assert.equal(
        await rooms.markUnread({ room: 'r1', userId: 'ann', offset: 6 }),
        undefined,
        'never forward',
      );
      assert.equal(
        await rooms.markUnread({ room: 'r1', userId: 'olga', offset: 0 }),
        undefined,
        'nothing read',
      );
      assert.equal(
        await rooms.markUnread({ room: 'r1', userId: 'nobody', offset: 0 }),
        undefined,
        'no member',
      );
      assert.deepEqual(await rooms.markUnread({ room: 'r1', userId: 'ann', offset: 0 }), {
        room: 'r1',
        userId: 'ann',
        offset: 0,
        direct: false,
      });
      assert.equal((await rooms.member('r1', 'ann'))?.readOffset ?? 0, 0, 'nothing read (0 or none)');
    });

    it('says which moved markers are of direct rooms, and who turned read receipts off', async () => {
      const rooms = await make();
      await rooms.create({
        id: 'dm-ann-bo',
        kind: 'direct',
        name: '',
        topic: '',
        createdBy: 'ann',
        createdAt: T0,
        directKey: 'ann,bo',
        members: [
          { userId: 'ann', role: 'member' },
          { userId: 'bo', role: 'member' },
        ],
      });
      assert.deepEqual(await rooms.markRead([{ room: 'dm-ann-bo', userId: 'bo', offset: 3 }]), [
        { room: 'dm-ann-bo', userId: 'bo', offset: 3, direct: true },
      ]);
      assert.deepEqual([...(await rooms.receiptsOff(['ann', 'bo']))], [], 'on by default');
      await rooms.setReceipts('bo', false);
      assert.deepEqual([...(await rooms.receiptsOff(['ann', 'bo', 'cy']))], ['bo']);
      await rooms.setReceipts('bo', true);
      assert.deepEqual([...(await rooms.receiptsOff(['bo']))], []);
    });

    it('keeps what users say of themselves, beside their other choices, and forgets it when cleared', async () => {
      const rooms = await make();
      assert.deepEqual([...(await rooms.statuses(['ann']))], [], 'none by default');
      const dnd = { availability: 'dnd' as const, text: 'In a meeting', emoji: '📅', until: T0 + 3_600_000 };
      await rooms.setStatus('ann', dnd);
      await rooms.setReceipts('ann', false);
      await rooms.setStatus('bo', { text: 'Lunch' });
      assert.deepEqual(Object.fromEntries(await rooms.statuses(['ann', 'bo', 'cy'])), {
        ann: dnd,
        bo: { text: 'Lunch' },
      });
      assert.deepEqual(
        [...(await rooms.receiptsOff(['ann']))],
        ['ann'],
        'a status leaves the other choices as they were',
      );
      await rooms.setStatus('ann', undefined);
      assert.deepEqual([...(await rooms.statuses(['ann', 'bo'])).keys()], ['bo']);
      assert.deepEqual([...(await rooms.receiptsOff(['ann']))], ['ann']);
      const read = await rooms.statuses(['bo']);
      (read.get('bo') as { text: string }).text = 'changed';
      assert.deepEqual(Object.fromEntries(await rooms.statuses(['bo'])), { bo: { text: 'Lunch' } }, 'a copy');
    });

    it('keeps invitations until accepted (a join clears them), declined or withdrawn', async () => {
      const rooms = await make();
      await rooms.create({ ...publicRoom('p'), kind: 'private' });
      await rooms.create({ ...publicRoom('q'), kind: 'private' });
      const invite = (room: string, userId: string) =>
        rooms.invite({ room, userId, invitedBy: 'olga', invitedAt: T0 + 1 });
      assert.equal(await invite('p', 'ivy'), true);
      assert.equal(await invite('p', 'ivy'), false, 'already invited');
      assert.equal(await invite('p', 'olga'), false, 'already a member');
      assert.equal(await invite('nowhere', 'ivy'), false);
      assert.equal(await invite('q', 'ivy'), true);
      assert.equal(await rooms.invitationCount({ user: 'ivy' }), 2);
      assert.equal(await rooms.invitationCount({ user: 'olga' }), 0);
      assert.equal(await rooms.invitationCount({ room: 'p' }), 1);
      assert.equal(await rooms.invitationCount({ room: 'nowhere' }), 0);
      assert.deepEqual(await rooms.invitation('p', 'ivy'), {
        room: 'p',
        userId: 'ivy',
        invitedBy: 'olga',
        invitedAt: T0 + 1,
      });
      assert.deepEqual(
        (await rooms.invitationsOf('ivy')).map((i) => [i.room.id, i.invitation.invitedBy]),
        [
          ['p', 'olga'],
          ['q', 'olga'],
        ],
      );
      // Accepting is joining: the invitation goes in the same step.
      await rooms.addMember({
        room: 'p',
        userId: 'ivy',
        role: 'member',
        joinedAt: T0 + 2,
        invitedBy: 'olga',
      });
      assert.equal(await rooms.invitation('p', 'ivy'), undefined);
      assert.equal(await rooms.removeInvitation('q', 'ivy'), true, 'declined');
      assert.equal(await rooms.removeInvitation('q', 'ivy'), false);
      assert.deepEqual(await rooms.invitationsOf('ivy'), []);
      assert.equal(await rooms.invitationCount({ user: 'ivy' }), 0);
    });

    it("pages a room's pending invitations by user id, and counts them", async () => {
      const rooms = await make();
      await rooms.create({ ...publicRoom('p'), kind: 'private' });
      await rooms.create({ ...publicRoom('q'), kind: 'private' });
      // Ids compare byte by byte: upper case before lower, 'b' before 'b0'.
      for (const [i, userId] of ['b0', 'a', 'B', 'b', 'é'].entries()) {
        await rooms.invite({ room: 'p', userId, invitedBy: i % 2 ? 'olga' : 'pete', invitedAt: T0 + i });
      }
      await rooms.invite({ room: 'q', userId: 'zed', invitedBy: 'olga', invitedAt: T0 });
      assert.equal(await rooms.invitationCount({ room: 'p' }), 5);
      const all = await rooms.invitationsTo('p', { limit: 10 });
      assert.deepEqual(
        all.map((i) => i.userId),
        ['B', 'a', 'b', 'b0', 'é'],
      );
      assert.deepEqual(all[3], { room: 'p', userId: 'b0', invitedBy: 'pete', invitedAt: T0 });
      const first = await rooms.invitationsTo('p', { limit: 2 });
      assert.deepEqual(
        first.map((i) => i.userId),
        ['B', 'a'],
      );
      const rest = await rooms.invitationsTo('p', { after: 'a', limit: 10 });
      assert.deepEqual(
        rest.map((i) => i.userId),
        ['b', 'b0', 'é'],
      );
      assert.deepEqual(await rooms.invitationsTo('p', { after: 'é', limit: 10 }), []);
      assert.deepEqual(await rooms.invitationsTo('nowhere', { limit: 10 }), []);
      // Accepted (a join) and withdrawn invitations leave the page and the count.
      await rooms.addMember({ room: 'p', userId: 'a', role: 'member', joinedAt: T0 + 9, invitedBy: 'olga' });
      await rooms.removeInvitation('p', 'b');
      assert.deepEqual(
        (await rooms.invitationsTo('p', { limit: 10 })).map((i) => i.userId),
        ['B', 'b0', 'é'],
      );
      assert.equal(await rooms.invitationCount({ room: 'p' }), 3);
      assert.equal(await rooms.invitationCount({ room: 'q' }), 1);
    });

    it('counts the pending invitations each user gave, as they are given and as they end', async () => {
      const rooms = await make();
      await rooms.create({ ...publicRoom('p'), kind: 'private' });
      await rooms.create({ ...publicRoom('q'), kind: 'private' });
      const invite = (room: string, userId: string, invitedBy: string) =>
        rooms.invite({ room, userId, invitedBy, invitedAt: T0 });
      for (const userId of ['a', 'b', 'c', 'd']) await invite('p', userId, 'olga');
      await invite('q', 'a', 'olga');
      await invite('q', 'b', 'pete');
      assert.equal(await invite('p', 'a', 'pete'), false, 'invited already: counted for nobody');
      assert.equal(await rooms.invitationCount({ inviter: 'olga' }), 5);
      assert.equal(await rooms.invitationCount({ inviter: 'pete' }), 1);
      assert.equal(await rooms.invitationCount({ inviter: 'nobody' }), 0);
      // Every way an invitation ends: accepted (a join), declined or withdrawn, a ban.
      await rooms.addMember({ room: 'p', userId: 'a', role: 'member', joinedAt: T0 + 1, invitedBy: 'olga' });
      await rooms.removeInvitation('p', 'b');
      await rooms.ban({ room: 'p', userId: 'c', reason: '', bannedBy: 'olga', bannedAt: T0 + 2 });
      await rooms.removeInvitation('q', 'b');
      assert.equal(await rooms.invitationCount({ inviter: 'olga' }), 2);
      assert.equal(await rooms.invitationCount({ inviter: 'pete' }), 0);
      assert.equal(await invite('q', 'b', 'pete'), true);
      assert.equal(await rooms.invitationCount({ inviter: 'pete' }), 1);
    });

    it('pages the pending invitations a user gave, by room then invited user, as they are given and as they end', async () => {
      const rooms = await make();
      // Ids compare byte by byte, rooms first: 'B' before 'a', 'p' before 'p0'.
      for (const id of ['p', 'p0', 'B']) await rooms.create({ ...publicRoom(id), kind: 'private' });
      const invite = (room: string, userId: string, invitedBy: string) =>
        rooms.invite({ room, userId, invitedBy, invitedAt: T0 });
      await invite('p0', 'a', 'olga');
      await invite('p', 'b', 'olga');
      await invite('p', 'B', 'olga');
      await invite('B', 'z', 'olga');
      await invite('p', 'é', 'olga');
      await invite('p', 'c', 'pete');
      const places = (list: Array<{ room: string; userId: string }>) =>
        list.map((i) => `${i.room}:${i.userId}`);
      const all = await rooms.invitationsBy('olga', { limit: 10 });
      assert.deepEqual(places(all), ['B:z', 'p:B', 'p:b', 'p:é', 'p0:a']);
      assert.deepEqual(all[0], { room: 'B', userId: 'z', invitedBy: 'olga', invitedAt: T0 });
      assert.deepEqual(places(await rooms.invitationsBy('olga', { limit: 2 })), ['B:z', 'p:B']);
      // After a place, whether or not it is still there: the rest of its room, then the next rooms.
      assert.deepEqual(
        places(await rooms.invitationsBy('olga', { after: { room: 'p', user: 'B' }, limit: 2 })),
        ['p:b', 'p:é'],
      );
      assert.deepEqual(
        places(await rooms.invitationsBy('olga', { after: { room: 'p', user: 'c' }, limit: 10 })),
        ['p:é', 'p0:a'],
      );
      assert.deepEqual(
        await rooms.invitationsBy('olga', { after: { room: 'p0', user: 'a' }, limit: 10 }),
        [],
      );
      assert.deepEqual(places(await rooms.invitationsBy('pete', { limit: 10 })), ['p:c']);
      assert.deepEqual(await rooms.invitationsBy('nobody', { limit: 10 }), []);
      // Accepted, withdrawn and banned invitations leave the giver's list.
      await rooms.addMember({ room: 'p', userId: 'b', role: 'member', joinedAt: T0 + 1, invitedBy: 'olga' });
      await rooms.removeInvitation('p0', 'a');
      await rooms.ban({ room: 'B', userId: 'z', reason: '', bannedBy: 'olga', bannedAt: T0 + 2 });
      assert.deepEqual(places(await rooms.invitationsBy('olga', { limit: 10 })), ['p:B', 'p:é']);
    });

    it('removes the expired invitations of a room, of an inviter or of a user, and no others', async () => {
      const rooms = await make();
      for (const id of ['p', 'q']) await rooms.create({ ...publicRoom(id), kind: 'private' });
      const invite = (room: string, userId: string, invitedBy: string, invitedAt: number) =>
        rooms.invite({ room, userId, invitedBy, invitedAt });
      await invite('p', 'a', 'olga', T0);
      await invite('p', 'b', 'pete', T0 + 10);
      await invite('q', 'a', 'pete', T0);
      await invite('q', 'c', 'olga', T0 + 20);
      const left = async () =>
        [
          ...(await rooms.invitationsTo('p', { limit: 10 })),
          ...(await rooms.invitationsTo('q', { limit: 10 })),
        ]
          .map((i) => `${i.room}:${i.userId}`)
          .sort();
      assert.equal(
        await rooms.removeExpiredInvitations(T0 + 10, { room: 'p' }),
        1,
        "p's given before T0 + 10",
      );
      assert.deepEqual(await left(), ['p:b', 'q:a', 'q:c']);
      assert.equal(
        await rooms.removeExpiredInvitations(T0 + 10, { inviter: 'olga' }),
        0,
        'none of hers that old',
      );
      assert.equal(await rooms.removeExpiredInvitations(T0 + 11, { inviter: 'pete' }), 2);
      assert.deepEqual(await left(), ['q:c']);
      assert.equal(await rooms.invitationCount({ inviter: 'pete' }), 0);
      assert.equal(await rooms.removeExpiredInvitations(T0 + 21, { user: 'a' }), 0, 'another user');
      assert.equal(await rooms.removeExpiredInvitations(T0 + 21, { user: 'c' }), 1);
      assert.deepEqual(await left(), []);
      assert.deepEqual(await rooms.invitationsOf('c'), []);
      assert.equal(await rooms.invitationCount({ inviter: 'olga' }), 0);
    });

    it('bans: out of the room and its invitations at once, until lifted or expired', async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      await rooms.addMember({ room: 'r', userId: 'mal', role: 'member', joinedAt: T0 });
      const ban = {
        room: 'r',
        userId: 'mal',
        reason: 'spam',
        bannedBy: 'olga',
        bannedAt: T0 + 10,
        expiresAt: T0 + 1000,
        name: 'Mal',
      };
      assert.deepEqual(await rooms.ban(ban), { wasMember: true });
      assert.equal(await rooms.member('r', 'mal'), undefined);
      assert.equal((await rooms.get('r'))?.memberCount, 1);
      assert.deepEqual(await rooms.activeBan('r', 'mal', T0 + 999), ban);
      assert.equal(await rooms.activeBan('r', 'mal', T0 + 1000), undefined, 'expired at its end');
      // Banning again changes the ban; an invitation goes with the ban too.
      await rooms.invite({ room: 'r', userId: 'eve', invitedBy: 'olga', invitedAt: T0 });
      assert.deepEqual(
        await rooms.ban({ room: 'r', userId: 'eve', reason: '', bannedBy: 'olga', bannedAt: T0 }),
        { wasMember: false },
      );
      assert.equal(await rooms.invitation('r', 'eve'), undefined);
      await rooms.ban({ ...ban, reason: 'again', expiresAt: undefined });
      assert.equal((await rooms.activeBan('r', 'mal', T0 + 10 ** 9))?.reason, 'again', 'no end: for good');
      // Lifting answers the ban lifted, with the name the user had when banned (they are no member any more).
      const lifted = await rooms.unban('r', 'mal');
      assert.deepEqual([lifted?.userId, lifted?.reason, lifted?.name], ['mal', 'again', 'Mal']);
      assert.equal(await rooms.unban('r', 'mal'), undefined);
      assert.equal(await rooms.activeBan('r', 'mal', T0), undefined);
    });

    it("lists a room's bans in force by user id, a page at a time", async () => {
      const rooms = await make();
      await rooms.create(publicRoom('r'));
      await rooms.create(publicRoom('other'));
      const ban = (room: string, userId: string, expiresAt?: number) =>
        rooms.ban({
          room,
          userId,
          reason: `no ${userId}`,
          bannedBy: 'olga',
          bannedAt: T0,
          name: userId.toUpperCase(),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
        });
      await ban('r', 'zed');
      await ban('r', 'amy', T0 + 500);
      await ban('r', 'old', T0 + 100);
      await ban('r', 'kim');
      await ban('other', 'bob');
      const ids = (page: Array<{ userId: string }>) => page.map((b) => b.userId);
      assert.deepEqual(
        ids(await rooms.bans('r', T0 + 200, { limit: 10 })),
        ['amy', 'kim', 'zed'],
        'expired left out',
      );
      const first = await rooms.bans('r', T0 + 200, { limit: 2 });
      assert.deepEqual(ids(first), ['amy', 'kim']);
      assert.deepEqual([first[0]?.reason, first[0]?.name, first[0]?.expiresAt], ['no amy', 'AMY', T0 + 500]);
      assert.deepEqual(ids(await rooms.bans('r', T0 + 200, { after: 'kim', limit: 2 })), ['zed']);
      assert.deepEqual(ids(await rooms.bans('r', T0 + 600, { limit: 10 })), ['kim', 'zed']);
      await rooms.unban('r', 'kim');
      assert.deepEqual(ids(await rooms.bans('r', T0, { limit: 10 })), ['amy', 'old', 'zed']);
      assert.deepEqual(await rooms.bans('nowhere', T0, { limit: 10 }), []);
    });

    it('hands out copies: changing a returned record changes nothing stored', async () => {
      const rooms = await make();
      const made = await rooms.create(publicRoom('r'));
      made.room.name = 'tampered';
      const member = await rooms.member('r', 'olga');
      if (member) member.role = 'member';
      assert.equal((await rooms.get('r'))?.name, 'r');
      assert.equal((await rooms.member('r', 'olga'))?.role, 'owner');
    });
  });
}
