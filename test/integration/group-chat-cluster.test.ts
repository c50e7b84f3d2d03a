/**
 * Group chat across 3 instances (Redis as the bus, PostgreSQL as the store): a ban, a kick, a role change and an
 * invitation made on one instance take effect at once for the user's connections on the others; two devices of
 * one user on different instances see the same room list and the same live updates. The same protocol suite as
 * on one instance also runs against an instance of this cluster.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomId } from '../../src/util/ids.js';
import { outcome, startDurableCluster } from '../helpers/durable-cluster.js';
import { groupChatSuite } from '../helpers/group-chat-suite.js';

describe('group chat on 3 instances + Redis + PostgreSQL', async () => {
  const {
    nodes: [a, b, c],
    as,
  } = await startDurableCluster('g');

  it('a ban on A closes the user out on B and C at once: no rejoin, no history, no send', async () => {
    const owner = await as(a, 'owner');
    await owner.request({ type: 'create_room', name: 'Town', id: 'town' });
    await owner.request({ type: 'join', room: 'town' });
    const onB = await as(b, 'troll');
    const onC = await as(c, 'troll');
    for (const client of [onB, onC])
      assert.equal(outcome(await client.request({ type: 'join', room: 'town' })), 'ok');
    // Both instances hold the room now, and have cached the troll's standing by sending.
    assert.equal(outcome(await onB.request({ type: 'send', room: 'town', text: 'a', cid: 't1' })), 'ok');
    assert.equal(outcome(await onC.request({ type: 'send', room: 'town', text: 'b', cid: 't2' })), 'ok');

    const until = Date.now() + 3_600_000;
    assert.equal(
      outcome(await owner.request({ type: 'ban', room: 'town', user: 'troll', reason: 'spam', until })),
      'ok',
    );
    for (const client of [onB, onC]) {
      const removed = await client.frames.find((f) => f.type === 'room_removed', 5000, 'room_removed');
      // Told who, why and for how long, as the moderator said it.
      assert.deepEqual(
        [removed.reason, (removed.by as { id: string }).id, removed.message, removed.until],
        ['banned', 'owner', 'spam', until],
      );
      assert.equal(
        outcome(await client.request({ type: 'send', room: 'town', text: 'x', cid: randomId() })),
        'not_joined',
      );
      assert.equal(outcome(await client.request({ type: 'join', room: 'town' })), 'banned');
      assert.equal(outcome(await client.request({ type: 'history', room: 'town' })), 'not_joined');
    }
    // A third instance that never saw the troll refuses them too (it reads the database).
    const fresh = await as(a, 'troll');
    assert.equal(outcome(await fresh.request({ type: 'join', room: 'town' })), 'banned');
  });

  it('a kick, a role change and an invitation on A reach the user on B and C', async () => {
    const boss = await as(a, 'boss');
    await boss.request({ type: 'create_room', name: 'Ops', id: 'ops', kind: 'private' });
    const listB = await as(b, 'worker');
    const listC = await as(c, 'worker');
    for (const client of [listB, listC]) await client.request({ type: 'rooms' });
    assert.equal(outcome(await boss.request({ type: 'invite', room: 'ops', user: 'worker' })), 'ok');
    for (const client of [listB, listC]) {
      const invited = await client.frames.find((f) => f.type === 'invited', 5000, 'invited');
      assert.equal(((invited.invitation as { room: { id: string } }).room as { id: string }).id, 'ops');
    }
    assert.equal(outcome(await listB.request({ type: 'accept', room: 'ops' })), 'ok');
    for (const client of [listB, listC]) {
      await client.frames.find((f) => f.type === 'invitation_removed', 5000, 'invitation_removed');
      await client.frames.find(
        (f) => f.type === 'room_added' && (f.room as { id: string }).id === 'ops',
        5000,
        'room_added',
      );
    }
    for (const client of [listB, listC])
      assert.equal(outcome(await client.request({ type: 'join', room: 'ops' })), 'ok');

    // Promoted on A: moderates at once on C (its cached standing was invalidated).
    await boss.request({ type: 'set_role', room: 'ops', user: 'worker', role: 'admin' });
    await listC.frames.find((f) => f.type === 'message' && (f.event as { type?: string })?.type === 'role');
    assert.equal(outcome(await listC.request({ type: 'update_room', room: 'ops', topic: 'on call' })), 'ok');

    // Demoted and kicked on A: out on B and C.
    await boss.request({ type: 'set_role', room: 'ops', user: 'worker', role: 'member' });
    assert.equal(outcome(await boss.request({ type: 'kick', room: 'ops', user: 'worker' })), 'ok');
    for (const client of [listB, listC]) {
      const removed = await client.frames.find((f) => f.type === 'room_removed', 5000, 'room_removed');
      assert.deepEqual([removed.reason, removed.message, removed.until], ['kicked', undefined, undefined]);
      assert.equal(
        outcome(await client.request({ type: 'join', room: 'ops' })),
        'not_invited',
        'private again',
      );
    }
  });

  it('the owner leaving on A makes the senior member owner, who runs the room at once on B', async () => {
    const founder = await as(a, 'founder');
    await founder.request({ type: 'create_room', name: 'Guild', id: 'guild', kind: 'private' });
    const heir = await as(b, 'heir');
    assert.equal(outcome(await founder.request({ type: 'invite', room: 'guild', user: 'heir' })), 'ok');
    assert.equal(outcome(await heir.request({ type: 'accept', room: 'guild' })), 'ok');
    assert.equal(outcome(await heir.request({ type: 'join', room: 'guild' })), 'ok');
    // B caches the heir's standing as a member first: inviting is the moderators' in a private room.
    assert.equal(outcome(await heir.request({ type: 'invite', room: 'guild', user: 'guest' })), 'forbidden');
    assert.equal(outcome(await founder.request({ type: 'leave_room', room: 'guild' })), 'ok');
    // B hears of the hand-over with the room's events, and from then on knows the heir as the owner.
    await heir.frames.find(
      (f) => f.type === 'message' && (f.event as { type?: string } | undefined)?.type === 'role',
      5000,
      'the hand-over on B',
    );
    assert.equal(outcome(await heir.request({ type: 'invite', room: 'guild', user: 'guest' })), 'ok');
  });

  it('an invitation made or declined on one instance holds on another that cached the user before', async () => {
    const boss = await as(a, 'warden');
    await boss.request({ type: 'create_room', name: 'Vault', id: 'vault', kind: 'private' });
    await boss.request({ type: 'join', room: 'vault' });
    await boss.request({ type: 'invite', room: 'vault', user: 'keeper' });
    const keeper = await as(b, 'keeper');
    assert.equal(outcome(await keeper.request({ type: 'join', room: 'vault' })), 'ok', 'B holds the room');

    // B caches the guest as not invited; the invitation is made on A, which logs no system event for it.
    const guest = await as(b, 'guest');
    await guest.request({ type: 'rooms' });
    assert.equal(outcome(await guest.request({ type: 'join', room: 'vault' })), 'not_invited');
    assert.equal(outcome(await boss.request({ type: 'invite', room: 'vault', user: 'guest' })), 'ok');
    await guest.frames.find((f) => f.type === 'invited', 5000, 'invited');
    assert.equal(outcome(await guest.request({ type: 'accept', room: 'vault' })), 'ok');

    // A caches the visitor as invited; the visitor declines on B, and A must not let the invitation be used.
    const onA = await as(a, 'visitor');
    await onA.request({ type: 'rooms' });
    assert.equal(outcome(await boss.request({ type: 'invite', room: 'vault', user: 'visitor' })), 'ok');
    await onA.frames.find((f) => f.type === 'invited', 5000, 'invited');
    assert.equal(outcome(await onA.request({ type: 'members', room: 'vault' })), 'not_member');
    const onB = await as(b, 'visitor');
    assert.equal(outcome(await onB.request({ type: 'decline', room: 'vault' })), 'ok');
    await onA.frames.find((f) => f.type === 'invitation_removed', 5000, 'invitation_removed');
    assert.equal(outcome(await onA.request({ type: 'join', room: 'vault' })), 'not_invited');
  });

  it('an invitation withdrawn on A leaves the list on B, and B that cached the user as invited lets them in no more', async () => {
    const boss = await as(a, 'curator');
    await boss.request({ type: 'create_room', name: 'Gallery', id: 'gallery', kind: 'private' });
    await boss.request({ type: 'join', room: 'gallery' });
    const bossOnB = await as(b, 'curator');
    assert.equal(outcome(await bossOnB.request({ type: 'join', room: 'gallery' })), 'ok', 'B holds the room');
    const onB = await as(b, 'patron');
    await onB.request({ type: 'rooms' });
    assert.equal(outcome(await boss.request({ type: 'invite', room: 'gallery', user: 'patron' })), 'ok');
    await onB.frames.find((f) => f.type === 'invited', 5000, 'invited on B');
    // B reads and caches the patron's standing in the room: invited.
    assert.equal(outcome(await onB.request({ type: 'members', room: 'gallery' })), 'not_member');
    assert.equal(outcome(await boss.request({ type: 'uninvite', room: 'gallery', user: 'patron' })), 'ok');
    const removed = await onB.frames.find((f) => f.type === 'invitation_removed', 5000, 'withdrawn on B');
    assert.equal(removed.room, 'gallery');
    assert.equal(outcome(await onB.request({ type: 'join', room: 'gallery' })), 'not_invited');
    assert.equal(outcome(await onB.request({ type: 'accept', room: 'gallery' })), 'not_invited');
    const onC = await as(c, 'curator');
    assert.deepEqual((await onC.request({ type: 'invitations', room: 'gallery' })).invitations, []);
  });

  it('turning join announcements off on one instance holds for joins on another', async () => {
    const host = await as(a, 'host');
    await host.request({ type: 'create_room', name: 'Hall', id: 'hall' });
    await host.request({ type: 'join', room: 'hall' });
    const regular = await as(b, 'regular');
    assert.equal(outcome(await regular.request({ type: 'join', room: 'hall' })), 'ok', 'B holds the room');
    // B caches the latecomer's standing, with the room as it was (a room's own settings are cached with it).
    const late = await as(b, 'latecomer');
    assert.equal(outcome(await late.request({ type: 'members', room: 'hall' })), 'ok');
    assert.equal(
      outcome(await host.request({ type: 'update_room', room: 'hall', announceJoins: false })),
      'ok',
    );
    // The setting's notice goes out before this message, on the same channel: B has it once the message arrived.
    await host.request({ type: 'send', room: 'hall', text: 'quiet now', cid: 'h1' });
    await regular.frames.find((f) => f.type === 'message' && f.text === 'quiet now', 5000, 'the message');
    assert.equal(outcome(await late.request({ type: 'join', room: 'hall' })), 'ok');
    const page = await host.request({ type: 'history', room: 'hall' });
    const joins = (page.messages as Array<{ event?: { type: string; user?: { id: string } } }>).filter(
      (m) => m.event?.type === 'joined',
    );
    assert.deepEqual(
      joins.map((m) => m.event?.user?.id),
      ['regular'],
      'the latecomer joined unannounced',
    );
  });

  it('a name first joined on every instance at once: every join answered, one epoch', async () => {
    // The instances create the room's row in the database at the same time: one INSERT wins, and the others read it.
    const [onA, onB, onC] = await Promise.all([as(a, 'first'), as(b, 'second'), as(c, 'third')]);
    for (let i = 0; i < 200; i += 1) {
      const room = `fresh-${randomId()}`;
      const replies = await Promise.all(
        [onA, onB, onC].map((client) => client.request({ type: 'join', room })),
      );
      assert.deepEqual(replies.map(outcome), ['ok', 'ok', 'ok'], JSON.stringify(replies));
      const epochs = new Set(replies.map((reply) => (reply.position as { epoch: string }).epoch));
      assert.equal(epochs.size, 1, 'one epoch');
      await Promise.all([onA, onB, onC].map((client) => client.request({ type: 'leave', room })));
    }
  });

  it('two devices of one user joining a public room at once, on two instances: both enter', async () => {
    const owner = await as(a, 'square-owner');
    const [phone, laptop] = await Promise.all([as(a, 'walker'), as(b, 'walker')]);
    for (let i = 0; i < 20; i += 1) {
      const room = `square-${i}`;
      await owner.request({ type: 'create_room', name: 'Square', id: room });
      // Both find the user no member, and both add them: one addition wins, and the other enters as a member.
      const replies = await Promise.all(
        [phone, laptop].map((client) => client.request({ type: 'join', room })),
      );
      assert.deepEqual(replies.map(outcome), ['ok', 'ok'], JSON.stringify(replies));
      await Promise.all([phone, laptop].map((client) => client.request({ type: 'leave', room })));
    }
  });

  it('refuses U+0000 in any field, which the database could not store: bad_request, and the connection goes on', async () => {
    const writer = await as(a, 'nul-writer');
    await writer.request({ type: 'create_room', name: 'Nul', id: 'nul-room' });
    await writer.request({ type: 'join', room: 'nul-room' });
    for (const command of [
      { type: 'send', room: 'nul-room', text: 'a\u0000b', cid: 'n1' },
      { type: 'send', room: 'nul-room', text: 'fine', cid: 'n\u00002' },
      { type: 'update_room', room: 'nul-room', topic: 'x\u0000' },
      { type: 'public_rooms', after: { name: '\u0000', id: 'nul-room' } },
    ]) {
      const reply = await writer.request(command);
      assert.equal(outcome(reply), 'bad_request', JSON.stringify(command));
      assert.match(reply.message as string, /U\+0000/);
    }
    // A text that shows a backslash and "u0000" is no NUL: it is sent as written.
    const sent = await writer.request({ type: 'send', room: 'nul-room', text: 'type \\u0000 to', cid: 'n3' });
    assert.equal(outcome(sent), 'ok');
    const page = await writer.request({
      type: 'history',
      room: 'nul-room',
      after: (sent.offset as number) - 1,
    });
    assert.equal((page.messages as Array<{ text: string }>)[0]?.text, 'type \\u0000 to');
  });

  it('two devices of one user on different instances see the same room list and the same live updates', async () => {
    const phone = await as(b, 'nora');
    const laptop = await as(c, 'nora');
    await phone.request({ type: 'rooms' });
    await laptop.request({ type: 'rooms' });
    const made = await phone.request({ type: 'create_room', name: 'Plans' });
    const id = (made.room as { id: string }).id;
    await laptop.frames.find((f) => f.type === 'room_added' && (f.room as { id: string }).id === id);
    const friend = await as(a, 'omar');
    await friend.request({ type: 'join', room: id });
    await friend.request({ type: 'send', room: id, text: 'see you at 8', cid: 'o1' });
    for (const device of [phone, laptop]) {
      const activity = await device.frames.find(
        (f) => f.type === 'activity' && (f.last as { preview: string }).preview === 'see you at 8',
        5000,
        'the message in the room list',
      );
      assert.equal(activity.room, id);
    }
    const [one, two] = await Promise.all([
      phone.request({ type: 'rooms' }),
      laptop.request({ type: 'rooms' }),
    ]);
    assert.deepEqual(one.rooms, two.rooms);
    assert.equal((one.rooms as Array<{ id: string }>)[0]?.id, id);

    // An edit or a delete of the newest message changes the preview on every device, live; a delete leaves none.
    const offset = ((one.rooms as Array<{ last: { offset: number } }>)[0] as { last: { offset: number } })
      .last.offset;
    const before = [phone.frames.items.length, laptop.frames.items.length];
    await friend.request({ type: 'edit', room: id, offset, text: 'see you at 9' });
    await friend.request({ type: 'react', room: id, offset, emoji: '👍' });
    await friend.request({ type: 'delete', room: id, offset });
    for (const [i, device] of [phone, laptop].entries()) {
      await device.frames.find(
        (f) => f.type === 'preview' && f.preview === '',
        5000,
        'the delete in the room list',
      );
      await device.request({ type: 'ping' });
      const since = device.frames.items.slice(before[i]);
      assert.deepEqual(
        since.filter((f) => f.type === 'preview').map((f) => [f.room, f.offset, f.preview]),
        [
          [id, offset, 'see you at 9'],
          [id, offset, ''],
        ],
        'one preview for the edit, one for the delete, none for the reaction',
      );
      assert.equal(since.filter((f) => f.type === 'activity').length, 0, 'an action is no activity');
    }
  });
});

groupChatSuite('3 instances + Redis + PostgreSQL, one of them', async () => {
  const { nodes } = await startDurableCluster('p');
  return nodes[1];
});
