/**
 * Edits, deletes and reactions across 3 instances (Redis as the bus and the recent window, PostgreSQL as the
 * store): made on one instance while a client on another was away, they are all replayed by its resume, in order,
 * and the text of a deleted message never reaches it (not in the resume, not in history).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAction } from '../../client/wire/actions.js';
import type { ChatMessage } from '../../src/engine/types.js';
import { randomId } from '../../src/util/ids.js';
import { outcome, startDurableCluster } from '../helpers/durable-cluster.js';
import type { RawClient } from '../helpers/raw-client.js';

/** A client's view of a room: messages by offset, actions applied as they come. */
function view(entries: ChatMessage[]): Map<number, ChatMessage> {
  const byOffset = new Map<number, ChatMessage>();
  for (const entry of entries) {
    if (entry.action) {
      const target = byOffset.get(entry.action.target);
      if (target) byOffset.set(target.offset, applyAction(target, entry));
    } else byOffset.set(entry.offset, entry);
  }
  return byOffset;
}

describe('message actions on 3 instances + Redis + PostgreSQL', async () => {
  const {
    nodes: [a, b, c],
    as,
  } = await startDurableCluster('a');
  const send = async (client: RawClient, room: string, text: string, extra: Record<string, unknown> = {}) => {
    const reply = await client.request({ type: 'send', room, text, cid: randomId(), ...extra });
    assert.equal(reply.type, 'sent', JSON.stringify(reply));
    return reply.offset as number;
  };

  it('an edit, a delete and reactions made while a client was away reach it on resume; deleted text never', async () => {
    const alice = await as(a, 'alice');
    await alice.request({ type: 'create_room', name: 'Notes', id: 'notes' });
    await alice.request({ type: 'join', room: 'notes' });
    const bob = await as(b, 'bob');
    await bob.request({ type: 'join', room: 'notes' });
    const carol = await as(c, 'carol');
    const joined = await carol.request({ type: 'join', room: 'notes' });
    assert.equal(joined.type, 'joined');

    const keep = await send(alice, 'notes', 'keep me');
    const oops = await send(alice, 'notes', 'oops, a secret one');
    const question = await send(bob, 'notes', 'what is new?');
    await carol.frames.find((f) => f.type === 'message' && f.offset === question, 5000, 'live message');
    const seen = carol.frames.items.filter((f) => f.type === 'message') as unknown as ChatMessage[];
    const last = seen.at(-1) as ChatMessage;
    carol.close();

    // While carol is away, on A and B: an edit, deletes (one of a message she saw, one she never saw, edited
    // first), reactions added and one taken back, and a reply.
    const acted = async (client: RawClient, command: Record<string, unknown>) => {
      const reply = await client.request(command);
      assert.equal(reply.type, 'acted', JSON.stringify(reply));
      return reply;
    };
    await acted(alice, { type: 'edit', room: 'notes', offset: keep, text: 'kept' });
    await acted(alice, { type: 'delete', room: 'notes', offset: oops });
    const hidden = await send(alice, 'notes', 'another secret');
    await acted(alice, { type: 'edit', room: 'notes', offset: hidden, text: 'still a secret' });
    await acted(bob, { type: 'delete', room: 'notes', offset: question });
    assert.equal(
      outcome(await bob.request({ type: 'delete', room: 'notes', offset: hidden })),
      'not_author',
      'a member deletes only their own messages',
    );
    await acted(alice, { type: 'delete', room: 'notes', offset: hidden });
    await acted(bob, { type: 'react', room: 'notes', offset: keep, emoji: '👍' });
    await acted(alice, { type: 'react', room: 'notes', offset: keep, emoji: '🎉' });
    await acted(alice, { type: 'unreact', room: 'notes', offset: keep, emoji: '🎉' });
    const answer = await send(bob, 'notes', 'this', { replyTo: keep });

    // Carol comes back on C and resumes from the last message she had.
    const back = await as(c, 'carol');
    const resumed = await back.request({
      type: 'join',
      room: 'notes',
      since: { offset: last.offset, epoch: last.epoch },
    });
    assert.equal(resumed.recovered, true, JSON.stringify(resumed));
    const replay = resumed.messages as ChatMessage[];
    assert.deepEqual(
      replay.map((m) => m.offset),
      replay.map((_, i) => last.offset + 1 + i),
      'the resume replays every entry, in order',
    );
    const shown = view([...seen, ...replay]);
    assert.equal(shown.get(keep)?.text, 'kept');
    assert.ok(shown.get(keep)?.edited);
    assert.deepEqual(shown.get(keep)?.reactions, [{ emoji: '👍', count: 1, users: ['bob'] }]);
    assert.equal(shown.get(oops)?.deleted, true);
    assert.equal(shown.get(oops)?.text, '');
    assert.equal(shown.get(question)?.deleted, true);
    assert.equal(shown.get(hidden)?.deleted, true);
    assert.equal(shown.get(answer)?.replyTo, keep);

    // History (on B, from the window; on A, a page that reaches the database) shows the room as it is now.
    for (const reader of [bob, alice]) {
      const page = await reader.request({ type: 'history', room: 'notes', limit: 100 });
      const now = view(page.messages as ChatMessage[]);
      assert.equal(now.get(keep)?.text, 'kept');
      assert.deepEqual(now.get(keep)?.reactions, [{ emoji: '👍', count: 1, users: ['bob'] }]);
      assert.equal(now.get(hidden)?.deleted, true);
    }
    const history = await back.request({ type: 'history', room: 'notes', limit: 100 });
    assert.equal(history.type, 'history');
    const everything = JSON.stringify(back.frames.items);
    assert.equal(everything.includes('secret'), false, 'no deleted text reached the client that was away');
  });

  it('reading on device A clears the unread and mention counts on device B, on another instance', async () => {
    const gina = await as(a, 'gina');
    await gina.request({ type: 'create_room', name: 'News', id: 'news' });
    await gina.request({ type: 'join', room: 'news' });
    const phone = await as(b, 'gina');
    const hank = await as(c, 'hank');
    await hank.request({ type: 'join', room: 'news' });
    await hank.request({ type: 'rooms' });
    await send(hank, 'news', 'first');
    await send(hank, 'news', '@GINA have a look', { mentions: ['gina'] });
    const newest = await send(hank, 'news', 'third');
    const listed = await phone.request({ type: 'rooms' });
    const news = (listed.rooms as Array<{ id: string; unread: number; mentions: number }>).find(
      (r) => r.id === 'news',
    );
    assert.deepEqual([news?.unread, news?.mentions], [3, 1]);
    // The sender's own marker moved with their messages (stored in a batch: their devices hear when).
    await hank.frames.find((f) => f.type === 'read' && f.offset === newest, 5000, "the sender's read");
    const hanks = await hank.request({ type: 'rooms' });
    const theirs = (hanks.rooms as Array<{ id: string; unread: number }>).find((r) => r.id === 'news');
    assert.equal(theirs?.unread, 0);

    gina.sendRaw(JSON.stringify({ type: 'read', room: 'news', offset: newest }));
    const read = await phone.frames.find(
      (f) => f.type === 'read' && f.room === 'news',
      5000,
      'read on the phone',
    );
    assert.deepEqual([read.offset, read.unread, read.mentions], [newest, 0, 0]);
    const again = await phone.request({ type: 'rooms' });
    const now = (again.rooms as Array<{ id: string; unread: number; readOffset: number }>).find(
      (r) => r.id === 'news',
    );
    assert.deepEqual([now?.unread, now?.readOffset], [0, newest]);
    // A marker never goes back, and never past the room's newest message.
    assert.equal(outcome(await gina.request({ type: 'read', room: 'news', offset: 1 })), 'ok');
    assert.equal(outcome(await gina.request({ type: 'read', room: 'news', offset: newest + 50 })), 'ok');
    const fourth = await send(hank, 'news', 'fourth');
    // The read marker is stored in batches: the refused moves have been through one when the phone hears nothing.
    const last = await phone.request({ type: 'rooms' });
    const after = (last.rooms as Array<{ id: string; unread: number; readOffset: number }>).find(
      (r) => r.id === 'news',
    );
    assert.deepEqual([after?.unread, after?.readOffset], [1, newest]);
    // From its room list, without joining the room, the phone marks it read (what "mark all read" does).
    assert.equal(outcome(await phone.request({ type: 'read', room: 'news', offset: fourth })), 'ok');
    const fromList = await phone.frames.find(
      (f) => f.type === 'read' && f.room === 'news' && f.offset === fourth,
      5000,
      'read from the list',
    );
    assert.deepEqual([fromList.unread, fromList.mentions], [0, 0]);
    const bare = await as(c, 'gina');
    assert.equal(
      outcome(await bare.request({ type: 'read', room: 'news', offset: fourth })),
      'not_joined',
      'a connection that neither joined the room nor listed it',
    );
  });

  it('marking a room unread on one device shows it unread on every device and in every room list', async () => {
    const ivan = await as(a, 'ivan');
    await ivan.request({ type: 'create_room', name: 'Desk', id: 'desk' });
    await ivan.request({ type: 'join', room: 'desk' });
    const laptop = await as(b, 'ivan');
    await laptop.request({ type: 'rooms' });
    const judy = await as(c, 'judy');
    await judy.request({ type: 'join', room: 'desk' });
    await send(judy, 'desk', 'one');
    const second = await send(judy, 'desk', '@IVAN two', { mentions: ['ivan'] });
    const third = await send(judy, 'desk', 'three');
    // The laptop reads everything from its list: instance b stores that marker (and holds it, as its last batch).
    laptop.sendRaw(JSON.stringify({ type: 'read', room: 'desk', offset: third }));
    await laptop.frames.find(
      (f) => f.type === 'read' && f.room === 'desk' && f.offset === third,
      5000,
      'read',
    );

    assert.equal(outcome(await ivan.request({ type: 'unread', room: 'desk', offset: second })), 'ok');
    const unread = await laptop.frames.find(
      (f) => f.type === 'read' && f.room === 'desk' && f.offset === second - 1,
      5000,
      'marked unread, on the laptop',
    );
    assert.deepEqual([unread.unread, unread.mentions], [2, 1]);
    const entry = async (client: RawClient) => {
      const list = await client.request({ type: 'rooms' });
      const desk = (
        list.rooms as Array<{ id: string; unread: number; mentions: number; readOffset: number }>
      ).find((r) => r.id === 'desk');
      return [desk?.unread, desk?.mentions, desk?.readOffset];
    };
    assert.deepEqual(
      await entry(laptop),
      [2, 1, second - 1],
      'the list of the instance that stored the read',
    );
    assert.deepEqual(await entry(await as(b, 'ivan')), [2, 1, second - 1], 'a new device there');
    assert.deepEqual(await entry(ivan), [2, 1, second - 1]);

    // Never forward; the first message at the least; the rooms a connection joined or listed.
    assert.equal(outcome(await ivan.request({ type: 'unread', room: 'desk', offset: third + 1 })), 'ok');
    assert.equal(outcome(await ivan.request({ type: 'unread', room: 'desk', offset: 0 })), 'bad_request');
    assert.equal(
      outcome(await (await as(c, 'ivan')).request({ type: 'unread', room: 'desk', offset: second })),
      'not_joined',
    );
    assert.deepEqual(await entry(ivan), [2, 1, second - 1]);

    // A read moves it forward again.
    const before = laptop.frames.items.length;
    ivan.sendRaw(JSON.stringify({ type: 'read', room: 'desk', offset: third }));
    const again = await laptop.frames.find(
      (f) =>
        f.type === 'read' &&
        f.room === 'desk' &&
        f.offset === third &&
        laptop.frames.items.indexOf(f) >= before,
      5000,
      'read again',
    );
    assert.deepEqual([again.unread, again.mentions], [0, 0]);
  });

  it('in a direct room, the other person sees how far one read, unless read receipts are off', async () => {
    const ivy = await as(a, 'ivy');
    const jack = await as(b, 'jack');
    const dm = await ivy.request({ type: 'direct', users: [{ id: 'jack', name: 'JACK' }] });
    const room = (dm.room as { id: string }).id;
    for (const client of [ivy, jack]) await client.request({ type: 'join', room });
    await jack.request({ type: 'rooms' });
    // Ivy's other device only lists her rooms (a sidebar): it hears the receipt too.
    const ivysList = await as(c, 'ivy');
    await ivysList.request({ type: 'rooms' });
    const first = await send(ivy, room, 'are you there?');
    jack.sendRaw(JSON.stringify({ type: 'read', room, offset: first }));
    const seen = await ivy.frames.find((f) => f.type === 'seen' && f.room === room, 5000, 'seen');
    assert.deepEqual([seen.user, seen.offset], ['jack', first]);
    const listedSeen = await ivysList.frames.find(
      (f) => f.type === 'seen' && f.room === room,
      5000,
      'seen, listed',
    );
    assert.deepEqual([listedSeen.user, listedSeen.offset], ['jack', first]);
    const listed = await ivy.request({ type: 'rooms' });
    const entry = (listed.rooms as Array<{ id: string; seen?: Record<string, number> }>).find(
      (r) => r.id === room,
    );
    assert.deepEqual(entry?.seen, { jack: first });

    const settings = await jack.request({ type: 'settings', readReceipts: false });
    assert.deepEqual([settings.type, settings.readReceipts], ['settings', false]);
    assert.equal((await jack.request({ type: 'settings' })).readReceipts, false, 'kept');
    const second = await send(ivy, room, 'hello?');
    jack.sendRaw(JSON.stringify({ type: 'read', room, offset: second }));
    // Jack's own devices hear of his read; by then a "seen" would have been published before it.
    await jack.frames.find((f) => f.type === 'read' && f.offset === second, 5000, "jack's read");
    await ivy.request({ type: 'ping' });
    assert.equal(ivy.frames.items.filter((f) => f.type === 'seen').length, 1, 'no seen with receipts off');
    const again = await ivy.request({ type: 'rooms' });
    const now = (again.rooms as Array<{ id: string; seen?: Record<string, number> }>).find(
      (r) => r.id === room,
    );
    assert.equal(now?.seen, undefined, 'nor in the room list');
  });

  it('the same edits and reactions reach members live on every instance, as entries after the message', async () => {
    const dan = await as(a, 'dan');
    await dan.request({ type: 'create_room', name: 'Live', id: 'live' });
    await dan.request({ type: 'join', room: 'live' });
    const watchers = [await as(b, 'erin'), await as(c, 'frank')];
    for (const watcher of watchers) await watcher.request({ type: 'join', room: 'live' });
    const offset = await send(dan, 'live', 'typo hree');
    await dan.request({ type: 'edit', room: 'live', offset, text: 'typo here' });
    await watchers[0]?.request({ type: 'react', room: 'live', offset, emoji: '✅' });
    for (const watcher of watchers) {
      const reaction = await watcher.frames.find(
        (f) => f.type === 'message' && (f.action as { type?: string } | undefined)?.type === 'react',
        5000,
        'reaction entry',
      );
      const entries = watcher.frames.items.filter((f) => f.type === 'message') as unknown as ChatMessage[];
      const shown = view(entries);
      assert.equal(shown.get(offset)?.text, 'typo here');
      assert.deepEqual(shown.get(offset)?.reactions, [{ emoji: '✅', count: 1, users: ['erin'] }]);
      assert.ok((reaction.offset as number) > offset);
    }
    // Muted members may not edit or react; a server-side refusal names the rule.
    assert.equal(outcome(await dan.request({ type: 'mute', room: 'live', user: 'frank' })), 'ok');
    const frank = watchers[1] as RawClient;
    assert.equal(outcome(await frank.request({ type: 'react', room: 'live', offset, emoji: '👎' })), 'muted');
  });
});
