/**
 * Writes pre-framed WebSocket frames straight to TCP sockets. See {@link FrameWriter}.
 */
import type { Duplex } from 'node:stream';
import * as wsModule from 'ws';

/** A connection the frame writer writes to: its socket, and whether the writer corked it in this turn. */
export interface CorkableConnection {
  readonly socket: Duplex;
  /** Corked by the frame writer in this event-loop turn (a flag per connection instead of a Set). */
  corked: boolean;
}

/** ws exports its frame encoder (`Sender.frame`) but @types/ws does not declare it. */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/** An unmasked ping with no payload: FIN + ping opcode, length 0. */
const PING_FRAME = Buffer.from([0x89, 0x00]);

/**
 * Writes pre-framed WebSocket text frames straight to the TCP socket: each payload is framed once however many
 * members receive it, and every socket written in an event-loop turn is corked until the end of the turn, so a
 * burst of frames leaves in one system call. All data frames take this path (replies too), so their order is kept,
 * and so do the heartbeat's pings ({@link ping}); ws itself only writes the closing handshake and its answers to the
 * peer's pings, whole frames that cannot interleave.
 *
 * A socket is also flushed as soon as `flushAtBytes` are corked on it: one connection's commands run in a chain of
 * microtasks without an event-loop turn in between, and data held back by the cork must not look like a slow reader
 * to the session's back-pressure (which compares the socket's buffered bytes with its high-water mark).
 *
 * This runs once per delivery (tens of thousands a second), so it keeps its per-socket state in a flag on the
 * connection and a plain array of the corked ones rather than a Set, and remembers the last payload's frame:
 * a fan-out writes the same payload to every member in a row.
 */
export class FrameWriter {
  /** Bytes of data frames written to sockets (framing included). */
  bytesOut = 0;
  private readonly framed = new WeakMap<Buffer, Buffer>();
  private lastPayload?: Buffer;
  private lastWire?: Buffer;
  /** Connections corked in this turn; one flushed early stays listed with its flag cleared. */
  private corked: CorkableConnection[] = [];
  private readonly uncorkAll = () => {
    const corked = this.corked;
    this.corked = [];
    for (const connection of corked) {
      if (!connection.corked) continue;
      connection.corked = false;
      connection.socket.uncork();
    }
  };

  constructor(private readonly flushAtBytes: number) {}

  /** Holds what is written to the connection until the end of this event-loop turn (once per turn). */
  cork(connection: CorkableConnection): void {
    if (connection.corked) return;
    if (this.corked.length === 0) setImmediate(this.uncorkAll);
    connection.corked = true;
    connection.socket.cork();
    this.corked.push(connection);
  }

  write(connection: CorkableConnection, payload: Buffer): void {
    // `writable` is false once the socket is destroyed, ended or errored (one getter per delivery, not two).
    if (!connection.socket.writable) return;
    const wire = payload === this.lastPayload ? (this.lastWire as Buffer) : this.frame(payload);
    this.bytesOut += wire.length;
    this.put(connection, wire);
  }

  /**
   * Writes a ping (two constant bytes), corked like data: it leaves in the same system call as whatever else this
   * turn writes to the socket. Through `ws`'s sender each ping was framed anew and written at once, a system call
   * of its own even when the same turn wrote data to that socket. The caller checks that the WebSocket is open (no
   * frame may follow a close).
   */
  ping(connection: CorkableConnection): void {
    if (connection.socket.writable) this.put(connection, PING_FRAME);
  }

  /** Writes whole frames to a writable socket: corked until the end of the turn, or until `flushAtBytes` wait. */
  private put(connection: CorkableConnection, wire: Buffer): void {
    const socket = connection.socket;
    this.cork(connection);
    socket.write(wire);
    if (socket.writableLength >= this.flushAtBytes) {
      connection.corked = false;
      socket.uncork();
    }
  }

  private frame(payload: Buffer): Buffer {
    let wire = this.framed.get(payload);
    if (!wire) {
      wire = Buffer.concat(
        Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }),
      );
      this.framed.set(payload, wire);
    }
    this.lastPayload = payload;
    this.lastWire = wire;
    return wire;
  }
}
