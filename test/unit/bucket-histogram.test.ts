import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BucketHistogram } from '../../src/metrics/bucket-histogram.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];

/** The registry's text for one metric, with its name replaced so that two metrics can be compared. */
async function exposition(registry: Registry, name: string): Promise<string> {
  return (await registry.getSingleMetricAsString(name)).replaceAll(name, 'm');
}

describe('BucketHistogram', () => {
  it("renders exactly as prom-client's own histogram for the same observations", async () => {
    const registry = new Registry();
    const theirs = new Histogram({ name: 'theirs', help: 'h', buckets: BOUNDS, registers: [registry] });
    const ours = new BucketHistogram('ours', 'h', BOUNDS, registry);
    // On a bound (counts in that bucket), between bounds, below the first and above the last.
    for (const value of [0, 0.001, 0.0011, 0.01, 0.05, 1, 1.5, 30]) {
      theirs.observe(value);
      ours.observe(value);
    }
    assert.equal(await exposition(registry, 'ours'), await exposition(registry, 'theirs'));
    assert.match(await registry.metrics(), /^ours_count 8$/m);
  });

  it('starts again from zero on reset', async () => {
    const registry = new Registry();
    const ours = new BucketHistogram('ours', 'h', BOUNDS, registry);
    ours.observe(0.5);
    registry.resetMetrics();
    const text = await registry.metrics();
    assert.match(text, /^ours_bucket\{le="\+Inf"\} 0$/m);
    assert.match(text, /^ours_sum 0$/m);
  });
});
