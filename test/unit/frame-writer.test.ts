import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { type BufferedConnection, FrameWriter } from '../../src/transport/frame-writer.js';
import { Opcode, parseServerFrames } from '../helpers/ws-frames.js';

/** A socket that records each system call it would make: one batch per write (or per writev once uncorked). */
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

type TestConnection = BufferedConnection & { socket: RecordingSocket; open: boolean };
const connection = (): TestConnection => ({
  socket: new RecordingSocket(),
  pending: null,
  pendingBytes: 0,
  corked: false,
  open: true,
});
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The frames in a batch's bytes, as [opcode, payload]. */
const framesOf = (batch: Buffer[] | undefined): Array<[number, string]> =>
  parseServerFrames(Buffer.concat(batch ?? [])).map((f) => [f.opcode, f.payload.toString()]);
const TEXT = Opcode.text;
const PING = Opcode.ping;

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
    assert.equal(a.pendingBytes, 2 * (first.length + 2), 'held bytes are counted (back-pressure reads them)');
    await endOfTurn();
    for (const c of [a, b]) {
      assert.equal(c.socket.batches.length, 1, 'one system call per socket');
      assert.deepEqual(framesOf(c.socket.batches[0]), [
        [TEXT, first.toString()],
        [TEXT, second.toString()],
      ]);
      assert.equal(c.pending, null);
      assert.equal(c.pendingBytes, 0);
    }
    // Not joined into one copy per connection: a reader that is behind would hold its own copy of every frame.
    assert.equal(
      a.socket.batches[0]?.[0],
      b.socket.batches[0]?.[0],
      'the same frame Buffer for every member',
    );
    assert.equal(a.socket.batches[0]?.[1], b.socket.batches[0]?.[1]);
    assert.equal(writer.bytesOut, 4 * (first.length + 2));
  });

  it('hands a lone frame to the socket as it is: the same bytes for every member', async () => {
    const writer = new FrameWriter(8 * 1024);
    const a = connection();
    const b = connection();
    const payload = Buffer.from('hello');
    writer.write(a, payload);
    writer.write(b, payload);
    await endOfTurn();
    assert.equal(a.socket.batches[0]?.[0], b.socket.batches[0]?.[0]);
    assert.deepEqual(framesOf(a.socket.batches[0]), [[TEXT, 'hello']]);
  });

  it('flushes a connection at once when its held bytes pass the threshold', async () => {
    const writer = new FrameWriter(64);
    const c = connection();
    writer.write(c, Buffer.from('x'.repeat(40)));
    assert.equal(c.socket.batches.length, 0);
    writer.write(c, Buffer.from('y'.repeat(40)));
    assert.equal(c.socket.batches.length, 1, 'flushed before the end of the turn');
    assert.equal(c.pendingBytes, 0);
    writer.write(c, Buffer.from('z'));
    await endOfTurn();
    assert.equal(c.socket.batches.length, 2, 'held again, flushed at the end of the turn');
    assert.deepEqual(framesOf(c.socket.batches[1]), [[TEXT, 'z']]);
  });

  it('sends what it holds before a close frame written after a flush', async () => {
    const writer = new FrameWriter(8 * 1024);
    const c = connection();
    writer.write(c, Buffer.from('last words'));
    writer.flush(c);
    const close = Buffer.from([0x88, 0x02, 0x0f, 0xa1]); // close 4001
    c.socket.write(close);
    await endOfTurn();
    const written = c.socket.batches.flat();
    assert.deepEqual(framesOf([written[0] as Buffer]), [[TEXT, 'last words']]);
    assert.equal(written[1], close);
  });

  it('drops what it holds once the closing handshake has begun (no data frame after a close)', async () => {
    const writer = new FrameWriter(8 * 1024);
    const c = connection();
    writer.write(c, Buffer.from('too late'));
    c.open = false;
    await endOfTurn();
    assert.deepEqual(c.socket.batches, []);
    assert.equal(c.pending, null, 'nothing stays held');
  });

  it('keeps bytes written to a corked socket by other code before its held frames, in one system call', async () => {
    const writer = new FrameWriter(8 * 1024);
    const c = connection();
    writer.cork(c);
    const response = Buffer.from('HTTP/1.1 101 Switching Protocols\r\n\r\n');
    c.socket.write(response);
    writer.write(c, Buffer.from('welcome'));
    await endOfTurn();
    assert.equal(c.socket.batches.length, 1, 'the response and the frame leave together');
    assert.equal(c.socket.batches[0]?.[0], response);
    assert.deepEqual(framesOf(c.socket.batches[0]?.slice(1)), [[TEXT, 'welcome']]);
    assert.equal(c.corked, false);
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
    assert.deepEqual(idle.socket.batches, [], 'a ping is held like data');
    await endOfTurn();
    assert.equal(busy.socket.batches.length, 1, 'one system call for the frame and the ping');
    assert.deepEqual(framesOf(busy.socket.batches[0]), [
      [TEXT, 'news'],
      [PING, ''],
    ]);
    assert.deepEqual(
      idle.socket.batches,
      [[Buffer.from([0x89, 0x00])]],
      'FIN + ping opcode, unmasked, no payload',
    );
    assert.equal(writer.bytesOut, 'news'.length + 2, 'pings are not data: not counted in bytesOut');
    const gone = connection();
    gone.socket.destroy();
    writer.ping(gone);
    await endOfTurn();
    assert.deepEqual(gone.socket.batches, []);
  });
});
