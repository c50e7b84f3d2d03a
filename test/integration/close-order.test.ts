/**
 * The frame writer holds a turn's frames until the end of the turn; a close started in that turn must not overtake
 * them. Over a real socket, read as bytes on the client's side: frames written by the server just before it closes
 * come first, then the close frame, and a server that keeps writing after the close sends nothing after it.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { CloseCodes } from '../../src/protocol/close-codes.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { within } from '../helpers/wait.js';
import { Opcode, parseServerFrames } from '../helpers/ws-frames.js';

describe('frames around a close', () => {
  it('delivers what was written in the closing turn before the close frame, and nothing after it', async () => {
    const node = await startNode();
    const client = await RawClient.connect(node.wsUrl, { name: 'Ann', user: 'ann' });
    // What the server writes from here on, as bytes (a client library may ignore frames after a close; the wire
    // does not).
    const wire: Buffer[] = [];
    (client.ws as unknown as { _socket: Socket })._socket.on('data', (chunk: Buffer) => wire.push(chunk));
    const [session] = [...node.hub.sessions];
    assert.ok(session);
    // One synchronous turn: two replies, the close, then more writes that must not follow the close frame.
    session.reply({ type: 'error', code: 'bad_request', message: 'first', temporary: false });
    session.reply({ type: 'error', code: 'bad_request', message: 'second', temporary: false });
    session.close(CloseCodes.forbidden, 'closing now');
    session.reply({ type: 'error', code: 'bad_request', message: 'after the close', temporary: false });
    const closed = await within(client.closed, 5000, 'close');
    assert.equal(closed.code, CloseCodes.forbidden);
    assert.equal(closed.reason, 'closing now');
    const frames = parseServerFrames(Buffer.concat(wire));
    assert.deepEqual(
      frames.map((f) => (f.opcode === Opcode.text ? JSON.parse(f.payload.toString()).message : f.opcode)),
      ['first', 'second', Opcode.close],
    );
  });
});
