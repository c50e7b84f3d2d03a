import { ParleyError } from './errors.js';
import type { ErrorFrame, ServerFrame } from './protocol.js';
import type { ClientCommand, ClientRequest, ReplyByCommand } from './wire/commands.js';

interface Pending {
  ref: number;
  command: ClientCommand;
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Sent on the current connection. */
  sent: boolean;
  /** A join issued by the client itself to restore a room after reconnecting. */
  rejoinOf?: string;
}

/** What the request table needs from the connection. */
export interface RequestLink {
  /** Sends a command on the open connection; false when there is none. */
  transmit(command: ClientCommand): boolean;
  /** True while the connection is up (welcome received). */
  connected(): boolean;
  /** True once the client was closed for good. */
  stopped(): boolean;
}

/**
 * The commands waiting for their reply, by `ref`. A command is sent at once when connected, else when the next
 * connection comes up, and re-sent after a reconnect if it was not answered (sends carry their `cid`, so a re-sent
 * message is stored once); each fails with `timeout` after `timeoutMs`, across reconnects.
 */
export class RequestTable {
  private readonly pending = new Map<number, Pending>();
  private nextRef = 1;

  constructor(
    private readonly link: RequestLink,
    private readonly timeoutMs: number,
  ) {}

  /** Sends a command; resolves with the frame that answers it, typed by command. */
  request<C extends ClientRequest>(command: C, rejoinOf?: string): Promise<ReplyByCommand[C['type']]> {
    return new Promise<ReplyByCommand[C['type']]>((resolve, reject) => {
      if (this.link.stopped()) {
        reject(new ParleyError('closed', 'client is closed', false));
        return;
      }
      const ref = this.nextRef++;
      const timer = setTimeout(() => {
        this.drop(ref);
        reject(new ParleyError('timeout', `no reply to ${command.type} within ${this.timeoutMs} ms`, true));
      }, this.timeoutMs);
      const pending: Pending = {
        ref,
        command: { ...command, ref } as ClientCommand,
        resolve: resolve as (frame: ServerFrame) => void,
        reject,
        timer,
        sent: false,
        rejoinOf,
      };
      this.pending.set(ref, pending);
      if (this.link.connected()) pending.sent = this.link.transmit(pending.command);
    });
  }

  /** True when a join of the room is waiting for its reply. */
  joining(room: string): boolean {
    for (const pending of this.pending.values()) {
      if (pending.command.type === 'join' && pending.command.room === room) return true;
    }
    return false;
  }

  /** Answers the command a frame replies to; false when no command of this client has its `ref`. */
  settle(ref: number, frame: ServerFrame): boolean {
    const pending = this.pending.get(ref);
    if (!pending) return false;
    this.drop(ref);
    pending.resolve(frame);
    return true;
  }

  /** Fails the command an error frame answers; false when it answers none of this client's. */
  refuse(frame: ErrorFrame): boolean {
    const pending = frame.ref !== undefined ? this.pending.get(frame.ref) : undefined;
    if (!pending) return false;
    this.drop(pending.ref);
    pending.reject(new ParleyError(frame.code, frame.message, frame.temporary));
    return true;
  }

  /** The connection went away: nothing is sent any more; rejoins are dropped (re-issued from the room list). */
  connectionLost(): void {
    for (const pending of [...this.pending.values()]) {
      pending.sent = false;
      if (pending.rejoinOf !== undefined) this.drop(pending.ref);
    }
  }

  /** A new connection is up: sends what was not sent on it yet, in order. */
  resend(): void {
    for (const pending of this.pending.values()) {
      if (!pending.sent) pending.sent = this.link.transmit(pending.command);
    }
  }

  /** Fails every waiting command (the client was closed). */
  failAll(error: Error): void {
    for (const pending of [...this.pending.values()]) {
      this.drop(pending.ref);
      pending.reject(error);
    }
  }

  private drop(ref: number): void {
    const pending = this.pending.get(ref);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(ref);
  }
}
