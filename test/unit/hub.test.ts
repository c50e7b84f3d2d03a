import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeConfig } from '../../src/config/config.js';
import { type Engine, EngineUnavailableError } from '../../src/engine/engine.js';
import { createMemoryEngine } from '../../src/engine/memory-engine.js';
import { Hub } from '../../src/hub/hub.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomIds } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { waitUntil } from '../helpers/wait.js';

function setup(engineOverride?: (engine: Engine) => Engine) {
  const clock = new ManualClock();
  const config = makeConfig({
    typingIntervalMs: 1000,
    commandsPerSec: 0,
    userMessagesPerSec: 0,
    presenceBatchMs: 0,
  });
  const base = createMemoryEngine({ ...config, clock, ids: randomIds() });
  const engine = engineOverride ? engineOverride(base) : base;
  const hub = new Hub({
    config,
    engine,
    clock,
    timers: clock,
    ids: randomIds(),
    logger: silentLogger(),
    nodeId: 'n1',
  });
  const connect = (id: string) => {
    const transport = new FakeTransport();
    const session = hub.connect(transport, { user: { id, name: id.toUpperCase() } });
    return { transport, session };
  };
  return { hub, connect, clock, broker: engine.broker };
}

/** Runs one command and waits for the frame answering it. */
async function command(
  hub: Hub,
  client: { transport: FakeTransport; session: ReturnType<Hub['connect']> },
  cmd: Record<string, unknown>,
) {
  const before = client.transport.written.length;
  hub.receive(client.session, JSON.stringify(cmd));
  for (let i = 0; i < 100; i += 1) {
    const reply = client.transport
      .frames()
      .slice(before)
      .find((f) => f.ref === cmd.ref);
    if (reply) return reply;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`no reply to ${JSON.stringify(cmd)}`);
}

