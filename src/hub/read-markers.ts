import type { ReadFrame } from '../../client/wire/frames.js';
import { markerKey, type RoomLog } from '../log/room-log.js';
import type { MovedMarker, ReadMarkerRecord, RoomDirectory } from '../rooms/room-directory.js';
import type { TimerHandle, Timers } from '../util/clock.js';
import type { FailureReporter } from './failures.js';

/** How long the last batch stored is held at most, or five batch periods if longer (see ReadMarkers.unstored). */
const STORED_KEEP_MS = 1000;

/** What {@link ReadMarkers} needs. */
export interface ReadMarkersDeps {
  directory: RoomDirectory;
  log: RoomLog;
  timers: Timers;
  /** How long a marker waits for its batch (the most a read's notice to other devices is delayed by batching). */
  flushMs: number;
  /** Most markers in one batch (more start another at once). */
  batchMax: number;
  /** Tells the user's connections (every instance) that their marker moved. */
  notify(userId: string, notice: ReadFrame): Promise<void>;
  /** Tells a direct room's people how far one of them has read. */
  seen(room: string, userId: string, offset: number): Promise<void>;
  report: FailureReporter;
}

/**
 * Read markers, batched: a client marks a room read as messages are seen (and sending marks it too), at any pace;
 * only the newest offset per user and room waits here, and every `flushMs` one statement stores the batch and one
 * counts the moved markers' unread messages and mentions. Then each user's connections hear of it (one notice per
 * marker that moved). So the database sees two statements per batch whatever the number of reads, and Redis one
 * publication per marker that moved. A read only moves a marker forward; a batch lost to an outage is reported, and
 * the next read of that room carries it again. Marking a room unread ({@link unmark}) moves it back, at once.
 */
export class ReadMarkers {
  private pending = new Map<string, ReadMarkerRecord>();
  /** The batch being stored: not in the database yet, or not yet told to the user's connections. */
  private storing?: Map<string, ReadMarkerRecord>;
  /**
   * The last batch stored (at most `batchMax` markers), kept until the next one is, and at most a second or five
   * batch periods (see {@link unstored}); a marker of it gives way to a lower one told from any instance
   * ({@link heard}).
   */
  private stored?: Map<string, ReadMarkerRecord>;
  private timer?: TimerHandle;
  /** Forgets the last batch stored once no room list read before it committed can still be answering. */
  private storedTimer?: TimerHandle;
  private flushing?: Promise<void>;
  /** Counters for metrics and the benchmark: reads received, batches and markers stored, notices sent. */
  readonly counts = { reads: 0, batches: 0, moved: 0 };

  constructor(private readonly deps: ReadMarkersDeps) {}

  /** `userId` has read `room` up to `offset`. */
  mark(userId: string, room: string, offset: number): void {
    this.counts.reads += 1;
    const key = markerKey(room, userId);
    const known = this.pending.get(key);
    if (known && known.offset >= offset) return;
    this.pending.set(key, { room, userId, offset });
    if (this.pending.size >= this.deps.batchMax) this.start();
    else this.timer ??= this.deps.timers.setTimeout(() => this.start(), this.deps.flushMs);
  }

  /**
   * The newest marker of `userId` in `room` that this instance holds and may not have been read with the stored
   * ones: waiting for its batch, in the batch being stored, or in the last batch stored. A room list takes it over
   * the marker it read: a list read just before a batch commits would otherwise reach the client after that batch's
   * `read` notice, and undo it there.
   */
  unstored(userId: string, room: string): number | undefined {
    const key = markerKey(room, userId);
    let newest: number | undefined;
    for (const markers of [this.pending, this.storing, this.stored]) {
      const offset = markers?.get(key)?.offset;
      if (offset !== undefined && (newest === undefined || offset > newest)) newest = offset;
    }
    return newest;
  }

  /** Stores what is pending now (and waits for it): for shutdown and tests. */
  async flush(): Promise<void> {
    while (this.flushing || this.pending.size > 0) {
      if (this.flushing) await this.flushing;
      else this.start();
    }
  }

