/**
 * The SDK's group chat: typed methods for rooms, membership and moderation, and the room list's live events
 * (room_added, invited, invitation_removed, activity, room_removed), against a real instance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ChatMessage, type ClientEvents, fileUrl, ParleyError } from '../../client/index.js';
import { startNode } from '../helpers/nodes.js';
import { pngOf } from '../helpers/png.js';
import { watchedClient } from '../helpers/sdk.js';
import { TcpRelay } from '../helpers/tcp-relay.js';
import { Collector } from '../helpers/wait.js';

describe('SDK: group chat', async () => {
  const node = await startNode({ store: 'memory' });
  const url = `ws://127.0.0.1:${node.port}/ws`;
  const connect = async (userId: string) => {
    const { client } = watchedClient({ url, name: userId.toUpperCase(), userId });
    const events = {
      added: new Collector<ClientEvents['room_added']>(),
      removed: new Collector<ClientEvents['room_removed']>(),
      invited: new Collector<ClientEvents['invited']>(),
      uninvited: new Collector<ClientEvents['invitation_removed']>(),
      activity: new Collector<ClientEvents['activity']>(),
      notifications: new Collector<ClientEvents['notifications']>(),
      favorite: new Collector<ClientEvents['favorite']>(),
      hide: new Collector<ClientEvents['hide']>(),
    };
    client.on('room_added', events.added.push);
    client.on('room_removed', events.removed.push);
    client.on('invited', events.invited.push);
    client.on('invitation_removed', events.uninvited.push);
    client.on('activity', events.activity.push);
    client.on('notifications', events.notifications.push);
    client.on('favorite', events.favorite.push);
    client.on('hide', events.hide.push);
    client.connect();
    await client.roomList();
    return { client, events };
  };

  it('creates, invites, accepts, moderates and lists, with the live events', async () => {
    const { client: owner } = await connect('owen');
    const { client: guest, events } = await connect('gina');
    const room = await owner.createRoom('Book club', { kind: 'private', topic: 'one a month', id: 'books' });
    assert.deepEqual(
      [room.id, room.kind, room.role, room.topic],
      ['books', 'private', 'owner', 'one a month'],
    );

    await owner.invite('books', 'gina');
    const invited = await events.invited.find(() => true);
    assert.equal(invited.invitation.room.id, 'books');
    const joined = await guest.acceptInvitation('books');
    assert.equal(joined.role, 'member');
    await events.uninvited.find((e) => e.room === 'books');
    await events.added.find((e) => e.room.id === 'books');

    await owner.join('books');
    await owner.send('books', 'chapter one');
    const activity = await events.activity.find(
      (e) => e.room === 'books' && e.last.preview === 'chapter one',
    );
    assert.equal(activity.last.from.id, 'owen');

    // Pins: a typed list, the message as it is now.
    const [chapterOne] = (await owner.history('books', { limit: 10 })).messages.filter(
      (m) => m.text === 'chapter one',
    );
    await owner.pin('books', chapterOne?.offset as number);
    const pinned = await guest.pins('books');
    assert.deepEqual(
      pinned.map((p) => [p.message.text, p.pinnedBy.id]),
      [['chapter one', 'owen']],
    );
    await owner.unpin('books', chapterOne?.offset as number);
    assert.deepEqual(await guest.pins('books'), []);
    // Saved: the user's own list, typed.
    await guest.save('books', chapterOne?.offset as number);
    assert.deepEqual(
      (await guest.saved()).map((s) => s.message.text),
      ['chapter one'],
    );
    assert.deepEqual(await owner.saved(), []);
    await guest.unsave('books', chapterOne?.offset as number);
    assert.deepEqual(await guest.saved(), []);

    // Search: a typed page, and its next page from `next`.
    await owner.send('books', 'chapter two');
    const hits = await guest.search('CHAP', { limit: 1 });
    assert.deepEqual(
      hits.messages.map((m) => [m.room, m.text]),
      [['books', 'chapter two']],
    );
    assert.ok(hits.next);
    const rest = await guest.search('chap', { room: 'books', before: hits.next });
    assert.deepEqual([rest.messages.map((m) => m.text), rest.next], [['chapter one'], undefined]);
    assert.deepEqual(
      (await guest.search('', { from: 'owen', room: 'books' })).messages.map((m) => m.text),
      ['chapter two', 'chapter one'],
      'a filter alone',
    );
    // Edits: what a message said, oldest first.
    const chapterTwo = hits.messages[0] as ChatMessage;
    await owner.edit('books', chapterTwo.offset, 'chapter 2');
    assert.deepEqual(
      (await owner.edits('books', chapterTwo.offset)).versions.map((v) => v.text),
      ['chapter two', 'chapter 2'],
    );
    await assert.rejects(guest.search('!!'), (error: unknown) => {
      return error instanceof ParleyError && error.code === 'bad_request';
    });

    await owner.setRole('books', 'gina', 'admin');
    const page = await guest.members('books', { limit: 10 });
    assert.deepEqual(
      page.members.map((m) => [m.user.id, m.role]),
      [
        ['gina', 'admin'],
        ['owen', 'owner'],
      ],
    );
    const renamed = await guest.updateRoom('books', { name: 'Book club (2027)' });
    assert.equal(renamed.name, 'Book club (2027)');

    await owner.mute('books', 'gina');
    await owner.unmute('books', 'gina');
    await owner.ban('books', 'gina', { reason: 'spoilers' });
    const removed = await events.removed.find((e) => e.room === 'books');
    assert.deepEqual([removed.reason, removed.by?.id], ['banned', 'owen']);
    await assert.rejects(guest.join('books'), (error: unknown) => (error as ParleyError).code === 'banned');
    await owner.unban('books', 'gina');
    // Invited again, listed, then withdrawn: a typed page, and the event on the invited user's client.
    const [invitedBefore, removedBefore] = [events.invited.items.length, events.uninvited.items.length];
    await owner.invite('books', 'gina');
    await events.invited.count(invitedBefore + 1);
    const pending = await owner.invitations('books', { limit: 10 });
    assert.deepEqual(
      [pending.invitations.map((i) => [i.user, i.invitedBy]), pending.next],
      [[['gina', 'owen']], undefined],
    );
    const sent = await owner.sentInvitations({ limit: 10 });
    assert.deepEqual(
      [sent.invitations.map((i) => [i.room, i.user]), sent.next],
      [[['books', 'gina']], undefined],
    );
    await owner.uninvite('books', 'gina');
    const [withdrawn] = (await events.uninvited.count(removedBefore + 1)).slice(removedBefore);
    assert.equal(withdrawn?.room, 'books');
    assert.deepEqual((await owner.invitations('books')).invitations, []);
    await assert.rejects(owner.uninvite('books', 'gina'), (error: unknown) => {
      return error instanceof ParleyError && error.code === 'not_invited';
    });

    const { rooms } = await owner.roomList();
    assert.deepEqual(
      rooms.map((r) => [r.id, r.name, r.memberCount]),
      [['books', 'Book club (2027)', 1]],
    );
    const dm = await owner.direct([{ id: 'gina', name: 'Gina' }]);
    assert.equal((await guest.direct([{ id: 'owen' }])).id, dm.id);
    // What gina is notified of: her choice per room, heard on her devices (this one too, as it listed its rooms).
    assert.equal(dm.notifications, 'all');
    await guest.setNotifications(dm.id, 'none');
    const told = await events.notifications.find((e) => e.room === dm.id);
    assert.equal(told.level, 'none');
    const listed = (await guest.roomList()).rooms.find((r) => r.id === dm.id);
    assert.equal(listed?.notifications, 'none');
    const open = await owner.createRoom('Open mic');
    const found = await guest.publicRooms({ limit: 10 });
    assert.ok(found.rooms.some((r) => r.id === open.id));
    await guest.join(open.id);
    // Her arrangement of the list: a favorite, a conversation hidden until a newer message, told the same way.
    await guest.setFavorite(open.id);
    assert.equal((await events.favorite.find((e) => e.room === open.id)).favorite, true);
    await guest.hideRoom(dm.id);
    assert.equal((await events.hide.find((e) => e.room === dm.id)).hidden, true);
    const arranged = new Map((await guest.roomList()).rooms.map((r) => [r.id, [r.favorite, r.hidden]]));
    assert.deepEqual(
      [arranged.get(open.id), arranged.get(dm.id)],
      [
        [true, undefined],
        [undefined, true],
      ],
    );
    await guest.hideRoom(dm.id, false);
    await events.hide.find((e) => e.room === dm.id && !e.hidden);
    await guest.leaveRoom(open.id);
    await events.removed.find((e) => e.room === open.id && e.reason === 'left');
    await assert.rejects(guest.declineInvitation('books'), ParleyError);
  });
  it('after a reconnect, does not resume a room the user left or was kicked from meanwhile, and says so', async () => {
    const owner = await connect('ruth');
    await owner.client.createRoom('Porch', { id: 'porch' });
    const relay = await TcpRelay.start(node.port);
    const { client: away } = watchedClient({
      url: `ws://127.0.0.1:${relay.port}/ws`,
      name: 'Sal',
      userId: 'sal',
    });
    const removed = new Collector<ClientEvents['room_removed']>();
    away.on('room_removed', removed.push);
    away.connect();
    await away.join('porch');

    // Kicked while this client is away: the server's room_removed goes nowhere.
    relay.cut();
    await owner.client.kick('porch', 'sal');
    relay.resume();
    const gone = await removed.find((e) => e.room === 'porch', 10_000);
    assert.equal(gone.reason, 'left');
    assert.deepEqual(away.joinedRooms, []);
    const members = await owner.client.members('porch');
    assert.deepEqual(
      members.members.map((m) => m.user.id),
      ['ruth'],
      'the resume did not make sal a member again',
    );
    // Joining again is the user's own doing, as after any kick from a public room.
    await away.join('porch');
  });

  it('uploads files (bytes and a Blob), one at a time, sends them with a message, and says why one failed', async () => {
    const { client: sender } = await connect('una');
    const { client: reader } = await connect('vic');
    await sender.createRoom('Photos', { id: 'photos' });
    await sender.join('photos');
    await reader.join('photos');
    const heard = new Collector<ClientEvents['message']>();
    reader.on('message', heard.push);
    const progress: number[] = [];
    // Both start at once: the second waits for the first (one upload per connection).
    const [png, note] = await Promise.all([
      sender.upload('photos', pngOf(40, 30), { name: 'tiny.png', onProgress: (sent) => progress.push(sent) }),
      sender.upload('photos', new Blob(['a note'], { type: 'text/plain' }), { name: 'note.txt' }),
    ]);
    assert.deepEqual(
      [png.type, png.width, png.height, note.type, note.size],
      ['image/png', 40, 30, 'text/plain', 6],
    );
    assert.equal(progress.at(-1), png.size);
    await sender.send('photos', '', undefined, { files: [png.id, note.id] });
    const message = await heard.find((m) => m.files !== undefined);
    assert.deepEqual(message.files, [png, note]);
    const bytes = await fetch(`http://127.0.0.1:${node.port}${fileUrl(png)}`);
    assert.deepEqual(Buffer.from(await bytes.arrayBuffer()), pngOf(40, 30));

    const max = sender.welcome?.limits.maxFileBytes ?? 0;
    await assert.rejects(
      sender
        .upload('photos', new Blob([new Uint8Array(1)]), { name: 'x' })
        .then(() => sender.upload('photos', new Blob([new Uint8Array(max + 1)]), { name: 'huge' })),
      (error: ParleyError) => error.code === 'file_too_large',
    );
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(
      sender.upload('photos', new Uint8Array(10), { name: 'never', signal: abort.signal }),
      (error: ParleyError) => error.code === 'cancelled',
    );
  });

  it('sets a status, hears others’ in a shared room, and looks them up', async () => {
    const { client: wes } = await connect('wes');
    const { client: xia } = await connect('xia');
    await wes.createRoom('Desk', { id: 'desk' });
    await wes.join('desk');
    await xia.join('desk');
    const heard = new Collector<ClientEvents['status']>();
    xia.on('status', heard.push);
    const kept = await wes.setStatus({ availability: 'away', text: 'Back at 3', emoji: '☕' });
    assert.deepEqual(kept, { availability: 'away', text: 'Back at 3', emoji: '☕' });
    const told = await heard.find((e) => e.user === 'wes');
    assert.deepEqual([told.room, told.status], ['desk', kept]);
    assert.deepEqual(await xia.statuses(['wes', 'xia']), { wes: kept });
    assert.deepEqual(await wes.setStatus({}), {});
    assert.deepEqual(await xia.statuses(['wes']), {});
  });

  it('follows threads: replies and mentions follow, thread_state counts, markThreadRead, threads()', async () => {
    const { client: yan } = await connect('yan');
    const { client: zoe } = await connect('zoe');
    await yan.createRoom('Garden', { id: 'garden' });
    await yan.join('garden');
    await zoe.join('garden');
    const told = new Collector<ClientEvents['thread_state']>();
    yan.on('thread_state', told.push);
    const root = await yan.send('garden', 'Tomatoes or peppers?');
    await zoe.replyInThread('garden', root.offset, 'Tomatoes');
    const first = await told.find((e) => e.thread === root.offset);
    assert.deepEqual([first.following, first.read, first.unread], [true, root.offset, 1]);
    const second = await zoe.send('garden', 'ask @yan', undefined, {
      thread: root.offset,
      mentions: ['yan'],
    });
    await told.find((e) => e.unread === 2 && e.mentions === 1);
    const [listed, ...rest] = await yan.threads();
    assert.deepEqual(rest, []);
    assert.deepEqual(
      [listed?.root.text, listed?.root.replies?.count, listed?.unread, listed?.mentions],
      ['Tomatoes or peppers?', 2, 2, 1],
    );
    assert.deepEqual(await yan.threadCounts(), [
      { room: 'garden', thread: root.offset, read: root.offset, unread: 2, mentions: 1 },
    ]);
    yan.markThreadRead('garden', root.offset, second.offset);
    await told.find((e) => e.read === second.offset && e.unread === 0);
    await yan.followThread('garden', root.offset, false);
    await told.find((e) => !e.following);
    assert.deepEqual(await yan.threads(), []);
    await yan.followThread('garden', root.offset);
    assert.equal((await yan.threads())[0]?.root.offset, root.offset);
    await assert.rejects(
      yan.followThread('garden', second.offset),
      (e: ParleyError) => e.code === 'no_message',
    );
  });

  it('keeps drafts for every device: setDraft(), drafts(), the draft event', async () => {
    const { client: desk } = await connect('dot');
    const { client: phone } = await connect('dot');
    const told = new Collector<ClientEvents['draft']>();
    phone.on('draft', told.push);
    await desk.setDraft('sdk-drafts', 'to be continued');
    const draft = await told.find((d) => d.text === 'to be continued');
    assert.equal(draft.room, 'sdk-drafts');
    assert.deepEqual(await phone.drafts(), [{ room: 'sdk-drafts', text: 'to be continued', at: draft.at }]);
    await phone.setDraft('sdk-drafts', '');
    assert.deepEqual(await desk.drafts(), []);
    await assert.rejects(desk.setDraft('sdk-drafts', 'x'.repeat(4001)), { code: 'text_too_long' });
  });

  it('schedules a message, lists it, hears it sent (schedule_changed), is reminded of it, and unschedules another', async () => {
    const { client: sam } = await connect('sam');
    const changes = new Collector<ClientEvents['schedule_changed']>();
    sam.on('schedule_changed', changes.push);
    await sam.createRoom('Later', { id: 'sdk-later' });
    await sam.join('sdk-later');
    const soon = await sam.schedule('sdk-later', 'from the past', Date.now() + 300);
    const kept = await sam.schedule('sdk-later', 'not this one', Date.now() + 3_600_000, { replyTo: 1 });
    assert.deepEqual(
      (await sam.scheduledMessages()).map((m) => [m.text, m.replyTo]),
      [
        ['from the past', undefined],
        ['not this one', 1],
      ],
    );
    const sent = await changes.find((c) => c.id === soon.id && c.sent !== undefined);
    const history = await sam.history('sdk-later');
    assert.equal(history.messages.find((m) => m.offset === sent.sent?.offset)?.text, 'from the past');
    // A reminder of it: saved, and told when due.
    const reminders = new Collector<ClientEvents['reminder']>();
    sam.on('reminder', reminders.push);
    await sam.remind('sdk-later', sent.sent?.offset as number, Date.now() + 300);
    const reminder = await reminders.find(() => true);
    assert.deepEqual([reminder.offset, reminder.message.text], [sent.sent?.offset, 'from the past']);
    assert.ok(((await sam.saved())[0]?.remindedAt ?? 0) > 0);
    const later = Date.now() + 7_200_000;
    assert.equal((await sam.reschedule(kept.id, later)).at, later);
    await sam.unschedule(kept.id);
    assert.deepEqual(await sam.scheduledMessages(), []);
    await assert.rejects(sam.unschedule(kept.id), (error: unknown) => {
      return error instanceof ParleyError && error.code === 'no_scheduled';
    });
  });
});
