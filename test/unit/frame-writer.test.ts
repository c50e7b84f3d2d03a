import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { type CorkableConnection, FrameWriter } from '../../src/transport/frame-writer.js';

/** A socket that records each system call it would make: one batch per flush (writev), in order. */
class RecordingSocket extends Duplex {
  readonly batches: Buffer[][] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.batches.push([chunk]);
    callback();
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: () => void): void {
    this.batches.push(chunks.map((c) => c.chunk));
    callback();
  }
}

const connection = (): CorkableConnection & { socket: RecordingSocket } => ({
  socket: new RecordingSocket(),
  corked: false,
});
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));
/** The payload of an unmasked text frame of fewer than 126 bytes. */
const payloadOf = (frame: Buffer) => {
  assert.equal(frame[0], 0x81, 'FIN + text opcode');
  assert.equal((frame[1] ?? 0) & 0x80, 0, 'not masked');
  return frame.subarray(2).toString();
};

describe('frame writer', () => {
  it('frames a payload once and writes each socket once per turn, however many frames', async () => {
    const writer = new FrameWriter(8 * 1024);
    const a = connection();
    const b = connection();
    const first = Buffer.from('{"type":"message","n":1}');
    const second = Buffer.from('{"type":"message","n":2}');
    for (const payload of [first, second]) {
      writer.write(a, payload);
      writer.write(b, payload);
    }
    assert.deepEqual(a.socket.batches, [], 'nothing leaves before the end of the turn');
    await endOfTurn();
    for (const c of [a, b]) {
      assert.equal(c.socket.batches.length, 1, 'one system call per socket');
      assert.deepEqual(c.socket.batches[0]?.map(payloadOf), [first.toString(), second.toString()]);
      assert.equal(c.corked, false);
    }
    assert.equal(a.socket.batches[0]?.[0], b.socket.batches[0]?.[0], 'the same frame bytes for every member');
    assert.equal(writer.bytesOut, 4 * (first.length + 2));
  });

  it('flushes a socket at once when its corked bytes pass the threshold', async () => {
    const writer = new FrameWriter(64);
    const c = connection();
    writer.write(c, Buffer.from('x'.repeat(40)));
    assert.equal(c.socket.batches.length, 0);
    writer.write(c, Buffer.from('y'.repeat(40)));
    assert.equal(c.socket.batches.length, 1, 'flushed before the end of the turn');
    assert.equal(c.corked, false);
    writer.write(c, Buffer.from('z'));
    await endOfTurn();
    assert.equal(c.socket.batches.length, 2, 'corked again, flushed at the end of the turn');
  });

  it('keeps a close frame written by the WebSocket layer after the data frames before it', async () => {
    const writer = new FrameWriter(8 * 1024);
    const c = connection();
    writer.write(c, Buffer.from('last words'));
    const close = Buffer.from([0x88, 0x02, 0x0f, 0xa1]); // close 4001
    c.socket.write(close);
    await endOfTurn();
    const written = c.socket.batches.flat();
    assert.equal(payloadOf(written[0] as Buffer), 'last words');
    assert.equal(written[1], close);
  });

  it('writes nothing to a socket that is no longer writable', async () => {
    const writer = new FrameWriter(8 * 1024);
    const c = connection();
    c.socket.destroy();
    writer.write(c, Buffer.from('lost'));
    await endOfTurn();
    assert.deepEqual(c.socket.batches, []);
    assert.equal(writer.bytesOut, 0);
  });

  it('sends a ping in the same system call as the data frames written to the socket in that turn', async () => {
    const writer = new FrameWriter(8 * 1024);
    const busy = connection();
    const idle = connection();
    writer.write(busy, Buffer.from('news'));
    writer.ping(busy);
    writer.ping(idle);
    assert.deepEqual(idle.socket.batches, [], 'a ping is corked like data');
    await endOfTurn();
    assert.equal(busy.socket.batches.length, 1, 'one system call for the frame and the ping');
    const [frame, ping] = busy.socket.batches[0] ?? [];
    assert.equal(payloadOf(frame as Buffer), 'news');
    assert.deepEqual(ping, Buffer.from([0x89, 0x00]), 'FIN + ping opcode, unmasked, no payload');
    assert.deepEqual(idle.socket.batches, [[Buffer.from([0x89, 0x00])]]);
    assert.equal(writer.bytesOut, 'news'.length + 2, 'pings are not data: not counted in bytesOut');
    const gone = connection();
    gone.socket.destroy();
    writer.ping(gone);
    await endOfTurn();
    assert.deepEqual(gone.socket.batches, []);
  });
});
