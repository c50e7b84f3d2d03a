import type { Identity, RoomRules } from '../auth/identity.js';
import type { StreamPosition, UserInfo } from '../engine/types.js';
import { CloseCodes } from '../protocol/close-codes.js';
import { encodeFrame } from '../protocol/codec.js';
import type { ServerFrame } from '../protocol/messages.js';
import type { Transport } from '../transport/transport.js';
import type { Clock, TimerHandle, Timers } from '../util/clock.js';
import { SmallSet } from '../util/small-set.js';
import type { TokenBucket } from '../util/token-bucket.js';
import type { UploadInProgress } from './uploads.js';

/** Limits of one session's outgoing queue. */
export interface SessionLimits {
  /** Queued bytes beyond which the session is closed as a slow consumer. */
  sendQueueMaxBytes: number;
  /** Bytes the socket may hold before further frames wait in the session queue. */
  writeHighWaterBytes: number;
  /** Time a closing peer gets to acknowledge before the connection is cut. */
  closeTimeoutMs: number;
}

/** Time for a session: its credentials' expiry and its close timeout. */
export interface SessionTime {
  clock: Clock;
  timers: Timers;
}

/**
 * What every session of a hub shares: one object for all of them, not three fields in each of tens of thousands.
 */
export interface SessionEnv {
  limits: SessionLimits;
  time: SessionTime;
  /** Called once when a session overflows its queue (after it was closed). */
  onSlowConsumer?: (session: Session) => void;
}

/** The session's yes/no state, as bits of one field (a field per flag is 8 bytes each on every connection). */
const COMPACT = 1;
const ADMIN = 2;
const CLOSING = 4;
const DRAIN_HOOKED = 8;

/** A frame held back while a join is in progress, with the position of the message it carries (if any). */
interface HeldFrame {
  frame: Buffer;
  position?: StreamPosition;
}

/**
 * One connection's server-side state: identity, joined rooms and the bounded outgoing queue.
 *
 * Frames go straight to the socket while its buffer is below the high-water mark; beyond it they wait in the
 * session queue, and when the queue passes `sendQueueMaxBytes` the session is closed with `slow_consumer`
 * instead of growing memory. Frames are shared buffers: one broadcast is encoded once for every member.
 */
export class Session {
  /** Rooms joined (or being joined): usually one, held without a hash table. */
  readonly rooms = new SmallSet<string>();
  private flags = 0;
  /**
   * Rooms whose activity this connection follows without having joined them: its room list, once it asked for
   * it (`rooms`), with the user's own channel. Undefined until then: such a connection gets no room list frames.
   */
  listed?: Set<string>;
  /** The close code the server closed this session with; undefined when the peer closed first. */
  closedWith?: number;
  /** When each room last relayed a typing signal from this session; created on first use (most never type). */
  private typingAt?: Map<string, number>;
  /** Rooms the credentials allow (undefined: all). */
  roomRules?: RoomRules;
  /** When the credentials expire (ms since the Unix epoch). */
  expiresAt?: number;
  /** When the connection opened (ms since the Unix epoch). */
  connectedAt = 0;
  /**
   * Where it came from, shown to operators: the client's address and user agent (when known). `address` is set when
   * admission read it (a limit or a trusted proxy needed it); otherwise see {@link peerAddress}.
   */
  address?: string;
  agent?: string;
  /** Since when the session has been in no room (for the idle timeout); undefined while in a room. */
  idleSince?: number;
  private expiryTimer?: TimerHandle;
  /** Frames waiting for the socket to drain; `queue[queueHead]` is the oldest. Made when the first one waits. */
  private queue?: Buffer[];
  private queueHead = 0;
  private queuedBytes = 0;
  /** Live frames of rooms whose join is in progress; exists only while one is. */
  private held?: Map<string, HeldFrame[]>;
  /**
   * Per room, the position a join reply covered. A message at or below it may still arrive live after the reply:
   * in Redis, pub/sub messages and command replies travel on different connections, so a message published
   * just before the join's history read can reach this node after the read's reply. It is dropped here.
   * One room's floor is held in fields (most connections are in one room, and a floor stays until a message passes
   * it: an idle connection keeps it), more in a map made for them.
   */
  private floorRoom?: string;
  /** The first room's floor as two fields, not a position object an idle connection would keep. */
  private floorEpoch = '';
  private floorOffset = 0;
  private moreFloors?: Map<string, StreamPosition>;
  /**
   * The command runner's state for this connection (see CommandRunner.open): the chain its commands run in (none
   * while nothing waits), how many are in it, and its command rate (none without a limit).
   */
  commandChain?: Promise<void>;
  commandsInFlight = 0;
  commandRate?: TokenBucket;
  /**
   * What the connection's commands cost so far, in bytes: every reply's, and reads made for it alone that cost far
   * more than they answer ({@link chargeRead}). The runner charges each command's share to the user's budget.
   */
  chargedBytes = 0;
  /** Its upload while the file's bytes come (see Uploads): binary frames are its pieces. */
  upload?: UploadInProgress;
  /** Its rate of searches (made at its first search; none without a limit): a search costs the database more. */
  searchRate?: TokenBucket;
  /** Its rate of status changes (made at its first `set_status`): each is told to every room of the user. */
  statusRate?: TokenBucket;
  /** Its rate of link previews (made at its first `link_preview`): each may fetch a page from another site. */
  linkPreviewRate?: TokenBucket;
  /** Its rate of room lists (made at its first `rooms`; none without a limit): the whole list costs the same. */
  roomListRate?: TokenBucket;
  /** The key the connection index filed this session under, while it is filed (see ConnectionIndex). */
  indexKey?: string;

