import * as hdr from 'hdr-histogram-js';
import type { Clock } from '../util/clock.js';

/** Latency percentiles of one window, in milliseconds (to the microsecond). */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Marks kept at most: a mark whose message never fanned out here (see {@link LatencyWindow.forget}) is dropped. */
const MAX_MARKS = 10_000;

/**
 * Delivery latency: from a message's publication to its fan-out on this node, per delivery, recorded into an HDR
 * histogram in microseconds, read and reset once per stats interval (the dashboard shows the last interval's).
 *
 * A message published on this node is timed to the microsecond by the monotonic clock, from the mark its `send`
 * set to its fan-out here (through Redis and back, with a cluster engine). A message from another node (or a
 * system event, an API publish) can only be timed from its `ts`, whole milliseconds of another host's clock.
 */
export class LatencyWindow {
  private histogram = hdr.build({ numberOfSignificantValueDigits: 2, lowestDiscernibleValue: 1 });
  /** Monotonic publication times of this node's messages not yet fanned out here, by message id. */
  private readonly marks = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Marks the publication of a message of this node (before it is appended). */
  mark(id: string): void {
    if (this.marks.size >= MAX_MARKS) this.marks.clear();
    this.marks.set(id, this.clock.monotonic());
  }

  /** Forgets a mark whose message will not fan out (a duplicate send, a failed append). */
  forget(id: string): void {
    this.marks.delete(id);
  }

  /** The latency of a message fanned out now, milliseconds: from its mark when there is one, else from `ts`. */
  latencyOf(id: string, ts: number): number {
    const marked = this.marks.get(id);
    if (marked === undefined) return this.clock.now() - ts;
    this.marks.delete(id);
    return this.clock.monotonic() - marked;
  }

  /** Records `count` deliveries that took `ms` (clamped to at least 0). */
  record(ms: number, count = 1): void {
    this.histogram.recordValueWithCount(Math.max(0, Math.round(ms * 1000)), count);
  }

  /** The window's summary; starts a new window. */
  rotate(): LatencySummary {
    const h = this.histogram;
    const ms = (us: number) => Math.round(us) / 1000;
    const summary: LatencySummary =
      h.totalCount === 0
        ? { count: 0, mean: 0, p50: 0, p99: 0, max: 0 }
        : {
            count: h.totalCount,
            mean: ms(h.mean),
            p50: ms(h.getValueAtPercentile(50)),
            p99: ms(h.getValueAtPercentile(99)),
            max: ms(h.maxValue),
          };
    h.reset();
    return summary;
  }
}
