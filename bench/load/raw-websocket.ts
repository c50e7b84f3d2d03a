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
 * its masks come from a pool of random bytes (one `randomFillSync` per 2,048 frames, not one per frame). Measured
 * at 257,000 deliveries a second: the stream's read path was ~18 % of the load process's JavaScript, the masks ~5 %.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';

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
/** Random bytes for masks, 4 per frame, refilled when used up. */
const MASK_POOL = Buffer.allocUnsafe(8 * 1024);
let maskAt = MASK_POOL.length;

/** The next 4 mask bytes, as an offset into {@link MASK_POOL}. */
function nextMask(): number {
  if (maskAt === MASK_POOL.length) {
    randomFillSync(MASK_POOL);
    maskAt = 0;
  }
  const at = maskAt;
  maskAt += 4;
  return at;
}

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

  /** Opens `url` (ws://host:port/path?query) and resolves once the server switched protocols. */
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
        // Frames that came in the same read as the response (a welcome frame, say) come after the caller's handlers
        // are set: the rest of this turn is the caller's.
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

  private writeFrame(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const extra = length < 126 ? 0 : length < 65_536 ? 2 : 8;
    const maskOffset = 2 + extra;
    const frame = Buffer.allocUnsafe(maskOffset + 4 + length);
    frame[0] = 0x80 | opcode;
    if (extra === 0) frame[1] = 0x80 | length;
    else if (extra === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = nextMask();
    MASK_POOL.copy(frame, maskOffset, mask, mask + 4);
    const start = maskOffset + 4;
    for (let i = 0; i < length; i += 1)
      frame[start + i] = (payload[i] as number) ^ (MASK_POOL[mask + (i & 3)] as number);
    this.socket.write(frame);
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
