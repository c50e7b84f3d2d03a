import type { Metric, Registry } from 'prom-client';

/**
 * A Prometheus histogram without labels for observations on the message path, exposed through prom-client's
 * registry like its own histograms (same `_bucket` / `_sum` / `_count` series). prom-client's `observe` builds a
 * label object, validates and hashes it and finds the bucket through an object keyed by bound on every call; on the
 * message path (once per message published, once per message fanned out) that showed in profiles at a few
 * microseconds per message. Here an observation is a short scan of the bounds and three additions.
 */
export class BucketHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  /** @param bounds upper bounds of the buckets, ascending (`+Inf` is implied) */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
    // The registry only calls name, help, type, aggregator, get() and reset(): the shape of its own metrics.
    registry.registerMetric(this as unknown as Metric);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i += 1;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count += 1;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  /** The series as prom-client's registry renders them: cumulative buckets, then the sum and the count. */
  async get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    let cumulative = 0;
    const bucket = `${this.name}_bucket`;
    this.bounds.forEach((le, i) => {
      cumulative += this.counts[i] as number;
      values.push({ labels: { le }, value: cumulative, metricName: bucket });
    });
    values.push({ labels: { le: '+Inf' }, value: this.count, metricName: bucket });
    values.push({ labels: {}, value: this.sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: this.count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
