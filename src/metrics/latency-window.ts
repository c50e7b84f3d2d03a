import * as hdr from 'hdr-histogram-js';

/** Latency percentiles of one window. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Delivery latencies (milliseconds) recorded into an HDR histogram, read and reset once per stats interval, so
 * the dashboard shows the latency of the last interval rather than of the whole uptime.
 */
export class LatencyWindow {
  private histogram = hdr.build({ numberOfSignificantValueDigits: 2, lowestDiscernibleValue: 1 });

  /** Records `count` deliveries that took `ms` (clamped to at least 0). */
  record(ms: number, count = 1): void {
    this.histogram.recordValueWithCount(Math.max(0, Math.round(ms)), count);
  }

  /** The window's summary; starts a new window. */
  rotate(): LatencySummary {
    const h = this.histogram;
    const summary: LatencySummary =
      h.totalCount === 0
        ? { count: 0, mean: 0, p50: 0, p99: 0, max: 0 }
        : {
            count: h.totalCount,
            mean: Math.round(h.mean * 1000) / 1000,
            p50: h.getValueAtPercentile(50),
            p99: h.getValueAtPercentile(99),
            max: h.maxValue,
          };
    h.reset();
    return summary;
  }
}
