import type { ChatMessage, HistoryFrame, JoinedFrame, StreamPosition } from './protocol.js';

/** Why a room's stream was reset: the messages between what the client had and what comes next are gone. */
export type ResetReason = 'epoch_changed' | 'not_recovered' | 'history_trimmed';

/** What a {@link RoomStream} needs from its client. */
export interface RoomStreamHost {
  /** Hands a message to the application (called in offset order, each offset once). */
  deliver(message: ChatMessage): void;
  /** Reads history after an offset (oldest first). */
  fetchAfter(room: string, after: number, limit: number): Promise<HistoryFrame>;
  /** Largest history page the server allows. */
  pageLimit(): number;
  /** A gap was detected (and is being filled). */
  gap(room: string, from: number, to: number): void;
  /** The stream continues from `position` without the messages in between: reload recent history. */
  reset(room: string, position: StreamPosition, reason: ResetReason): void;
}

/**
 * One room's ordered message stream on the client. Messages reach the application exactly once and in offset
 * order: duplicates are dropped; a message after a gap waits while the gap is filled from history; when the gap
 * cannot be filled (history trimmed, or lost with a new epoch) the stream is reset and the application is told,
 * never silently shown a gap.
 */
export class RoomStream {
  /** Last position handed to the application. */
  position?: StreamPosition;
  private readonly waiting = new Map<number, ChatMessage>();
  /** Highest offset known to exist in this epoch (from a position hint). */
  private target = 0;
  private filling = false;

  constructor(
    private readonly room: string,
    private readonly host: RoomStreamHost,
  ) {}

  /** The position to resume from after a reconnect. */
  get resumeFrom(): StreamPosition | undefined {
    return this.position;
  }

  /** Applies a join reply: a fresh start, a recovery, or a reset. */
  joined(frame: JoinedFrame): void {
    // Whatever waited came before this reply (the room state holds live messages read after it until it is
    // applied): it is either in the recovery or below the reply's position.
    this.waiting.clear();
    this.target = 0;
    if (frame.recovered === true) {
      for (const message of frame.messages ?? []) this.accept(message);
      const current = this.position;
      if (!current || current.offset < frame.position.offset || this.knowsNothingOf(frame.position.epoch)) {
        this.position = frame.position;
      }
      return;
    }
    const previous = this.position;
    this.position = frame.position;
    if (frame.recovered === false && previous) this.host.reset(this.room, frame.position, 'not_recovered');
  }

  /**
   * True when this client has no message of the room and `epoch` is not the one it holds. A room without messages
   * has no stored epoch (the server names a fresh one each time it is asked), so a client at offset 0 simply takes
   * the epoch of the room's first stream: it had nothing, so nothing of it was lost.
   */
  private knowsNothingOf(epoch: string): boolean {
    return this.position !== undefined && this.position.offset === 0 && this.position.epoch !== epoch;
  }

  /** Takes the room's current position from the server: fetches what this client lacks up to it. */
  caughtUp(position: StreamPosition): void {
    if (this.knowsNothingOf(position.epoch)) this.position = { offset: 0, epoch: position.epoch };
    const current = this.position;
    if (!current) return;
    if (position.epoch !== current.epoch) {
      this.waiting.clear();
      this.target = 0;
      this.position = position;
      this.host.reset(this.room, position, 'epoch_changed');
      return;
    }
    if (position.offset <= current.offset) return;
    this.target = Math.max(this.target, position.offset);
    void this.fill();
  }

  /** Takes a live message. */
  live(message: ChatMessage): void {
    if (this.knowsNothingOf(message.epoch)) this.position = { offset: 0, epoch: message.epoch };
    const position = this.position;
    if (position && message.epoch !== position.epoch) {
      // History was lost (e.g. Redis restarted empty): a new stream begins.
      this.waiting.clear();
      this.target = 0;
      this.position = { epoch: message.epoch, offset: message.offset - 1 };
      this.host.reset(this.room, this.position, 'epoch_changed');
    }
    this.accept(message);
  }

  private accept(message: ChatMessage): void {
    const position = this.position;
    if (!position) {
      this.position = { offset: message.offset, epoch: message.epoch };
      this.host.deliver(message);
      return;
    }
    if (message.epoch !== position.epoch || message.offset <= position.offset) return;
    if (message.offset > position.offset + 1) {
      this.waiting.set(message.offset, message);
      void this.fill();
      return;
    }
    this.position = { offset: message.offset, epoch: message.epoch };
    this.host.deliver(message);
    this.drainWaiting();
  }

  private drainWaiting(): void {
    for (;;) {
      const position = this.position;
      const next = position && this.waiting.get(position.offset + 1);
      if (!position || !next) return;
      this.waiting.delete(next.offset);
      this.position = { offset: next.offset, epoch: next.epoch };
      this.host.deliver(next);
    }
  }

  /** Fetches the missing range(s) before the waiting messages. */
  private async fill(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      for (;;) {
        if (!this.position) return;
        const from = this.position.offset;
        const to = this.waiting.size > 0 ? Math.min(...this.waiting.keys()) - 1 : this.target;
        if (to <= from) {
          if (this.waiting.size === 0) return;
          this.drainWaiting();
          if (this.position.offset === from) return;
          continue;
        }
        this.host.gap(this.room, from + 1, to);
        const page = await this.host.fetchAfter(this.room, from, Math.min(to - from, this.host.pageLimit()));
        if (!this.position || this.position.offset !== from) continue; // moved on meanwhile (e.g. rejoined)
        const first = page.messages[0];
        if (page.position.epoch !== this.position.epoch || !first || first.offset !== from + 1) {
          // The gap is gone from history: go on after it, and say so.
          this.position = { epoch: this.position.epoch, offset: to };
          this.host.reset(this.room, this.position, 'history_trimmed');
          this.drainWaiting();
          continue;
        }
        for (const message of page.messages) this.accept(message);
      }
    } catch {
      // Disconnected or timed out: the rejoin after reconnecting resumes from the position and recovers the rest.
    } finally {
      this.filling = false;
    }
  }
}
