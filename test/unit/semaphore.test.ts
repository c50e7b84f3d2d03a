import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Semaphore } from '../../src/util/semaphore.js';

describe('semaphore', () => {
  it('runs at most its limit at once, the rest in arrival order, and frees slots on failure', async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      order.push(i);
      if (i === 1) throw new Error('boom');
      return i;
    };
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => semaphore.run(task(i))));
    assert.equal(most, 2);
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
    assert.equal(results[0]?.status, 'rejected');
    assert.equal(semaphore.load, 0);
  });
});
