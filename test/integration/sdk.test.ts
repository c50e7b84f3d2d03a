import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startNode } from '../helpers/nodes.js';
import { watchedClient } from '../helpers/sdk.js';
import { Collector } from '../helpers/wait.js';

function client(url: string, name: string, userId?: string, typingTimeoutMs?: number) {
  const {
    client: c,
    messages,
    states,
  } = watchedClient({
    url,
    name,
    userId,
    reconnect: { minDelayMs: 50, maxDelayMs: 200 },
    ...(typingTimeoutMs !== undefined ? { typingTimeoutMs } : {}),
  });
  const presence = new Collector<string[]>();
  const typing = new Collector<string[]>();
  c.on('presence', ({ users }) => presence.push(users.map((u) => u.id).sort()));
  c.on('typing', ({ users }) => typing.push(users.map((u) => u.id)));
  return { c, messages, states, presence, typing };
}

describe('client SDK', () => {
  it('joins, sends, receives, and tracks presence and typing', async () => {
    const node = await startNode();
    const alice = client(node.wsUrl, 'Alice', 'alice');
    const bob = client(node.wsUrl, 'Bob', 'bob');
    alice.c.connect();
    bob.c.connect();
    const joined = await alice.c.join('sdk');
    assert.equal(joined.position.offset, 0);
    await bob.c.join('sdk');
    await alice.presence.find((ids) => ids.join() === 'alice,bob');
    alice.c.typing('sdk');
    await bob.typing.find((ids) => ids.join() === 'alice');
    const ack = await alice.c.send('sdk', 'hello bob');
    assert.equal(ack.offset, 1);
    const got = await bob.messages.find((m) => m.text === 'hello bob');
    assert.deepEqual(got.from, { id: 'alice', name: 'Alice' });
    await bob.typing.find((ids) => ids.length === 0); // a message ends its sender's typing
    const history = await bob.c.history('sdk');
    assert.deepEqual(
      history.messages.map((m) => m.text),
      ['hello bob'],
    );
    await assert.rejects(alice.c.send('sdk', ''), { code: 'text_empty' });
    // forward(): the message passed on, with or without words of one's own.
    await alice.c.join('sdk-elsewhere');
    await bob.c.join('sdk-elsewhere');
    const passed = await alice.c.forward('sdk-elsewhere', { room: 'sdk', offset: ack.offset });
    const forward = await bob.messages.find((m) => m.id === passed.id);
    assert.deepEqual(
      [forward.text, forward.forwarded?.text, forward.forwarded?.room],
      ['', 'hello bob', 'sdk'],
    );
    await assert.rejects(alice.c.forward('sdk-elsewhere', { room: 'sdk', offset: 99 }), {
      code: 'no_message',
    });
    alice.c.close();
    bob.c.close();
  });

  it('reconnects after the server restarts, rejoins its rooms and re-sends unanswered sends', async () => {
    const first = await startNode();
    const port = first.port;
    const alice = client(first.wsUrl, 'Alice', 'alice');
    alice.c.connect();
    await alice.c.join('again');
    await alice.c.send('again', 'before restart');
    await first.shutdown();
    await alice.states.find((s) => s.status === 'reconnecting' && s.code === 4001);
    const pending = alice.c.send('again', 'sent while down', 'cid-while-down');
    const second = await startNode({ port });
    await alice.states.find((s) => s.status === 'connected' && s.node === second.id, 10_000);
    const ack = await pending;
    assert.equal(ack.duplicate, false);
    const bob = client(second.wsUrl, 'Bob', 'bob');
    bob.c.connect();
    await bob.c.join('again');
    await bob.c.send('again', 'hello after restart');
    await alice.messages.find((m) => m.text === 'hello after restart');
    assert.ok(alice.c.users('again').some((u) => u.id === 'bob'));
    alice.c.close();
    bob.c.close();
  });

  it('says typing stopped when the connection drops, and a sent message lets the next typing signal through', async () => {
    const node = await startNode();
    const alice = client(node.wsUrl, 'Alice', 'alice');
    // Typing indicators that would last a minute: whatever clears them here is not their timeout.
    const bob = client(node.wsUrl, 'Bob', 'bob', 60_000);
    alice.c.connect();
    bob.c.connect();
    await alice.c.join('typers');
    await bob.c.join('typers');
    alice.c.typing('typers');
    assert.deepEqual((await bob.typing.count(1))[0], ['alice']);
    await alice.c.send('typers', 'done typing');
    assert.deepEqual((await bob.typing.count(2))[1], []); // a message ends its sender's typing
    // Well within the 2 s throttle: the message reset it, so this signal is sent.
    alice.c.typing('typers');
    assert.deepEqual((await bob.typing.count(3))[2], ['alice']);
    // Bob loses his connection: nobody is known to be typing any more, and he hears so at once.
    node.hub.disconnectUser('bob', 'test');
    assert.deepEqual((await bob.typing.count(4))[3], []);
    alice.c.close();
    bob.c.close();
  });

  it('tells one presence event per change', async () => {
    const node = await startNode();
    const alice = client(node.wsUrl, 'Alice', 'alice');
    alice.c.connect();
    await alice.c.join('once');
    const bob = client(node.wsUrl, 'Bob', 'bob');
    bob.c.connect();
    await bob.c.join('once');
    await alice.presence.find((ids) => ids.join() === 'alice,bob');
    await bob.presence.find((ids) => ids.join() === 'alice,bob');
    // A ping's round trip after the join: any echo of the join (a diff naming Bob again) has arrived by then.
    await alice.c.ping();
    await bob.c.ping();
    assert.deepEqual(alice.presence.items, [['alice'], ['alice', 'bob']]);
    assert.deepEqual(bob.presence.items, [['alice', 'bob']]);
    alice.c.close();
    bob.c.close();
  });

  it('reports a socket that cannot be made as an error event and a rejected join, never a throw', async () => {
    const node = await startNode();
    const { client: c, states } = watchedClient({
      url: node.wsUrl,
      name: 'Nosocket',
      webSocket: () => {
        throw new Error('no global WebSocket in this runtime');
      },
    });
    const errors = new Collector<string>();
    c.on('error', (error) => errors.push(`${error.code}: ${error.message}`));
    const joining = c.join('nowhere');
    c.connect();
    const closed = await states.find((s) => s.status === 'closed');
    assert.equal(closed.status === 'closed' && closed.reason, 'no global WebSocket in this runtime');
    assert.match(await errors.find(() => true), /^closed: cannot open a WebSocket: no global WebSocket/);
    await assert.rejects(joining, { code: 'closed' });
  });

  it('says when its token function fails, and keeps trying', async () => {
    const node = await startNode();
    let calls = 0;
    const { client: c, states } = watchedClient({
      url: node.wsUrl,
      token: async () => {
        calls += 1;
        throw new Error('the backend is down');
      },
    });
    const errors = new Collector<string>();
    c.on('error', (error) => errors.push(`${error.code}: ${error.message}`));
    c.connect();
    assert.equal(await errors.find(() => true), 'unavailable: could not get a token: the backend is down');
    await states.find((s) => s.status === 'reconnecting' && s.reason === 'token: the backend is down');
    await errors.count(2);
    assert.ok(calls >= 2, 'tried again');
    c.close();
  });

  it('does not reconnect after a terminal close code', async () => {
    const node = await startNode();
    const nameless = client(node.wsUrl, '');
    nameless.c.connect();
    const closed = await nameless.states.find((s) => s.status === 'closed');
    assert.deepEqual(closed, {
      status: 'closed',
      code: 4500,
      reason: 'name must be 1-32 printable characters',
    });
    await assert.rejects(nameless.c.join('x'), { code: 'closed' });
  });
});
