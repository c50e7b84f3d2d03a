import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CompareResults, renderCompare } from '../../bench/compare-report.js';
import type { PublishReport } from '../../bench/load/run.js';
import { SYSTEM, type SystemName } from '../../bench/systems.js';

type CpuRow = CompareResults['cpu'][number];

/** One fixed-rate round in which every delivery arrived, the server spending `us` per delivery. */
function rate(us: number): PublishReport {
  const latency = { count: 1, p50: 1, p95: 1, p99: 1, max: 1, mean: 1 };
  return {
    ratePerSec: 200,
    durationSec: 10,
    sent: 2000,
    publishErrors: 0,
    rateLimited: 0,
    publishedPerSec: 200,
    expectedDeliveries: 100_000,
    deliveriesByStayed: 100_000,
    deliveries: 100_000,
    deliveriesPerSec: 10_000,
    missing: 0,
    duplicates: 0,
    churnedClients: 0,
    reconnects: 0,
    latencyMs: latency,
    ackLatencyMs: latency,
    cpu: { seconds: 10, loadSec: 1, loadUsPerDelivery: 10, loadShare: 0.1, serverUsPerDelivery: us },
  };
}

/** Three rounds of one system at one rate, pinned or not. */
function rows(system: SystemName, us: number, pinned: boolean): CpuRow[] {
  return [1, 2, 3].map((round) => ({ system, round, rates: [rate(us)], ...(pinned ? { pinned } : {}) }));
}

function results(cpu: CpuRow[]): CompareResults {
  return {
    date: '2026-12-04',
    redisVersion: '7.0.15',
    clients: 5000,
    deliveryRates: [10_000],
    fixedSeconds: 10,
    crowd: { clients: 19_000, roomSize: 190 },
    stepSeconds: 5,
    pinned: { server: '0', load: '1' },
    cpu,
    crowds: [],
    max: [],
  };
}

function targetRow(page: string, start: string): string {
  const row = page.split('\n').find((line) => line.startsWith(start));
  assert.ok(row, `a row starting "${start}"`);
  return row;
}

describe('benchmark report: one instance, pinned and unpinned', () => {
  it('reads the one-instance targets from the pinned rounds and shows the unpinned ones beside them', () => {
    const page = renderCompare(
      results([
        ...rows(SYSTEM.bareWs, 10, true),
        ...rows(SYSTEM.parley, 10.5, true),
        ...rows(SYSTEM.bareWs, 10, false),
        ...rows(SYSTEM.parley, 12, false),
      ]),
    );
    const row = targetRow(page, '| single instance (pinned), CPU per delivery vs bare ws');
    assert.match(row, /\| 1\.05x \| met \|$/);
    assert.match(page, /one instance, pinned \(server on CPU 0, load on CPU 1\)/);
    // The unpinned rounds are shown (1.20x) but are not a target.
    assert.match(page, /The same, unpinned/);
    assert.match(page, /\| 1\.20x \|/);
  });

  it('reads a run without pinned rounds as before', () => {
    const page = renderCompare(
      results([...rows(SYSTEM.bareWs, 10, false), ...rows(SYSTEM.parley, 12, false)]),
    );
    const row = targetRow(page, '| single instance, CPU per delivery vs bare ws');
    assert.match(row, /\| 1\.20x \| \*\*not met\*\* \|$/);
    assert.doesNotMatch(page, /The same, unpinned/);
  });
});
