import type { RoomEvent, StreamPosition } from '../engine/types.js';
import type { HistoryPage, HistoryQuery } from '../log/room-log.js';
import type { TimerHandle, Timers } from '../util/clock.js';
import type { FailureReporter } from './failures.js';

type MessageEvent = Extract<RoomEvent, { kind: 'message' }>;

/** What ordered delivery needs. */
export interface OrderedDeliveryDeps {
  /** Reads the room log (to fill a gap). */
  read(room: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Hands an event, in order, to the room's local members. */
  deliver(event: RoomEvent): void;
  timers: Timers;
  /** How long a message above a gap waits for the missing ones before they are read from the log. */
  holdMs: number;
  /** Most messages one fill reads. */
  fillMax: number;
  report: FailureReporter;
}

/** A room's delivery sequence on this node. */
interface Sequence {
  room: string;
  epoch: string;
  /** The offset delivered next. */
  next: number;
  /** Messages above a gap, by offset, until the gap is filled. */
  held?: Map<number, MessageEvent>;
  timer?: TimerHandle;
  /** The fill in progress, if any: another fill waits for it (a catch-up then reads on from where it ended). */
  filling?: Promise<void>;
}

/**
 * Delivers each room's messages to local members in offset order, each once, whatever order the bus brought them
 * in. With several instances committing to one room, two publications can cross in Redis (offset n+1 arrives
 * before n); a message above a gap is held for `holdMs`, then the gap is read from the log, so members never see
 * n+1 before n. A message at or below what was delivered (published again after a retry) is dropped. Signals
 * (typing, presence) pass straight through. Costs one map lookup per message when nothing is out of order.
 */
export class OrderedDelivery {
  private readonly rooms = new Map<string, Sequence>();

  constructor(private readonly deps: OrderedDeliveryDeps) {}

  accept(event: RoomEvent): void {
    if (event.kind !== 'message') {
      this.deps.deliver(event);
      return;
    }
    const { message } = event;
    const sequence = this.rooms.get(event.room);
    if (!sequence || sequence.epoch !== message.epoch) {
      // The first message seen here, or a new epoch (the log was lost): the sequence starts with it.
      if (sequence) this.stop(sequence);
      this.rooms.set(event.room, { room: event.room, epoch: message.epoch, next: message.offset + 1 });
      this.deps.deliver(event);
      return;
    }
    if (message.offset < sequence.next) return;
    if (message.offset === sequence.next) {
      this.deps.deliver(event);
      sequence.next += 1;
      if (sequence.held) this.drain(sequence);
      return;
    }
    sequence.held ??= new Map();
    sequence.held.set(message.offset, event);
    if (!sequence.timer && !sequence.filling) this.wait(sequence);
  }

  /**
   * A member joined with this position: when the node has no sequence for the room yet, delivery continues from
   * there (a later message above it is a gap to fill, not a new start).
   */
  note(room: string, position: StreamPosition): void {
    if (!this.rooms.has(room)) {
      this.rooms.set(room, { room, epoch: position.epoch, next: position.offset + 1 });
    }
  }

  /**
   * Delivers what the log holds beyond what this node delivered (after a subscription was lost, the bus may have
   * dropped messages: a failover, a reconnect). Resolves once done.
   */
  async catchUp(room: string): Promise<void> {
    const sequence = this.rooms.get(room);
    if (!sequence) return;
    // A gap's fill in progress reads only up to the held messages: the catch-up reads on once it is done.
    while (sequence.filling) await sequence.filling;
    if (this.rooms.get(room) !== sequence) return;
    await this.fill(sequence, true);
  }

  /** The room has no local member any more: its sequence goes. */
  forget(room: string): void {
    const sequence = this.rooms.get(room);
    if (!sequence) return;
    this.stop(sequence);
    this.rooms.delete(room);
  }

  /** Rooms with a sequence (for tests). */
  get roomCount(): number {
    return this.rooms.size;
  }

  /** Gives the missing messages `holdMs` to arrive, then reads them from the log. */
  private wait(sequence: Sequence): void {
    sequence.timer = this.deps.timers.setTimeout(() => {
      void this.fill(sequence);
    }, this.deps.holdMs);
  }

  private stop(sequence: Sequence): void {
    sequence.timer?.cancel();
    sequence.timer = undefined;
    sequence.held = undefined;
  }

  /** Delivers held messages that are now next. */
  private drain(sequence: Sequence): void {
    const held = sequence.held as Map<number, MessageEvent>;
    for (let event = held.get(sequence.next); event; event = held.get(sequence.next)) {
      held.delete(sequence.next);
      this.deps.deliver(event);
      sequence.next += 1;
    }
    if (held.size === 0) {
      sequence.held = undefined;
      sequence.timer?.cancel();
      sequence.timer = undefined;
    }
  }

  /**
   * Reads the gap (or, catching up, everything after `next`) from the log and delivers it, then what was held. A
   * gap the log cannot fill (it failed, or the messages are gone) is skipped: members see the jump in offsets
   * and their clients read history.
   */
  private fill(sequence: Sequence, catchingUp = false): Promise<void> {
    sequence.timer = undefined;
    if (sequence.filling) return sequence.filling;
    const filling = this.readAndDeliver(sequence, catchingUp).finally(() => {
      sequence.filling = undefined;
    });
    sequence.filling = filling;
    return filling;
  }

  private async readAndDeliver(sequence: Sequence, catchingUp: boolean): Promise<void> {
    const { room } = sequence;
    try {
      for (;;) {
        const held = sequence.held ? lowest(sequence.held) : undefined;
        if (!catchingUp && held === undefined) break;
        const limit = Math.min(
          this.deps.fillMax,
          held !== undefined ? held - sequence.next : this.deps.fillMax,
        );
        const page = await this.deps.read(room, { after: sequence.next - 1, limit });
        if (this.rooms.get(room) !== sequence) return;
        let progressed = false;
        for (const message of page.messages) {
          if (message.epoch !== sequence.epoch || message.offset !== sequence.next) continue;
          this.deps.deliver({ kind: 'message', room, message });
          // The bus may have brought it meanwhile (held above the gap): delivered now, it is held no more. A held
          // copy left behind would be delivered again, and would take the sequence back (skipGap).
          sequence.held?.delete(message.offset);
          sequence.next += 1;
          progressed = true;
        }
        if (sequence.held) this.drain(sequence);
        if (!progressed || (catchingUp && !sequence.held && page.messages.length < limit)) break;
      }
    } catch (error) {
      this.deps.report('fill delivery gap', error, { room });
    }
    if (this.rooms.get(room) === sequence && sequence.held) this.skipGap(sequence);
  }

  /** Gives up on a gap: delivers the held messages from the lowest on (never going back below `next`). */
  private skipGap(sequence: Sequence): void {
    const held = sequence.held as Map<number, MessageEvent>;
    for (const offset of held.keys()) if (offset < sequence.next) held.delete(offset);
    if (held.size === 0) {
      sequence.held = undefined;
      return;
    }
    sequence.next = lowest(held);
    this.drain(sequence);
    // Another gap above: wait for it as for the first.
    if (sequence.held && !sequence.timer) this.wait(sequence);
  }
}

/**
 * The lowest held offset. A loop, not `Math.min(...keys)`: a gap that lasts while a busy room keeps publishing
 * holds many messages, and spreading them as arguments would overflow the stack.
 */
function lowest(held: Map<number, MessageEvent>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const offset of held.keys()) if (offset < min) min = offset;
  return min;
}
