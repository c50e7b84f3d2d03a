/** Token buckets: taking one at a time, spending a cost known afterwards (into debt), and forgetting full ones. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/util/clock.js';
import { BucketMap, TokenBucket } from '../../src/util/token-bucket.js';

describe('token buckets', () => {
  it('takes a token at a time, up to the burst, and refills at the rate', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 2, clock);
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take()], [true, true, false]);
    assert.equal(bucket.waitMs(), 100);
    clock.advance(100);
    assert.equal(bucket.take(), true);
  });

  it('spends a cost into debt, and says how long until it is paid', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1000, 8000, clock);
    assert.equal(bucket.spend(5000), 0, 'within the burst');
    assert.equal(bucket.spend(4000), 1000, 'a thousand in debt: a second');
    assert.equal(bucket.take(), false, 'nothing to take while in debt');
    clock.advance(400);
    assert.equal(bucket.spend(0), 600);
    clock.advance(600);
    assert.equal(bucket.spend(0), 0, 'paid');
    clock.advance(60_000);
    assert.equal(bucket.full, true, 'refilled to the burst, no further');
    assert.equal(bucket.spend(8000), 0);
  });

  it('keeps one bucket per key, spends from it, and forgets full ones', () => {
    const clock = new ManualClock();
    const buckets = new BucketMap(100, 200, clock);
    assert.equal(buckets.spend('ann', 300), 1000);
    assert.equal(buckets.spend('bob', 100), 0, 'a bucket of its own');
    assert.equal(buckets.take('ann'), false);
    assert.equal(buckets.size, 2);
    clock.advance(11_000);
    assert.equal(buckets.spend('carl', 1), 0);
    assert.equal(buckets.size, 1, 'full buckets forgotten at the sweep');
    assert.equal(new BucketMap(0, 0, clock).spend('anyone', 1e9), 0, 'no limit');
  });
});