  /**
   * `userId` marks `room` unread from the message after `offset` on: the stored marker moves back to `offset` at
   * once (never forward), and the user's connections hear of it with the room's counts. What this instance holds of
   * the marker beyond `offset` gives way first (a batch being stored is waited for), or the next batch would move it
   * forward again. Resolves with whether it moved.
   */
  async unmark(userId: string, room: string, offset: number): Promise<boolean> {
    // Not counted in `reads` (read commands and sends, parley_read_marks_total): marking unread is no read.
    const key = markerKey(room, userId);
    while (this.flushing && this.storing?.has(key)) await this.flushing;
    let dropped = false;
    for (const markers of [this.pending, this.stored]) {
      const held = markers?.get(key);
      if (held && held.offset > offset) dropped = markers?.delete(key) ?? false;
    }
    const moved = await this.deps.directory.markUnread({ room, userId, offset });
    if (!moved) {
      // A read past `offset` was still waiting here, the stored marker before it: read up to `offset` is meant.
      if (dropped) this.mark(userId, room, offset);
      return false;
    }
    await this.tell([moved], false);
    return true;
  }

  /**
   * A user's marker was told (a `read` notice, from any instance): a marker of the last batch this instance stored
   * that is past it gives way. It is stored already (the directory holds it, or a later one), so nothing is lost;
   * when the notice is of an unmark made elsewhere, a room list answered here no longer shows the room read.
   */
  heard(userId: string, room: string, offset: number): void {
    const key = markerKey(room, userId);
    const held = this.stored?.get(key);
    if (held && held.offset > offset) this.stored?.delete(key);
  }

  /** Stops the timers (the node is closing); pending markers are flushed by {@link flush}. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.storedTimer?.cancel();
    this.storedTimer = undefined;
  }

  private start(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.flushing || this.pending.size === 0) return;
    const storing = this.pending;
    const batch = [...storing.values()];
    this.storing = storing;
    this.pending = new Map();
    this.flushing = this.store(batch)
      .catch((error: unknown) => this.deps.report('store read markers', error, { markers: batch.length }))
      .finally(() => {
        this.flushing = undefined;
        this.stored = storing;
        this.storing = undefined;
        // A room list takes a few round trips to answer: a marker kept longer would outlive a later unmark made on
        // another instance, and show the room read there.
        this.storedTimer?.cancel();
        this.storedTimer = this.deps.timers.setTimeout(
          () => {
            if (this.stored === storing) this.stored = undefined;
          },
          Math.max(STORED_KEEP_MS, 5 * this.deps.flushMs),
        );
        if (this.pending.size > 0)
          this.timer ??= this.deps.timers.setTimeout(() => this.start(), this.deps.flushMs);
      });
  }

  private async store(batch: ReadMarkerRecord[]): Promise<void> {
    const moved = await this.deps.directory.markRead(batch);
    this.counts.batches += 1;
    this.counts.moved += moved.length;
    if (moved.length === 0) return;
    await this.tell(moved, true);
  }

  /**
   * Tells the users of moved markers (their connections, with the room's counts) and, for reads (`seen`), direct
   * rooms' other people: how far someone has read does not go back when they mark a message unread for themselves.
   */
  private async tell(moved: MovedMarker[], seen: boolean): Promise<void> {
    const { directory, log } = this.deps;
    // Direct rooms: the others see how far each read, unless they turned read receipts off.
    const direct = seen ? moved.filter((m) => m.direct) : [];
    if (direct.length > 0) {
      const off = await directory.receiptsOff([...new Set(direct.map((m) => m.userId))]);
      await Promise.all(
        direct.filter((m) => !off.has(m.userId)).map((m) => this.deps.seen(m.room, m.userId, m.offset)),
      );
    }
    const counts = await log.unread(moved.map((m) => ({ user: m.userId, room: m.room, after: m.offset })));
    await Promise.all(
      moved.map((m) => {
        const { unread, mentions } = counts.get(markerKey(m.room, m.userId)) ?? { unread: 0, mentions: 0 };
        return this.deps.notify(m.userId, { type: 'read', room: m.room, offset: m.offset, unread, mentions });
      }),
    );
  }
}
