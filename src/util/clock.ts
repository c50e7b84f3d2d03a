/** Time source, injected so that expiry and timestamps can be driven by tests. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Milliseconds with a fraction since an arbitrary origin, never going back: for durations shorter than a
   * millisecond (the wall clock's whole milliseconds cannot tell them apart).
   */
  monotonic(): number;
}

/** A scheduled callback; `cancel()` stops it (idempotent). */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Timers, injected like the clock so that whatever waits (session expiry, presence windows, the ping wheel, the
 * node's maintenance loops) can be driven by tests. Timers never keep the process alive.
 */
export interface Timers {
  /** Runs `fn` once after `ms` (at the end of this event-loop turn when `ms` <= 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Runs `fn` every `ms`. */
  setInterval(fn: () => void, ms: number): TimerHandle;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now(), monotonic: () => performance.now() };

/** Node's timers, unreferenced. */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    if (ms <= 0) {
      const immediate = setImmediate(fn).unref();
      return { cancel: () => clearImmediate(immediate) };
    }
    const timer = setTimeout(fn, ms).unref();
    return { cancel: () => clearTimeout(timer) };
  },
  setInterval(fn, ms) {
    const timer = setInterval(fn, ms).unref();
    return { cancel: () => clearInterval(timer) };
  },
};

interface Scheduled {
  at: number;
  every?: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to, and runs the timers scheduled on it as it moves: for tests of expiry,
 * windows and loops, without waiting for real time.
 */
export class ManualClock implements Clock, Timers {
  private time: number;
  private scheduled: Scheduled[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  monotonic(): number {
    return this.time;
  }

  /** Moves the clock forward, running every timer due on the way, in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.scheduled.filter((s) => !s.cancelled && s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      if (due.every !== undefined) due.at += due.every;
      else due.cancelled = true;
      due.fn();
    }
    this.scheduled = this.scheduled.filter((s) => !s.cancelled);
    this.time = end;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule({ at: this.time + Math.max(0, ms), fn, cancelled: false });
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    return this.schedule({ at: this.time + every, every, fn, cancelled: false });
  }

  private schedule(entry: Scheduled): TimerHandle {
    this.scheduled.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }
}
