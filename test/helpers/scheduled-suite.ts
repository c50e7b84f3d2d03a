/**
 * Scheduled messages through the protocol (docs/protocol.md, "Scheduled messages"), on any store: scheduling and
 * its refusals, the list, every device told, sending when due as the sender would (their read marker moves), a
 * message removed before its time never sent, and one the room's rules refuse by then left failed with the reason.
 * The nodes look for due messages every few milliseconds (`schedulePollMs`), so each message's time is set a few
 * hundred milliseconds ahead and the test waits (bounded) for what proves it was sent.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ParleyNode } from '../../src/index.js';
import { type Frame, RawClient } from './raw-client.js';

/** How far ahead the tests schedule: enough for the replies in between, small enough to wait for. */
const SOON_MS = 400;

/** Starts the node under test: one of a store's, with `schedulePollMs` small and `maxScheduledPerUser` 3. */
export type StartScheduledNode = () => Promise<ParleyNode>;

export function scheduledSuite(name: string, start: StartScheduledNode): void {
  describe(`Scheduled messages: ${name}`, async () => {
    const node = await start();
    const url = `ws://127.0.0.1:${node.port}/ws`;
    const as = async (user: string) => {
      const client = await RawClient.connect(url, { name: user.toUpperCase(), user });
      after(() => client.close());
      return client;
    };
    const ok = (reply: Frame) => {
      assert.notEqual(reply.type, 'error', JSON.stringify(reply));
      return reply;
    };
    /** A public room of `owner`'s that `others` joined; `owner` joined it on their connection too. */
    const room = async (id: string, owner: RawClient, ...others: RawClient[]) => {
      ok(await owner.request({ type: 'create_room', name: id, id }));
      for (const client of [owner, ...others]) ok(await client.request({ type: 'join', room: id }));
    };
    const refusal = async (client: RawClient, command: Record<string, unknown>) => {
      const reply = await client.request(command);
      return `${String(reply.code)}: ${String(reply.message)}`;
    };

    it('schedules a message, lists it, tells every device, and sends it when due, as its sender', async () => {
      const [ann, annPhone, bob] = [await as('ann'), await as('ann'), await as('bob')];
      await room('plans', ann, bob);
      ok(await annPhone.request({ type: 'rooms' }));
      const at = Date.now() + SOON_MS;
      const reply = ok(
        await ann.request({ type: 'schedule', room: 'plans', text: 'Stand-up in 5', at, mentions: ['bob'] }),
      );
      const scheduled = reply.scheduled as Record<string, unknown>;
      assert.equal(reply.type, 'scheduled');
      assert.deepEqual(
        { ...scheduled, id: undefined, createdAt: undefined },
        { id: undefined, room: 'plans', text: 'Stand-up in 5', at, createdAt: undefined, mentions: ['bob'] },
      );
      const told = await annPhone.frames.find((f) => f.type === 'schedule_changed' && !!f.scheduled);
      assert.deepEqual(told, { type: 'schedule_changed', id: scheduled.id, room: 'plans', scheduled });
      assert.deepEqual(ok(await annPhone.request({ type: 'scheduled_messages' })).scheduled, [scheduled]);

      const message = await bob.frames.find(
        (f) => f.type === 'message' && f.cid === `sched:${String(scheduled.id)}`,
        10_000,
        'the scheduled message',
      );
      assert.deepEqual(
        [message.room, message.from, message.text, message.mentions],
        ['plans', { id: 'ann', name: 'ANN' }, 'Stand-up in 5', ['bob']],
      );
      assert.ok((message.ts as number) >= at, 'not before its time');
      const sent = await annPhone.frames.find((f) => f.type === 'schedule_changed' && !!f.sent);
      assert.deepEqual(sent, {
        type: 'schedule_changed',
        id: scheduled.id,
        room: 'plans',
        sent: { id: message.id, offset: message.offset },
      });
      assert.deepEqual(ok(await ann.request({ type: 'scheduled_messages' })).scheduled, []);
      // Sent as by hand: it is no unread message of its sender's (their devices hear their marker move; on a cluster
      // the instance that sent it stores the marker, a moment later).
      await annPhone.frames.find(
        (f) => f.type === 'read' && f.room === 'plans' && (f.offset as number) >= (message.offset as number),
        10_000,
        'the sender’s read marker past it',
      );
      const list = ok(await ann.request({ type: 'rooms' }));
      const plans = (list.rooms as Array<Record<string, unknown>>).find((r) => r.id === 'plans');
      assert.equal(plans?.unread, 0);
    });

    it('refuses what send would, a time passed or too far ahead, an open channel, and past the bound', async () => {
      const [cy, dee] = [await as('cy'), await as('dee')];
      await room('cy-room', cy);
      const soon = Date.now() + 60_000;
      const schedule = (fields: Record<string, unknown>) =>
        refusal(cy, { type: 'schedule', room: 'cy-room', text: 'x', at: soon, ...fields });
      assert.equal(await schedule({ at: Date.now() - 1 }), 'bad_request: at: the time has passed');
      assert.equal(
        await schedule({ at: Date.now() + 400 * 86_400_000 }),
        'bad_request: at: at most 366 days ahead',
      );
      assert.equal(await schedule({ text: '  ' }), 'text_empty: message text is empty');
      assert.equal(await schedule({ room: 'elsewhere' }), "not_joined: room 'elsewhere' not joined");
      assert.equal(await schedule({ replyTo: 99 }), "bad_request: replyTo 99 names no message of 'cy-room'");
      assert.match(await schedule({ at: 'soon' }), /^bad_request: /);
      assert.match(await schedule({ files: ['f'] }), /^bad_request: /, 'no files: uploads expire');
      ok(await cy.request({ type: 'join', room: 'open-channel-zz' }));
      assert.equal(
        await refusal(cy, { type: 'schedule', room: 'open-channel-zz', text: 'x', at: soon }),
        'bad_request: an open channel has no members: messages are scheduled in rooms',
      );
      for (let i = 0; i < 3; i += 1)
        ok(await cy.request({ type: 'schedule', room: 'cy-room', text: `${i}`, at: soon + i }));
      assert.equal(
        await schedule({}),
        'scheduled_limit: you keep 3 scheduled messages: remove one, or wait for one to be sent',
      );
      const [first] = ok(await cy.request({ type: 'scheduled_messages' })).scheduled as Array<{ id: string }>;
      assert.equal(
        await refusal(dee, { type: 'unschedule', id: first?.id }),
        'no_scheduled: you have no scheduled message with this id',
        'nobody removes another’s',
      );
      const done = ok(await cy.request({ type: 'unschedule', id: first?.id }));
      assert.deepEqual([done.type, done.room], ['done', 'cy-room']);
    });

    it('never sends a message removed before its time', async () => {
      const [eve, fay] = [await as('eve'), await as('fay')];
      await room('eve-room', eve, fay);
      const at = Date.now() + SOON_MS;
      const removed = ok(await eve.request({ type: 'schedule', room: 'eve-room', text: 'never', at }));
      const kept = ok(await eve.request({ type: 'schedule', room: 'eve-room', text: 'kept', at: at + 1 }));
      const id = (removed.scheduled as { id: string }).id;
      assert.equal(ok(await eve.request({ type: 'unschedule', id })).type, 'done');
      await fay.frames.find((f) => f.type === 'message' && f.text === 'kept', 10_000, 'the kept message');
      assert.deepEqual(
        fay.frames.items.filter((f) => f.type === 'message' && f.text === 'never'),
        [],
        `removed before its time (${String((kept.scheduled as { id: string }).id)} came after it)`,
      );
    });

    it('leaves failed, with the reason, a message the room’s rules refuse when its time comes; sent again on asking', async () => {
      const [gus, hal] = [await as('gus'), await as('hal')];
      await room('gus-room', gus, hal);
      ok(await hal.request({ type: 'rooms' }));
      const at = Date.now() + SOON_MS;
      const reply = ok(await hal.request({ type: 'schedule', room: 'gus-room', text: 'too late', at }));
      const scheduled = reply.scheduled as Record<string, unknown>;
      ok(await gus.request({ type: 'mute', room: 'gus-room', user: 'hal' }));
      const failed = await hal.frames.find(
        (f) =>
          f.type === 'schedule_changed' &&
          f.id === scheduled.id &&
          !!(f.scheduled as { failed?: unknown })?.failed,
        10_000,
        'the failure',
      );
      const failure = (failed.scheduled as { failed: { code: string; at: number } }).failed;
      assert.equal(failure.code, 'muted');
      assert.ok(failure.at >= at);
      assert.deepEqual(ok(await hal.request({ type: 'scheduled_messages' })).scheduled, [failed.scheduled]);
      assert.deepEqual(
        gus.frames.items.filter((f) => f.type === 'message' && f.text === 'too late'),
        [],
      );
      // Let back, hal tries again ("send now": reschedule without a time); nobody else may.
      assert.equal(
        await refusal(gus, { type: 'reschedule', id: scheduled.id }),
        'no_scheduled: you have no scheduled message with this id',
      );
      assert.equal(
        await refusal(hal, { type: 'reschedule', id: scheduled.id, at: Date.now() - 1 }),
        'bad_request: at: the time has passed',
      );
      ok(await gus.request({ type: 'unmute', room: 'gus-room', user: 'hal' }));
      const again = ok(await hal.request({ type: 'reschedule', id: scheduled.id }));
      assert.equal((again.scheduled as { failed?: unknown }).failed, undefined, 'pending again');
      await gus.frames.find(
        (f) => f.type === 'message' && f.text === 'too late',
        10_000,
        'the message, sent now',
      );
      // Its sender hears it sent once it has left their list (a member may receive it a moment before: on a cluster,
      // the instance that sent it delivers it, then removes it from the list).
      await hal.frames.find(
        (f) => f.type === 'schedule_changed' && f.id === scheduled.id && !!f.sent,
        10_000,
        'told it was sent',
      );
      assert.deepEqual(ok(await hal.request({ type: 'scheduled_messages' })).scheduled, []);
      // A later one moved to another time, then removed.
      const later = ok(
        await hal.request({ type: 'schedule', room: 'gus-room', text: 'x', at: Date.now() + 60_000 }),
      );
      const id = (later.scheduled as { id: string }).id;
      const moved = ok(await hal.request({ type: 'reschedule', id, at: Date.now() + 120_000 }));
      assert.ok((moved.scheduled as { at: number }).at > (later.scheduled as { at: number }).at);
      ok(await hal.request({ type: 'unschedule', id }));
      assert.deepEqual(ok(await hal.request({ type: 'scheduled_messages' })).scheduled, []);
    });

    it('reminds a user of a message when its time comes, on every device, and keeps it saved', async () => {
      const [ivy, ivyPhone, jon] = [await as('ivy'), await as('ivy'), await as('jon')];
      await room('ivy-room', ivy, jon);
      ok(await ivyPhone.request({ type: 'rooms' }));
      const sent = ok(
        await jon.request({ type: 'send', room: 'ivy-room', text: 'Invoice due Friday', cid: 'j1' }),
      );
      const at = Date.now() + SOON_MS;
      assert.equal(
        await refusal(ivy, { type: 'remind', room: 'ivy-room', offset: sent.offset, at: Date.now() - 1 }),
        'bad_request: at: the time has passed',
      );
      assert.equal(
        await refusal(ivy, { type: 'remind', room: 'ivy-room', offset: 1, at }),
        'no_message: only a chat message that is kept and not deleted can be saved',
        'the room’s first entry is its creation, no chat message',
      );
      // Not saved yet: the reminder saves it.
      assert.equal(
        ok(await ivy.request({ type: 'remind', room: 'ivy-room', offset: sent.offset, at })).type,
        'done',
      );
      const listed = ok(await ivy.request({ type: 'saved' })).saved as Array<Record<string, unknown>>;
      assert.deepEqual(
        listed.map((s) => [(s.message as { text: string }).text, s.remindAt, s.remindedAt]),
        [['Invoice due Friday', at, undefined]],
      );
      const reminder = await ivyPhone.frames.find((f) => f.type === 'reminder', 10_000, 'the reminder');
      assert.deepEqual(
        [reminder.room, reminder.offset, reminder.remindAt, (reminder.message as { text: string }).text],
        ['ivy-room', sent.offset, at, 'Invoice due Friday'],
      );
      const after = ok(await ivy.request({ type: 'saved' })).saved as Array<Record<string, unknown>>;
      assert.equal(after[0]?.remindAt, at);
      assert.ok((after[0]?.remindedAt as number) >= at, 'came due, and says when');
      // Taken off: still saved, no reminder.
      ok(await ivy.request({ type: 'remind', room: 'ivy-room', offset: sent.offset }));
      const off = ok(await ivy.request({ type: 'saved' })).saved as Array<Record<string, unknown>>;
      assert.deepEqual([off.length, off[0]?.remindAt, off[0]?.remindedAt], [1, undefined, undefined]);
      assert.equal(
        jon.frames.items.filter((f) => f.type === 'reminder').length,
        0,
        'nobody else hears of it',
      );
    });
  });
}
