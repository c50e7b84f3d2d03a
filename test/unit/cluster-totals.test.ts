/** The cluster totals the dashboard shows: sums and weighted means, rounded as the instances' own figures are. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { totals } from '../../src/cluster/node-registry.js';
import { nodeStats } from '../conformance/registry.suite.js';

describe('cluster totals', () => {
  it('sums rates to one decimal and weighs latencies to the microsecond, without float residue', () => {
    const a = { ...nodeStats('a', 3, 14.8), deliveriesPerSec: 88.7, latencyP50Ms: 0.1, latencyMeanMs: 0.2 };
    const b = { ...nodeStats('b', 3, 14.5), deliveriesPerSec: 86.9, latencyP50Ms: 1.003, latencyMeanMs: 1.1 };
    const view = totals([a, b], 6, 1);
    assert.equal(view.deliveriesPerSec, 175.6, '88.7 + 86.9 is 175.60000000000002 in floats');
    assert.equal(view.publishedPerSec, 29.3);
    assert.equal(view.latencyP50Ms, Math.round(((0.1 * 88.7 + 1.003 * 86.9) / 175.6) * 1000) / 1000);
    assert.equal(view.latencyMeanMs, Math.round(((0.2 * 88.7 + 1.1 * 86.9) / 175.6) * 1000) / 1000);
  });
});
