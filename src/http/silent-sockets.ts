import type { Socket } from 'node:net';

/**
 * Cuts sockets that have not sent a byte `timeoutMs` after they connected (Node's own request timeouts start with
 * a request's first byte: a socket that sends nothing would stay open until the peer goes away).
 *
 * Every socket gets the same time, so connection order is deadline order: the sockets wait in one queue, checked
 * every `checkEveryMs` while it is not empty, instead of a timer each. In a connection storm that is two array
 * slots per connection rather than a timer object and its numbers (~150 bytes each, held for the whole timeout).
 * A socket is cut at most `checkEveryMs` after its deadline; the queue holds it at most that long after it closed.
 */
export class SilentSockets {
  private sockets: Array<Socket | undefined> = [];
  private deadlines: number[] = [];
  /** The oldest socket still waiting: `sockets[head]`. */
  private head = 0;
  private timer?: NodeJS.Timeout;
  private readonly check = () => this.expire();

  constructor(
    private readonly timeoutMs: number,
    private readonly checkEveryMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sockets waiting for their deadline. */
  get waiting(): number {
    return this.sockets.length - this.head;
  }

  /** A socket just connected: it must send something within the timeout. */
  add(socket: Socket): void {
    this.sockets.push(socket);
    this.deadlines.push(this.now() + this.timeoutMs);
    if (!this.timer) {
      this.timer = setInterval(this.check, this.checkEveryMs);
      // Never what keeps the process alive.
      this.timer.unref();
    }
  }

  /** Stops checking and forgets every socket (the server is closing). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sockets = [];
    this.deadlines = [];
    this.head = 0;
  }

  private expire(): void {
    const now = this.now();
    while (this.head < this.sockets.length && (this.deadlines[this.head] as number) <= now) {
      const socket = this.sockets[this.head];
      this.sockets[this.head] = undefined;
      this.head += 1;
      if (socket && socket.bytesRead === 0 && !socket.destroyed) socket.destroy();
    }
    if (this.head === this.sockets.length) {
      this.stop();
    } else if (this.head >= 1024 && this.head * 2 >= this.sockets.length) {
      // Drop the passed half: the queue's arrays stay within twice the sockets waiting.
      this.sockets = this.sockets.slice(this.head);
      this.deadlines = this.deadlines.slice(this.head);
      this.head = 0;
    }
  }
}
