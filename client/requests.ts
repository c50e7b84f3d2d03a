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
  /** Sent on some connection: the server may have carried it out even if its answer never came. */
  transmitted: boolean;
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
 * Commands that do something else when carried out twice: a second `create_room` makes a second room (or answers
 * `room_exists` for the room the first one made), a second `create_webhook` or `create_invite_link` a second
 * webhook or link; a second `kick`, `unban`, `uninvite`, `leave_room`, `accept`, `decline`, `delete_webhook` or
 * `revoke_invite_link` is refused because the first one took effect. One of these sent on a connection that dropped
 * before its answer is not sent again: it fails with `interrupted` (the caller checks what happened, e.g. in the room
 * list). Every other command is harmless to repeat (`send` carries its `cid`; reads; setting a state that is then
 * already set; a second `join_link` finds the user a member, and counts no use).
 */
const NOT_REPEATABLE: ReadonlySet<ClientCommand['type']> = new Set([
  'create_room',
  'create_webhook',
  'delete_webhook',
  'create_invite_link',
  'revoke_invite_link',
  'kick',
  'unban',
  'uninvite',
  'leave_room',
  'accept',
  'decline',
]);

/**
 * The commands waiting for their reply, by `ref`. A command is sent at once when connected, else when the next
 * connection comes up, and re-sent after a reconnect if it was not answered (sends carry their `cid`, so a re-sent
 * message is stored once), unless repeating it could do something else ({@link NOT_REPEATABLE}); each fails with
 * `timeout` after `timeoutMs`, across reconnects.
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
        transmitted: false,
        rejoinOf,
      };
      this.pending.set(ref, pending);
      if (this.link.connected()) this.transmit(pending);
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

  /**
   * The connection went away: nothing is sent any more; rejoins are dropped (re-issued from the room list), and
   * commands that must not run twice and may have run fail with `interrupted`.
   */
  connectionLost(): void {
    for (const pending of [...this.pending.values()]) {
      pending.sent = false;
      if (pending.rejoinOf !== undefined) this.drop(pending.ref);
      else if (pending.transmitted && NOT_REPEATABLE.has(pending.command.type)) {
        this.drop(pending.ref);
        const what = pending.command.type;
        pending.reject(
          new ParleyError(
            'interrupted',
            `the connection dropped before the answer to ${what}: it may or may not have been carried out`,
            false,
          ),
        );
      }
    }
  }

  /** A new connection is up: sends what was not sent on it yet, in order. */
  resend(): void {
    for (const pending of this.pending.values()) if (!pending.sent) this.transmit(pending);
  }

  private transmit(pending: Pending): void {
    pending.sent = this.link.transmit(pending.command);
    if (pending.sent) pending.transmitted = true;
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