describe('hub', () => {
  it('welcomes a connection with its identity and limits', () => {
    const { connect } = setup();
    const { transport } = connect('alice');
    const welcome = transport.frames()[0];
    assert.equal(welcome?.type, 'welcome');
    assert.deepEqual(welcome?.user, { id: 'alice', name: 'ALICE' });
    assert.equal(welcome?.node, 'n1');
  });

  it('encodes a broadcast once and writes the same bytes to every member', async () => {
    const { hub, connect } = setup();
    const clients = [connect('a'), connect('b'), connect('c')];
    for (const c of clients) await command(hub, c, { type: 'join', ref: 1, room: 'r' });
    await command(hub, clients[0]!, { type: 'send', ref: 2, room: 'r', text: 'hi', cid: 'x' });
    const copies = clients.map((c) => c.transport.written.find((b) => b.includes('"type":"message"')));
    assert.ok(copies[0]);
    assert.ok(
      copies.every((b) => b === copies[0]),
      'one Buffer instance shared by all members',
    );
  });

  it('runs one session’s commands in order', async () => {
    const { hub, connect } = setup();
    const a = connect('a');
    hub.receive(a.session, JSON.stringify({ type: 'join', ref: 1, room: 'r' }));
    for (let i = 0; i < 20; i += 1) {
      hub.receive(
        a.session,
        JSON.stringify({ type: 'send', ref: 10 + i, room: 'r', text: `m${i}`, cid: `c${i}` }),
      );
    }
    await command(hub, a, { type: 'ping', ref: 99 });
    const sent = a.transport.frames().filter((f) => f.type === 'sent');
    assert.deepEqual(
      sent.map((f) => f.offset),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('announces presence joins and leaves once per user, not per connection', async () => {
    const { hub, connect } = setup();
    const watcher = connect('w');
    await command(hub, watcher, { type: 'join', ref: 1, room: 'r' });
    const tab1 = connect('alice');
    const tab2 = {
      transport: new FakeTransport(),
      session: undefined as unknown as ReturnType<Hub['connect']>,
    };
    tab2.session = hub.connect(tab2.transport, { user: { id: 'alice', name: 'ALICE' } });
    await command(hub, tab1, { type: 'join', ref: 1, room: 'r' });
    await command(hub, tab2, { type: 'join', ref: 1, room: 'r' });
    await hub.disconnect(tab1.session);
    const diffs = () => watcher.transport.frames().filter((f) => f.type === 'presence_diff');
    assert.equal(diffs().length, 2, 'watcher join + alice join only');
    await command(hub, tab2, { type: 'leave', ref: 2, room: 'r' });
    const last = diffs().at(-1);
    assert.deepEqual(last?.leaves, [{ id: 'alice', name: 'ALICE' }]);
  });

  it('does not echo typing to the typing user, and throttles it', async () => {
    const { hub, connect, clock } = setup();
    const a = connect('a');
    const b = connect('b');
    await command(hub, a, { type: 'join', ref: 1, room: 'r' });
    await command(hub, b, { type: 'join', ref: 1, room: 'r' });
    for (let i = 0; i < 3; i += 1) hub.receive(a.session, JSON.stringify({ type: 'typing', room: 'r' }));
    await command(hub, a, { type: 'ping', ref: 4 });
    clock.advance(1500);
    hub.receive(a.session, JSON.stringify({ type: 'typing', room: 'r' }));
    await command(hub, a, { type: 'ping', ref: 5 });
    assert.equal(b.transport.frames().filter((f) => f.type === 'typing').length, 2);
    assert.equal(a.transport.frames().filter((f) => f.type === 'typing').length, 0);
  });

  it('answers an unreachable engine with a temporary unavailable error and keeps the session', async () => {
    const { hub, connect } = setup((engine) => ({
      ...engine,
      log: Object.assign(Object.create(Object.getPrototypeOf(engine.log)), engine.log, {
        append: async () => {
          throw new EngineUnavailableError('redis down');
        },
      }),
    }));
    const a = connect('a');
    await command(hub, a, { type: 'join', ref: 1, room: 'r' });
    const reply = await command(hub, a, { type: 'send', ref: 2, room: 'r', text: 'x', cid: 'c' });
    assert.deepEqual(
      { type: reply.type, code: reply.code, temporary: reply.temporary },
      { type: 'error', code: 'unavailable', temporary: true },
    );
    assert.equal((await command(hub, a, { type: 'ping', ref: 3 })).type, 'pong');
    assert.equal(hub.counters.engineErrors, 1);
  });

  it('pauses reading a client with too many commands in flight and resumes after', async () => {
    const { hub, connect } = setup();
    const a = connect('a');
    await command(hub, a, { type: 'join', ref: 1, room: 'r' });
    for (let i = 0; i < 100; i += 1) {
      hub.receive(
        a.session,
        JSON.stringify({ type: 'send', ref: 10 + i, room: 'r', text: 'x', cid: `c${i}` }),
      );
    }
    assert.equal(a.transport.paused, true);
    await command(hub, a, { type: 'ping', ref: 500 });
    assert.equal(a.transport.paused, false);
  });

  it('leaves every room on disconnect and unsubscribes rooms without local members', async () => {
    const { hub, connect, broker } = setup();
    const a = connect('a');
    await command(hub, a, { type: 'join', ref: 1, room: 'r1' });
    await command(hub, a, { type: 'join', ref: 2, room: 'r2' });
    assert.ok(broker.subscribedRooms().has('r1') && broker.subscribedRooms().has('r2'));
    assert.equal(hub.roomCount, 2);
    const b = connect('b');
    await command(hub, b, { type: 'join', ref: 3, room: 'r2' });
    await hub.disconnect(a.session);
    assert.equal(hub.roomCount, 1, 'r2 still has a member here');
    assert.equal(hub.sessions.size, 1);
    // The unsubscription runs after the leave, serialised per room: wait until it settled.
    await waitUntil(() => !broker.subscribedRooms().has('r1'), 2000, 'r1 to be unsubscribed');
    assert.ok(broker.subscribedRooms().has('r2'), 'a room with a local member stays subscribed');
    await hub.disconnect(b.session);
    await waitUntil(() => !broker.subscribedRooms().has('r2'), 2000, 'r2 to be unsubscribed');
  });
});
