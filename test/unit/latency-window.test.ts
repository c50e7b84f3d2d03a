/** Delivery latency: to the microsecond for this node's own messages, to the millisecond for others'. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyWindow } from '../../src/metrics/latency-window.js';
import { ManualClock } from '../../src/util/clock.js';

describe('LatencyWindow', () => {
  it('times a marked message by the monotonic clock, below a millisecond', () => {
    const clock = new ManualClock();
    const window = new LatencyWindow(clock);
    window.mark('m1');
    clock.advance(0.25);
    const latency = window.latencyOf('m1', clock.now());
    assert.equal(latency, 0.25);
    window.record(latency, 10);
    window.record(0.75, 1);
    const summary = window.rotate();
    assert.equal(summary.count, 11);
    // Two significant digits: within 1 %.
    assert.ok(Math.abs(summary.p50 - 0.25) <= 0.0025, `p50 ${summary.p50}`);
    assert.ok(Math.abs(summary.p99 - 0.75) <= 0.0075, `p99 ${summary.p99}`);
    assert.ok(Math.abs(summary.mean - (0.25 * 10 + 0.75) / 11) < 0.005);
    assert.deepEqual(window.rotate(), { count: 0, mean: 0, p50: 0, p99: 0, max: 0 }, 'a new window');
  });

  it('summarises the last intervals together: a quiet interval is no latency of 0', () => {
    const window = new LatencyWindow(new ManualClock());
    window.record(2, 3);
    assert.equal(window.rotate(3).count, 3);
    window.record(4, 1);
    const both = window.rotate(3);
    assert.deepEqual([both.count, Math.round(both.max)], [4, 4]);
    assert.equal(window.rotate(3).count, 4, 'a quiet interval');
    const last = window.rotate(3);
    assert.deepEqual([last.count, Math.round(last.p50)], [1, 4], 'the first interval left the window');
    assert.equal(window.rotate(3).count, 0);
    window.record(1, 1);
    assert.equal(window.rotate(3).count, 1, 'recycled intervals start empty');
  });

  it("times another node's message from its whole-millisecond ts, and uses each mark once", () => {
    const clock = new ManualClock();
    const window = new LatencyWindow(clock);
    const ts = clock.now();
    clock.advance(3);
    assert.equal(window.latencyOf('from-elsewhere', ts), 3);
    window.mark('m2');
    clock.advance(0.5);
    assert.equal(window.latencyOf('m2', ts), 0.5);
    assert.equal(window.latencyOf('m2', ts), 3.5, 'the mark was used up');
  });

  it('forgets a mark whose message will not fan out, and never holds more than 10,000', () => {
    const clock = new ManualClock();
    const window = new LatencyWindow(clock);
    const ts = clock.now();
    window.mark('duplicate');
    window.forget('duplicate');
    clock.advance(2);
    assert.equal(window.latencyOf('duplicate', ts), 2);
    for (let i = 0; i < 10_000; i += 1) window.mark(`lost-${i}`);
    window.mark('newest');
    clock.advance(1);
    assert.equal(window.latencyOf('lost-0', ts), 3, 'the full map was cleared');
    assert.equal(window.latencyOf('newest', ts), 1);
  });
});
