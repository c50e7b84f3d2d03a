import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { BufferedConnection, FrameWriter } from './frame-writer.js';
import type { LiveConnection } from './live-connections.js';
import type { Transport } from './transport.js';

/**
 * A connection as the hub sees it. A class rather than an object of closures: tens of thousands of these live at
 * once, and methods on the prototype cost nothing per connection. It exists before the upgrade completes (the
 * 101 response is corked with the welcome frame); `ws` is set once it has.
 */
export class SocketTransport<S = unknown> implements Transport, BufferedConnection, LiveConnection<S> {
  /** Frames the frame writer holds until the end of this event-loop turn, and their bytes. */
  pending: Buffer | Buffer[] | null = null;
  pendingBytes = 0;
  /** The socket is corked by the frame writer in this event-loop turn. */
  corked = false;
  ws!: WebSocket;
  /** The endpoint's record of the open connection (see LiveConnections), set once it is accepted. */
  session!: S;
  ip = '';
  user = '';
  readAtPing = -1;

  constructor(
    readonly socket: Duplex,
    private readonly writer: FrameWriter,
  ) {}

  send(frame: Buffer): void {
    this.writer.write(this, frame);
  }

  /**
   * Every data frame goes through the FrameWriter to this socket: what the session must watch is the socket's own
   * buffer and what the writer holds for the end of the turn (ws's getter adds a sender queue that the frame writer
   * never uses, at a cost per delivery).
   */
  get bufferedAmount(): number {
    return this.socket.writableLength + this.pendingBytes;
  }

  /** Data may still be sent: the WebSocket is open (before the upgrade completes, nothing else could have closed it). */
  get open(): boolean {
    return this.ws === undefined || this.ws.readyState === this.ws.OPEN;
  }

  get remoteAddress(): string | undefined {
    return (this.socket as Socket).remoteAddress;
  }

  /** A heartbeat ping, through the frame writer; none once the WebSocket is closing (no frame follows a close). */
  ping(): void {
    if (this.ws.readyState === this.ws.OPEN) this.writer.ping(this);
  }

  onDrain(listener: () => void): void {
    this.socket.on('drain', listener);
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /** Closes with the frames held for this turn sent first: no data frame may follow the close frame. */
  close(code: number, reason: string): void {
    this.writer.flush(this);
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
