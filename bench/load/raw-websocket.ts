/**
 * The load side's WebSocket client: a TCP socket, the opening handshake and a frame reader, nothing else. A
 * `ws` client per connection costs a stream, an event per frame and a Buffer per message; this one parses every frame
 * a read brought in one loop and hands each payload over as a view of the read's bytes. The load side shares the
 * machine with the server, and every microsecond it spends per delivery is taken from the server under test.
 *
 * Enough for the systems measured here and no more: text frames, masked sends, pings answered, no extensions, no
 * fragmented messages from the server (none of them sends any), no UTF-8 validation (the server is trusted).
 *
 * What it costs per delivery decides whether a pinned max fan-out round measures the server or the load side, so
 * it reads through the socket's `onread` (Node's static-buffer read: no stream, no `data` event, no Buffer per read)
 * into one buffer that every connection of the process shares (a read is handled before the next one starts), and
 * it frames with ws's encoder, whose masks come from a pool of random bytes (one `randomFillSync` per 2,048 frames,
 * not one per frame). Measured at 257,000 deliveries a second: the stream's read path was ~18 % of the load process's
 * JavaScript, a `randomFillSync` per frame ~5 %.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { wholeFrame } from '../../src/transport/ws-frame.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** A frame longer than this (a resume's replay can be large) is still read, just copied together first. */
const HEADER_MAX = 14;
/** Where every connection of the process reads into (Node's default read size). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
export interface RawWebSocketOptions {
  localAddress?: string | undefined;
  /** Milliseconds for the TCP connect and the handshake together. */
  timeoutMs?: number;
}

export class RawWebSocket {
  /** Called with each text or binary message: a view of the read buffer, valid during the call only. */
  onMessage: (payload: Buffer) => void = () => {};
  /** Called once when the connection ends, whoever ended it. */
  onClose: () => void = () => {};
  private pending: Buffer | undefined;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('close', () => this.ended());
    socket.on('error', () => {});
  }

  /**
   * Opens `url` (ws://host:port/path?query) and resolves once the server switched protocols. Await it directly and
   * set the handlers right after: frames that came with the response are handed over just after that (see below).
   */
  static open(url: string, options: RawWebSocketOptions = {}): Promise<RawWebSocket> {
    const target = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    return new Promise((resolve, reject) => {
      /** Until the 101 arrives, reads go to the response's parser; then to the client's frame reader. */
      let onBytes: (bytes: Buffer) => void;
      const socket = connect({
        host: target.hostname,
        port: Number(target.port || 80),
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        onread: {
          buffer: READ_BUFFER,
          callback: (length: number) => {
            onBytes(READ_BUFFER.subarray(0, length));
            return true;
          },
        },
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new Error(`handshake with ${target.host}: no answer within ${options.timeoutMs ?? 30_000} ms`),
        );
      }, options.timeoutMs ?? 30_000);
      let head = Buffer.alloc(0);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const closed = () => fail(new Error(`handshake with ${target.host}: connection closed`));
      socket.once('error', fail);
      socket.once('close', closed);
      socket.once('connect', () => {
        socket.write(
          `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      onBytes = (bytes) => {
        // The shared read buffer is reused by the next read: what is kept is copied.
        head = Buffer.concat([head, bytes]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('error', fail);
        socket.off('close', closed);
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const status = lines[0] ?? '';
        if (!/^HTTP\/1\.1 101 /.test(status)) return fail(new Error(`unexpected server response: ${status}`));
        if (!lines.some((line) => line.toLowerCase() === `sec-websocket-accept: ${accept.toLowerCase()}`))
          return fail(new Error('bad Sec-WebSocket-Accept'));
        clearTimeout(timer);
        const client = new RawWebSocket(socket);
        onBytes = (chunk) => client.read(chunk);
        resolve(client);
        // Frames that came in the same read as the response (a welcome frame, say) are handed over in a microtask
        // queued after this resolve: a caller that awaits `open` directly sets its handlers first. One that awaits it
        // through another promise (`Promise.race`, a wrapper's own `then`) would set them too late and lose them.
        // A later read cannot overtake them: it comes in a later callback, after every microtask of this one.
        const rest = head.subarray(end + 4);
        if (rest.length > 0) queueMicrotask(() => client.read(rest));
      };
    });
  }

  /** Sends a text message (masked, as a client must). */
  send(text: string): void {
    if (this.closed) return;
    this.writeFrame(OP_TEXT, Buffer.from(text));
  }

  /** Closes the TCP connection at once (no closing handshake). */
  terminate(): void {
    this.socket.destroy();
  }

  /** Writes a masked frame; `payload` is left as it is (it may be a view of the shared read buffer). */
  private writeFrame(opcode: number, payload: Buffer): void {
    this.socket.write(wholeFrame(payload, { fin: true, opcode, mask: true, readOnly: true, rsv1: false }));
  }

  /** Reads the frames in `chunk`, a view of the shared read buffer: what must outlive the call is copied. */
  private read(chunk: Buffer): void {
    let data = chunk;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let at = 0;
    while (data.length - at >= 2) {
      const opcode = (data[at] as number) & 0x0f;
      let length = (data[at + 1] as number) & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (data.length - at < HEADER_MAX - 4) break;
        length = Number(data.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      const end = start + length;
      if (end > data.length) break;
      const payload = data.subarray(start, end);
      at = end;
      if (opcode === OP_TEXT || opcode === OP_BINARY) this.onMessage(payload);
      else if (opcode === OP_PING) this.writeFrame(OP_PONG, payload);
      else if (opcode === OP_CLOSE) {
        this.socket.end();
        return;
      }
    }
    // A frame split over reads waits for the rest.
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
