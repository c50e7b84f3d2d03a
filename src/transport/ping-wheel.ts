import { systemTimers, type TimerHandle, type Timers } from '../util/clock.js';

/** Ticks per ping interval at most: the wheel never visits more often than every {@link MIN_TICK_MS}. */
const MAX_TICKS = 100;
/** The shortest time between two ticks. */
const MIN_TICK_MS = 250;

/** The collection a wheel visits: a Map's values or a Set, read live (what is added or removed meanwhile counts). */
export interface Visitable<T> {
  readonly size: number;
  values(): Iterator<T>;
}

/**
 * Spreads a periodic visit of every connection (liveness pings) over the interval instead of doing them all in one
 * event-loop turn: each interval is a pass over the collection in its order, a slice of about size / ticks items
 * per tick, so each item is visited once per interval and about as far from its last visit as an interval.
 *
 * Why: pinging 5,000 connections at once held the event loop for 90-250 ms (one write per socket), stalling
 * every delivery behind it, and their 5,000 pongs then arrived in one burst. In slices of a hundredth of the
 * interval, a tick pings 50 of them. The wheel reads the caller's own collection (a Map's iterator sees what is
 * added and removed during a pass): no table of its own, no entry per connection. An item added during a pass is
 * visited in it if the pass reaches it, else in the next.
 */
export class PingWheel<T> {
  private readonly ticks: number;
  private turn = 0;
  private pass?: Iterator<T>;
  private readonly timer: TimerHandle;

  /**
   * @param intervalMs time in which every item is visited once
   * @param items what to visit (read at every tick)
   * @param visit called for each item of the slice whose turn it is
   */
  constructor(
    intervalMs: number,
    private readonly items: Visitable<T>,
    private readonly visit: (item: T) => void,
    timers: Timers = systemTimers,
  ) {
    this.ticks = Math.max(1, Math.min(MAX_TICKS, Math.floor(intervalMs / MIN_TICK_MS)));
    this.timer = timers.setInterval(() => this.tick(), intervalMs / this.ticks);
  }

  /** Stops visiting. */
  stop(): void {
    this.timer.cancel();
    this.pass = undefined;
  }

  private tick(): void {
    // Each interval starts a pass from the first item; what the last one did not reach waits for this one.
    if (this.turn === 0) this.pass = this.items.values();
    this.turn = (this.turn + 1) % this.ticks;
    const pass = this.pass;
    if (!pass) return;
    for (let quota = Math.ceil(this.items.size / this.ticks); quota > 0; quota -= 1) {
      const next = pass.next();
      if (next.done) {
        this.pass = undefined;
        return;
      }
      this.visit(next.value);
    }
  }
}
