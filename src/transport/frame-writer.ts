/**
 * Writes pre-framed WebSocket frames straight to TCP sockets. See {@link FrameWriter}.
 */
import type { Duplex } from 'node:stream';
import { wholeFrame } from './ws-frame.js';

/** A connection the frame writer writes to: its socket, and what the writer holds for it until the end of the turn. */
export interface BufferedConnection {
  readonly socket: Duplex;
  /** Whole frames written in this event-loop turn and not yet handed to the socket: none, one, or several. */
  pending: Buffer | Buffer[] | null;
  /** The bytes in `pending`. */
  pendingBytes: number;
  /** The socket itself is corked until the end of the turn ({@link FrameWriter.cork}). */
  corked: boolean;
  /** Whether data frames may still be sent: false once the closing handshake has begun (no frame follows a close). */
  readonly open: boolean;
}

/** An unmasked ping with no payload: FIN + ping opcode, length 0. */
const PING_FRAME = Buffer.from([0x89, 0x00]);

/**
 * Writes pre-framed WebSocket text frames straight to the TCP socket: each payload is framed once however many
 * members receive it, and what a turn writes to a connection is held until the end of the turn, so a burst of
 * frames leaves in one system call. All data frames take this path (replies too), so their order is kept, and so
 * do the heartbeat's pings ({@link ping}); ws itself only writes the closing handshake and its answers to the peer's
 * pings, whole frames that cannot interleave. Before the transport starts a close, it {@link flush}es what is held.
 *
 * The frames wait in a field of the connection rather than in the socket's corked buffer: most connections receive
 * one frame in a turn, and handing that one Buffer to `socket.write` skips what corking costs per frame in Node's
 * stream (`cork`, a buffered entry per write, `uncork` and its buffer walk): ~3 % of the server's CPU per delivery
 * (docs/benchmarks.md). Several frames are corked and written together: one `writev`, one system call.
 *
 * A connection is also flushed as soon as `flushAtBytes` wait for it: one connection's commands run in a chain of
 * microtasks without an event-loop turn in between, and bytes held back must not look like a slow reader to the
 * session's back-pressure (which compares the bytes buffered, these included, with its high-water mark).
 *
 * This runs once per delivery (tens of thousands a second), so it keeps its per-connection state in fields of the
 * connection and a plain array of the waiting ones rather than a Map, and remembers the last payload's frame:
 * a fan-out writes the same payload to every member in a row.
 */
export class FrameWriter {
  /** Bytes of data frames written to sockets (framing included). */
  bytesOut = 0;
  private readonly framed = new WeakMap<Buffer, Buffer>();
  private lastPayload?: Buffer;
  private lastWire?: Buffer;
  /** Connections with frames held or a corked socket in this turn; one flushed early may be listed twice. */
  private waiting: BufferedConnection[] = [];
  private readonly flushAll = () => {
    const waiting = this.waiting;
    this.waiting = [];
    for (const connection of waiting) this.flush(connection);
  };

  constructor(private readonly flushAtBytes: number) {}

  /**
   * Corks the socket itself until the end of this turn, for bytes that other code writes to it directly: the
   * upgrade's 101 response (written by ws) then leaves in one system call with the welcome frame.
   */
  cork(connection: BufferedConnection): void {
    if (connection.corked) return;
    if (connection.pending === null) this.enlist(connection);
    connection.corked = true;
    connection.socket.cork();
  }

  write(connection: BufferedConnection, payload: Buffer): void {
    // `writable` is false once the socket is destroyed, ended or errored (one getter per delivery, not two).
    if (!connection.socket.writable) return;
    const wire = payload === this.lastPayload ? (this.lastWire as Buffer) : this.frame(payload);
    this.bytesOut += wire.length;
    this.hold(connection, wire);
  }

  /**
   * Writes a ping (two constant bytes), held like data: it leaves in the same system call as whatever else this
   * turn writes to the socket. The caller checks that the WebSocket is open (no frame may follow a close).
   */
  ping(connection: BufferedConnection): void {
    if (connection.socket.writable) this.hold(connection, PING_FRAME);
  }

  /**
   * Hands what is held for the connection to its socket now, and uncorks it. Frames held for a connection that is
   * no longer open are dropped: the closing handshake has begun, and no data frame may follow a close frame.
   */
  flush(connection: BufferedConnection): void {
    const pending = connection.pending;
    const socket = connection.socket;
    if (pending !== null) {
      connection.pending = null;
      connection.pendingBytes = 0;
      if (socket.writable && connection.open) {
        if (!Array.isArray(pending)) socket.write(pending);
        else {
          // Several frames: one `writev`, each frame still the Buffer every member shares. Joining them would copy
          // them per connection, and a reader that is behind would hold its own copies (twice the memory, measured
          // with 200 stuck readers of 4 KB frames).
          socket.cork();
          for (const frame of pending) socket.write(frame);
          socket.uncork();
        }
      }
    }
    if (connection.corked) {
      connection.corked = false;
      socket.uncork();
    }
  }

  /** Holds a whole frame until the end of the turn, or until `flushAtBytes` wait. */
  private hold(connection: BufferedConnection, wire: Buffer): void {
    const pending = connection.pending;
    if (pending === null) {
      if (!connection.corked) this.enlist(connection);
      connection.pending = wire;
    } else if (Array.isArray(pending)) {
      pending.push(wire);
    } else {
      connection.pending = [pending, wire];
    }
    connection.pendingBytes += wire.length;
    if (connection.pendingBytes >= this.flushAtBytes) this.flush(connection);
  }

  private enlist(connection: BufferedConnection): void {
    if (this.waiting.length === 0) setImmediate(this.flushAll);
    this.waiting.push(connection);
  }

  private frame(payload: Buffer): Buffer {
    let wire = this.framed.get(payload);
    if (!wire) {
      wire = wholeFrame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false });
      this.framed.set(payload, wire);
    }
    this.lastPayload = payload;
    this.lastWire = wire;
    return wire;
  }
}
