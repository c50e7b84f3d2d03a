import * as hdr from 'hdr-histogram-js';

/** Latency percentiles in milliseconds. */
export interface LatencyReport {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * End-to-end latencies recorded in microseconds into an HDR histogram, which workers send to the coordinator
 * encoded (compressed, base64) to be merged exactly.
 */
export class LatencyRecorder {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  reset(): void {
    this.histogram.reset();
  }

  /** Merges encoded histograms into one report. */
  static merge(encoded: readonly string[]): LatencyReport {
    const total = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
    for (const item of encoded) total.add(hdr.decodeFromCompressedBase64(item));
    const ms = (us: number) => Math.round(us / 10) / 100;
    if (total.totalCount === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    return {
      count: total.totalCount,
      p50: ms(total.getValueAtPercentile(50)),
      p95: ms(total.getValueAtPercentile(95)),
      p99: ms(total.getValueAtPercentile(99)),
      max: ms(total.maxValue),
      mean: ms(total.mean),
    };
  }
}
