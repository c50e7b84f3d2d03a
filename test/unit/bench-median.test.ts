import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median } from '../../bench/compare-report.js';

describe('benchmark median', () => {
  it('is the middle value of an odd count, whatever the order', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([1.29, 0.97, 1.07, 1.26, 1.1]), 1.1);
  });

  it('is the mean of the two middle values of an even count, not the lower one', () => {
    // The rounds of a four-round run: the lower middle (1.07) would have read as a met target of <= 1.1.
    assert.equal(median([1.29, 0.97, 1.07, 1.26]), (1.07 + 1.26) / 2);
    assert.equal(median([2, 1]), 1.5);
  });

  it('is 0 for no values', () => {
    assert.equal(median([]), 0);
  });
});
