import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startNode } from '../helpers/nodes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';

describe('bad input', async () => {
  const node = await startNode({
    maxTextLength: 100,
    maxRoomsPerConnection: 3,
    maxPayloadBytes: 2048,
    maxRoomNameLength: 16,
  });
  const clients: RawClient[] = [];
  const connect = async (query: Record<string, string> = { name: 'Bad' }) => {
    const client = await RawClient.connect(node.wsUrl, query);
    clients.push(client);
    return client;
  };
  after(() => {
    for (const c of clients) c.close();
  });

  // A well-behaved member of the room who must see every accepted message and nothing else.
  const watcher = await connect({ name: 'Watcher' });
  await watcher.request({ type: 'join', room: 'shared' });
  const accepted: string[] = [];
  const sendGood = async (client: RawClient, text: string) => {
    const reply = await client.request({
      type: 'send',
      room: 'shared',
      text,
      cid: `good-${accepted.length}`,
    });
    assert.equal(reply.type, 'sent');
    accepted.push(text);
  };

  const expectError = async (client: RawClient, command: Record<string, unknown>, code: string) => {
    const reply = await client.request(command);
    assert.equal(reply.type, 'error', JSON.stringify(command));
    assert.equal(reply.code, code, JSON.stringify(command));
    assert.equal(typeof reply.message, 'string');
    assert.equal(reply.temporary, false);
  };

  it('answers malformed JSON and non-objects with bad_json, and carries on', async () => {
    const bad = await connect();
    await bad.request({ type: 'join', room: 'shared' });
    await sendGood(bad, 'before-garbage');
    for (const text of ['{not json', '[]', 'null', '"x"']) {
      const before = bad.ofType('error').length;
      bad.sendRaw(text);
      const error = await bad.frames.find(() => bad.ofType('error').length > before);
      assert.ok(error);
      assert.equal(bad.ofType('error').at(-1)?.code, 'bad_json');
    }
    await sendGood(bad, 'after-garbage');
  });

  it('answers unknown command types and wrong fields, echoing the ref', async () => {
    const bad = await connect();
    await bad.request({ type: 'join', room: 'shared' });
    await expectError(bad, { type: 'launch' }, 'unknown_command');
    await expectError(bad, { type: 'send', room: 'shared', text: 42, cid: 'c' }, 'bad_request');
    await expectError(bad, { type: 'send', room: 'shared', text: 'x' }, 'bad_request');
    await expectError(
      bad,
      { type: 'send', room: 'shared', text: 'x', cid: 'c', from: { id: 'admin', name: 'Admin' } },
      'bad_request',
    );
    await expectError(bad, { type: 'join', room: ['a'] }, 'bad_request');
    await sendGood(bad, 'after-bad-fields');
  });

  it('rejects empty, blank and oversize text', async () => {
    const bad = await connect();
    await bad.request({ type: 'join', room: 'shared' });
    await expectError(bad, { type: 'send', room: 'shared', text: '', cid: 'e1' }, 'text_empty');
    await expectError(bad, { type: 'send', room: 'shared', text: ' \n\t ', cid: 'e2' }, 'text_empty');
    await expectError(
      bad,
      { type: 'send', room: 'shared', text: 'x'.repeat(101), cid: 'e3' },
      'text_too_long',
    );
    await sendGood(bad, 'y'.repeat(100));
  });

  it('rejects invalid room names', async () => {
    const bad = await connect();
    for (const room of ['', 'has space', 'x'.repeat(17), '-dash', 'ünïcode', 'a/b', '../etc']) {
      await expectError(bad, { type: 'join', room }, 'invalid_room');
    }
  });

  it('rejects commands for rooms not joined', async () => {
    const bad = await connect();
    await expectError(bad, { type: 'send', room: 'shared', text: 'sneaky', cid: 's' }, 'not_joined');
    await expectError(bad, { type: 'history', room: 'shared' }, 'not_joined');
    await expectError(bad, { type: 'presence', room: 'shared' }, 'not_joined');
    await expectError(bad, { type: 'leave', room: 'shared' }, 'not_joined');
    await expectError(bad, { type: 'typing', room: 'shared' }, 'not_joined');
  });

  it('limits rooms per connection', async () => {
    const bad = await connect();
    for (const room of ['l1', 'l2', 'l3'])
      assert.equal((await bad.request({ type: 'join', room })).type, 'joined');
    await expectError(bad, { type: 'join', room: 'l4' }, 'too_many_rooms');
    await bad.request({ type: 'leave', room: 'l1' });
    assert.equal((await bad.request({ type: 'join', room: 'l4' })).type, 'joined');
  });

  it('answers binary frames with binary_unsupported', async () => {
    const bad = await connect();
    bad.sendRaw(Buffer.from([1, 2, 3]), true);
    const error = await bad.frames.find((f) => f.type === 'error');
    assert.equal(error.code, 'binary_unsupported');
    assert.equal((await bad.request({ type: 'ping' })).type, 'pong');
  });

  it('closes a connection that sends an oversize frame with 1009, others unaffected', async () => {
    const bad = await connect();
    bad.sendRaw(JSON.stringify({ type: 'send', ref: 1, room: 'shared', text: 'x'.repeat(5000), cid: 'big' }));
    assert.equal((await bad.waitClosed()).code, 1009);
  });

  it('closes a connection that sends invalid UTF-8 with 1007', async () => {
    const bad = await connect();
    bad.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    assert.equal((await bad.waitClosed()).code, 1007);
  });

  it('refuses handshakes without a valid name (4500) or with another protocol version (4501)', async () => {
    const noName = await connect({});
    assert.equal(noName.welcome, undefined);
    assert.deepEqual((await noName.waitClosed()).code, 4500);
    const badUser = await connect({ name: 'x', user: 'bad user!' });
    assert.equal((await badUser.waitClosed()).code, 4500);
    const control = await connect({ name: 'evil\u0000name' });
    assert.equal((await control.waitClosed()).code, 4500);
    const v2 = await connect({ name: 'x', v: '2' });
    assert.equal((await v2.waitClosed()).code, 4501);
  });

  it('answers unknown paths with 404 and never upgrades them', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${node.port}/elsewhere`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    assert.equal(status, 404);
  });

  it('lost nothing that was accepted: the watcher saw every accepted message, in order', async () => {
    await watcher.frames.find(() => watcher.ofType('message').length >= accepted.length);
    await watcher.request({ type: 'ping' });
    assert.deepEqual(
      watcher.ofType('message').map((m: Frame) => m.text),
      accepted,
    );
    const history = await watcher.request({ type: 'history', room: 'shared' });
    assert.deepEqual(
      (history.messages as Frame[]).map((m) => m.text),
      accepted,
    );
    assert.equal(watcher.ofType('error').length, 0);
  });
});
