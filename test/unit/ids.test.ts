import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomPool, randomIds } from '../../src/util/ids.js';

describe('random ids', () => {
  it('are 16 base64url characters, distinct across many refills of the pool', () => {
    // A 64-byte block holds five 12-byte ids: 10,000 ids refill it 2,000 times.
    const ids = randomIds(new RandomPool(64));
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) {
      const id = ids.messageId();
      assert.match(id, /^[A-Za-z0-9_-]{16}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 10_000);
    assert.match(ids.epoch(), /^[A-Za-z0-9_-]{8}$/);
  });

  it('never hand out the same bytes twice from one block', () => {
    const pool = new RandomPool(24);
    const a = pool.base64url(12);
    const b = pool.base64url(12);
    const c = pool.base64url(12);
    assert.notEqual(a, b);
    assert.notEqual(b, c);
  });
});
