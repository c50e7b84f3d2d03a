/** Conformance suite of the Broker contract; every implementation must pass it unchanged. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatMessage, RoomEvent } from '../../src/engine/types.js';
import { collect, draft, type EngineFixture, type FixtureFactory } from './fixture.js';

const messages = (events: RoomEvent[], room?: string): ChatMessage[] =>
  events.flatMap((e) => (e.kind === 'message' && (room === undefined || e.room === room) ? [e.message] : []));

export function brokerSuite(name: string, factory: FixtureFactory): void {
  describe(`Broker conformance: ${name}`, () => {
    const open: EngineFixture[] = [];
    const make = async () => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000 });
      open.push(fixture);
      return fixture;
    };
    after(async () => {
      await Promise.all(open.map((f) => f.close()));
    });

    it('assigns offsets 1, 2, 3... in one epoch and returns the stored message', async () => {
      const { log } = await make();
      const results = [];
      for (const text of ['a', 'b', 'c']) results.push(await log.append(draft('r1', text)));
      assert.deepEqual(
        results.map((r) => r.message.offset),
        [1, 2, 3],
      );
      assert.equal(new Set(results.map((r) => r.message.epoch)).size, 1);
      assert.equal(results[1]?.message.text, 'b');
      assert.equal(results[1]?.duplicate, false);
    });

    it('delivers messages of subscribed rooms, each once, and nothing of other rooms', async () => {
      const { broker, log } = await make();
      const events = collect(broker);
      await broker.subscribe('room-a');
      const sent = [];
      for (let i = 0; i < 20; i += 1) sent.push((await log.append(draft('room-a', `m${i}`))).message);
      await log.append(draft('room-b', 'not for us'));
      await events.count(20);
      await broker.signal({ kind: 'typing', room: 'room-a', user: { id: 'x', name: 'X' } });
      await events.find((e) => e.kind === 'typing');
      // In offset order once sorted: through Redis, publications sent while it reloads its scripts may cross (see
      // Broker); the hub orders them (OrderedDelivery, its own tests).
      assert.deepEqual(
        messages(events.items).sort((a, b) => a.offset - b.offset),
        sent,
      );
      assert.equal(
        events.items.some((e) => e.room === 'room-b'),
        false,
      );
    });

    it('stores a publication in history whether or not anyone is subscribed', async () => {
      const { log } = await make();
      const { message } = await log.append(draft('lonely', 'hello'));
      const page = await log.read('lonely', { limit: 10 });
      assert.deepEqual(page.messages, [message]);
      assert.deepEqual(page.position, { offset: 1, epoch: message.epoch });
    });

    it('publishes a (sender, cid) once: a retry returns the original and delivers nothing', async () => {
      const { broker, log } = await make();
      const events = collect(broker);
      await broker.subscribe('idem');
      const first = draft('idem', 'once');
      const original = await log.append(first);
      const retry = await log.append({ ...first, id: 'another-id', ts: first.ts + 5 });
      assert.equal(retry.duplicate, true);
      assert.deepEqual(retry.message, original.message);
      const other = await log.append({ ...first, id: 'third', from: { id: 'u2', name: 'Other' } });
      assert.equal(other.duplicate, false, 'the same cid from another user is another message');
      assert.equal(other.message.offset, 2);
      await events.count(2);
      await broker.signal({ kind: 'typing', room: 'idem', user: { id: 'x', name: 'X' } });
      await events.find((e) => e.kind === 'typing');
      assert.equal(messages(events.items).length, 2);
      assert.equal((await log.read('idem', { limit: 10 })).messages.length, 2);
    });

    it('delivers signals (presence, typing) to subscribers without storing them', async () => {
      const { broker, log: history } = await make();
      const events = collect(broker);
      await broker.subscribe('sig');
      const user = { id: 'u9', name: 'Nine' };
      await broker.signal({ kind: 'presence', room: 'sig', joins: [user], leaves: [] });
      await broker.signal({ kind: 'typing', room: 'sig', user });
      await events.count(2);
      assert.deepEqual(events.items, [
        { kind: 'presence', room: 'sig', joins: [user], leaves: [] },
        { kind: 'typing', room: 'sig', user },
      ]);
      assert.equal((await history.position('sig')).offset, 0);
    });

    it('stops delivering after unsubscribe', async () => {
      const { broker, log } = await make();
      const events = collect(broker);
      await broker.subscribe('u1');
      await broker.subscribe('u2');
      await log.append(draft('u1', 'before'));
      await events.count(1);
      await broker.unsubscribe('u1');
      assert.equal(broker.subscribedRooms().has('u1'), false);
      await log.append(draft('u1', 'after'));
      await log.append(draft('u2', 'marker'));
      await events.find((e) => e.room === 'u2');
      assert.deepEqual(
        messages(events.items).map((m) => m.text),
        ['before', 'marker'],
      );
    });

    it('keeps offsets contiguous and ordered under concurrent publishing', async () => {
      const { broker, log } = await make();
      const events = collect(broker);
      await broker.subscribe('busy');
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => log.append(draft('busy', `${i}`))),
      );
      const offsets = results.map((r) => r.message.offset).sort((a, b) => a - b);
      assert.deepEqual(
        offsets,
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      await events.count(200);
      assert.deepEqual(
        messages(events.items).map((m) => m.offset),
        offsets,
      );
    });

    it('delivers to every subscribed node and only to subscribed nodes', async (t) => {
      const fixture = await make();
      if (!fixture.peer) return t.skip('single-node engine');
      const peer = await fixture.peer();
      open.push(peer);
      const here = collect(fixture.broker);
      const there = collect(peer.broker);
      await fixture.broker.subscribe('shared');
      await peer.broker.subscribe('shared');
      await fixture.broker.subscribe('only-here');
      const a = await fixture.log.append(draft('shared', 'from here'));
      const b = await peer.log.append(draft('shared', 'from there'));
      await peer.log.append(draft('only-here', 'x'));
      await here.count(3);
      await there.count(2);
      assert.deepEqual(messages(here.items, 'shared'), [a.message, b.message]);
      assert.deepEqual(messages(there.items), [a.message, b.message]);
      await peer.log.append(draft('shared', 'end'));
      await there.count(3);
      assert.equal(
        there.items.some((e) => e.room === 'only-here'),
        false,
      );
    });
  });
}
