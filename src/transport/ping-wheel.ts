import { systemTimers, type TimerHandle, type Timers } from '../util/clock.js';

/** Ticks per ping interval at most: the wheel never visits more often than every {@link MIN_TICK_MS}. */
const MAX_SLOTS = 100;
/** The shortest time between two ticks. */
const MIN_TICK_MS = 250;

/**
 * Spreads a periodic visit of every connection (liveness pings) over the interval instead of doing them all in one
 * event-loop turn. Connections are dealt round-robin into slots and each tick visits one slot, so each connection
 * is still visited once per interval.
 *
 * Why: pinging 5,000 connections at once held the event loop for 90-250 ms (one write per socket), stalling
 * every delivery behind it, and their 5,000 pongs then arrived in one burst. In slots of a hundredth of the
 * interval, a tick pings 50 of them.
 */
export class PingWheel<T> {
  private readonly slots: Array<Set<T>>;
  private dealt = 0;
  private turn = 0;
  private readonly timer: TimerHandle;

  /**
   * @param intervalMs time in which every item is visited once
   * @param visit called for each item of the slot whose turn it is
   */
  constructor(intervalMs: number, visit: (item: T) => void, timers: Timers = systemTimers) {
    const count = Math.max(1, Math.min(MAX_SLOTS, Math.floor(intervalMs / MIN_TICK_MS)));
    this.slots = Array.from({ length: count }, () => new Set<T>());
    this.timer = timers.setInterval(() => {
      const slot = this.slots[this.turn] as Set<T>;
      this.turn = (this.turn + 1) % count;
      for (const item of slot) visit(item);
    }, intervalMs / count);
  }

  /**
   * Adds an item to the next slot in turn.
   * @returns the slot, to pass to {@link remove}
   */
  add(item: T): number {
    const slot = this.dealt;
    this.dealt = (this.dealt + 1) % this.slots.length;
    this.slots[slot]?.add(item);
    return slot;
  }

  remove(item: T, slot: number): void {
    this.slots[slot]?.delete(item);
  }

  /** Stops visiting. */
  stop(): void {
    this.timer.cancel();
  }
}
