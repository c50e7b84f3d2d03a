import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitBatcher, type Queued } from '../../src/store/commit-batcher.js';
import { ManualClock } from '../../src/util/clock.js';

/** A batcher whose commits the test settles by hand, recording each batch. */
function batcher(maxBatch: number, maxWaitMs: number) {
  const clock = new ManualClock(0);
  const batches: number[][] = [];
  const open: Array<{ batch: Array<Queued<number, number>>; done: (error?: Error) => void }> = [];
  const b = new CommitBatcher<number, number>(
    (batch) =>
      new Promise<void>((resolve, reject) => {
        batches.push(batch.map((q) => q.item));
        open.push({
          batch,
          done: (error) => {
            if (error) return reject(error);
            for (const q of batch) q.resolve(q.item * 10);
            resolve();
          },
        });
      }),
    { maxBatch, maxWaitMs, timers: clock },
  );
  return { b, batches, open, clock };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('commit batcher (group commit)', () => {
  it('commits what arrived within the wait in one batch, and what queued meanwhile in the next', async () => {
    const { b, batches, open, clock } = batcher(100, 2);
    const first = [b.add(1), b.add(2)];
    assert.deepEqual(batches, [], 'waits for more');
    clock.advance(2);
    assert.deepEqual(batches, [[1, 2]]);
    const second = [b.add(3), b.add(4)];
    clock.advance(10);
    assert.deepEqual(batches, [[1, 2]], 'one batch at a time');
    open[0]?.done();
    assert.deepEqual(await Promise.all(first), [10, 20]);
    await turn();
    assert.deepEqual(
      batches,
      [
        [1, 2],
        [3, 4],
      ],
      'the next batch goes as soon as the first is committed',
    );
    open[1]?.done();
    assert.deepEqual(await Promise.all(second), [30, 40]);
  });

  it('starts at once when a batch is full, and rejects every item of a failed batch', async () => {
    const { b, batches, open } = batcher(2, 1000);
    const items = [b.add(1), b.add(2), b.add(3)];
    assert.deepEqual(batches, [[1, 2]], 'full: no waiting');
    open[0]?.done(new Error('database down'));
    await assert.rejects(items[0] as Promise<number>, /database down/);
    await assert.rejects(items[1] as Promise<number>, /database down/);
    await turn();
    assert.deepEqual(batches, [[1, 2], [3]]);
    open[1]?.done();
    assert.equal(await items[2], 30);
  });
});