  constructor(
    readonly id: string,
    readonly user: UserInfo,
    private readonly transport: Transport,
    private readonly env: SessionEnv,
  ) {}

  /** Live `message` frames go to this connection in the compact array form. */
  get compact(): boolean {
    return this.has(COMPACT);
  }

  set compact(on: boolean) {
    this.flag(COMPACT, on);
  }

  /** Server-wide admin (a token claim): may moderate any room. */
  get admin(): boolean {
    return this.has(ADMIN);
  }

  set admin(on: boolean) {
    this.flag(ADMIN, on);
  }

  private get closing(): boolean {
    return this.has(CLOSING);
  }

  private has(bit: number): boolean {
    return (this.flags & bit) !== 0;
  }

  private flag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }

  /** The client's address: as admission read it, or else the socket's, read now (operators' listings only). */
  get peerAddress(): string | undefined {
    return this.address ?? this.transport.remoteAddress;
  }

  /** True once the session started closing; nothing more is written. */
  get closed(): boolean {
    return this.closing;
  }

  /** Bytes waiting in the session queue (not counting the socket's own buffer). */
  get queued(): number {
    return this.queuedBytes;
  }

  /** Sends a reply or other frame meant for this session only. */
  reply(frame: ServerFrame): void {
    this.replyEncoded(encodeFrame(frame));
  }

  /**
   * Counts a read made for this connection's command as bytes answered (e.g. a presence page that read its room's
   * every user): the budget then bounds what the command cost, not only what it answered.
   */
  chargeRead(bytes: number): void {
    this.chargedBytes += bytes;
  }

  /** Sends a reply encoded already (see encodeJoined). */
  replyEncoded(bytes: Buffer): void {
    this.chargedBytes += bytes.length;
    this.write(bytes);
  }

  /**
   * Delivers a broadcast frame of a room. While the room's join is in progress the frame is held, so that the
   * join reply reaches the client before any live event of the room.
   */
  deliver(room: string, frame: Buffer, position?: StreamPosition): void {
    // Holds exist only while a join is in progress: skip the lookup otherwise (this runs per delivery).
    const held = this.held?.get(room);
    if (held) {
      held.push({ frame, position });
      this.account(frame.length);
      return;
    }
    if (position && this.floorRoom !== undefined && this.belowFloor(room, position)) return;
    this.write(frame);
  }

  /** True when the message was covered by the join reply; forgets the floor once a message passes it. */
  private belowFloor(room: string, position: StreamPosition): boolean {
    if (room === this.floorRoom) {
      if (this.floorEpoch === position.epoch && position.offset <= this.floorOffset) return true;
    } else {
      const floor = this.moreFloors?.get(room);
      if (!floor) return false;
      if (floor.epoch === position.epoch && position.offset <= floor.offset) return true;
    }
    this.forgetFloor(room);
    return false;
  }

  private setFloor(room: string, position: StreamPosition): void {
    if (this.floorRoom === undefined || this.floorRoom === room) {
      this.floorRoom = room;
      this.floorEpoch = position.epoch;
      this.floorOffset = position.offset;
      return;
    }
    this.moreFloors ??= new Map();
    this.moreFloors.set(room, position);
  }

  private forgetFloor(room: string): void {
    if (room === this.floorRoom) {
      // The map's first floor, if any, moves into the fields: `floorRoom` is what deliver() checks first.
      const next = this.moreFloors?.entries().next();
      if (next && !next.done) {
        const [nextRoom, position] = next.value;
        this.moreFloors?.delete(nextRoom);
        this.floorRoom = nextRoom;
        this.floorEpoch = position.epoch;
        this.floorOffset = position.offset;
      } else {
        this.floorRoom = undefined;
      }
    } else this.moreFloors?.delete(room);
    if (this.moreFloors?.size === 0) this.moreFloors = undefined;
  }

  /** Starts holding the room's live frames until {@link release}. */
  hold(room: string): void {
    this.held ??= new Map();
    this.held.set(room, []);
  }

  /**
   * Stops holding the room's frames and sends the held ones, skipping messages at or below `skipThrough`
   * (already covered by the join reply). Without `send`, the held frames are dropped (failed join).
   */
  release(room: string, options: { send: boolean; skipThrough?: StreamPosition }): void {
    if (!this.held) return;
    const held = this.held.get(room);
    if (!held) return;
    this.held.delete(room);
    if (this.held.size === 0) this.held = undefined;
    for (const { frame } of held) this.queuedBytes -= frame.length;
    if (!options.send) return;
    const skip = options.skipThrough;
    if (skip) this.setFloor(room, skip);
    for (const { frame, position } of held) {
      if (position && this.belowFloor(room, position)) continue;
      this.write(frame);
    }
  }

  /**
   * Takes the credentials' expiry and room rules; the session closes with `token_expired` at expiry unless new
   * credentials come first.
   */
  applyIdentity(identity: Identity): void {
    const { clock, timers } = this.env.time;
    this.roomRules = identity.rooms;
    this.admin = identity.admin === true;
    this.expiresAt = identity.expiresAt;
    this.expiryTimer?.cancel();
    if (identity.expiresAt === undefined || this.closing) return;
    // setTimeout holds at most ~24.8 days; a longer-lived token is checked again then.
    const delay = Math.min(Math.max(0, identity.expiresAt - clock.now()), 2_000_000_000);
    this.expiryTimer = timers.setTimeout(() => {
      if (this.expiresAt !== undefined && this.expiresAt <= clock.now())
        this.close(CloseCodes.token_expired, 'token expired');
      else if (this.expiresAt !== undefined) this.applyIdentity({ ...identity, expiresAt: this.expiresAt });
    }, delay);
  }

  /**
   * Records a typing signal in the room unless one was relayed less than `intervalMs` ago.
   * @returns true when the signal should be relayed
   */
  takeTyping(room: string, now: number, intervalMs: number): boolean {
    const last = this.typingAt?.get(room);
    if (last !== undefined && now - last < intervalMs) return false;
    this.typingAt ??= new Map();
    this.typingAt.set(room, now);
    return true;
  }

  /** The user's typing in the room ended (they sent a message): the next signal is relayed whenever it comes. */
  typingEnded(room: string): void {
    this.typingAt?.delete(room);
  }

  /** Forgets per-room delivery state (the session left the room). */
  forgetRoom(room: string): void {
    this.forgetFloor(room);
    this.typingAt?.delete(room);
  }

  /** Closes the session with a close code; it writes nothing more. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.flag(CLOSING, true);
    this.closedWith = code;
    this.dropQueued();
    this.transport.close(code, reason);
    const { closeTimeoutMs } = this.env.limits;
    if (closeTimeoutMs > 0) {
      this.env.time.timers.setTimeout(() => this.transport.terminate(), closeTimeoutMs);
    } else {
      this.transport.terminate();
    }
  }

  /** Marks the session closed after the peer went away (nothing to send any more). */
  markClosed(): void {
    this.flag(CLOSING, true);
    this.dropQueued();
  }

  private dropQueued(): void {
    this.expiryTimer?.cancel();
    this.queue = undefined;
    this.queueHead = 0;
    this.queuedBytes = 0;
    this.held = undefined;
    this.floorRoom = undefined;
    this.moreFloors = undefined;
  }

  /** Stops reading the peer's commands (too many in flight). */
  pauseReading(): void {
    this.transport.pause();
  }

  resumeReading(): void {
    this.transport.resume();
  }

  private write(frame: Buffer): void {
    if (this.closing) return;
    if (this.queue === undefined && this.transport.bufferedAmount < this.env.limits.writeHighWaterBytes) {
      this.transport.send(frame);
      return;
    }
    // The drain listener goes in with the first queued frame: most connections never queue, and a closure per
    // connection is memory for nothing.
    if (!this.has(DRAIN_HOOKED)) {
      this.flag(DRAIN_HOOKED, true);
      this.transport.onDrain(() => this.flush());
    }
    this.queue ??= [];
    this.queue.push(frame);
    this.account(frame.length);
  }

  private account(bytes: number): void {
    this.queuedBytes += bytes;
    if (this.queuedBytes > this.env.limits.sendQueueMaxBytes && !this.closing) {
      this.close(CloseCodes.slow_consumer, 'slow consumer');
      this.env.onSlowConsumer?.(this);
    }
  }

  private flush(): void {
    const queue = this.queue;
    if (!queue) return;
    while (this.queueHead < queue.length && !this.closing) {
      if (this.transport.bufferedAmount >= this.env.limits.writeHighWaterBytes) return;
      const frame = queue[this.queueHead] as Buffer;
      this.queueHead += 1;
      this.queuedBytes -= frame.length;
      this.transport.send(frame);
    }
    if (this.queueHead === queue.length) {
      this.queue = undefined;
      this.queueHead = 0;
    }
  }
}
