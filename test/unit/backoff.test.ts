import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, defaultBackoff } from '../../client/backoff.js';

describe('backoff', () => {
  it('grows exponentially between half the ceiling and the ceiling, capped', () => {
    const options = { minDelayMs: 100, maxDelayMs: 1000, factor: 2 };
    assert.equal(
      backoffDelay(0, options, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(0, options, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(2, options, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(2, options, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(10, options, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(10, options, () => 0),
      500,
    );
  });

  it('spreads clients out (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, defaultBackoff)));
    assert.ok(delays.size > 10);
  });
});
