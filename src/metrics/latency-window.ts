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
 * histogram in microseconds, one histogram per stats interval; a summary covers the last few intervals together
 * (the rates' window), so a quiet second is no latency of 0 on the dashboard.
 *
 * A message published on this node is timed to the microsecond by the monotonic clock, from the mark its `send`
 * set to its fan-out here (through Redis and back, with a cluster engine). A message from another node (or a
 * system event, an API publish) can only be timed from its `ts`, whole milliseconds of another host's clock.
 */
const buildHistogram = () => hdr.build({ numberOfSignificantValueDigits: 2, lowestDiscernibleValue: 1 });

export class LatencyWindow {
  /** The interval being recorded. */
  private histogram = buildHistogram();
  /** The intervals a summary covers, oldest first (the current one last once rotated in). */
  private readonly recent: hdr.Histogram[] = [];
  /** Their sum, rebuilt at each rotation. */
  private readonly merged = buildHistogram();
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

  /**
   * Ends the interval being recorded and starts a new one.
   * @param intervals how many intervals the summary covers, this one included
   * @returns the deliveries of those intervals together
   */
  rotate(intervals = 1): LatencySummary {
    this.recent.push(this.histogram);
    const dropped =
      this.recent.length > intervals ? this.recent.splice(0, this.recent.length - intervals) : [];
    // An interval that left the window is recycled as the next one (at most a few histograms ever exist).
    const next = dropped.pop() ?? buildHistogram();
    next.reset();
    this.histogram = next;
    const h = this.merged;
    h.reset();
    for (const interval of this.recent) h.add(interval);
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
    return summary;
  }
}
