import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitBatcher, type Queued } from '../../src/store/commit-batcher.js';
import { ManualClock } from '../../src/util/clock.js';

/** A batcher whose commits the test settles by hand, recording each batch. */
function batcher(max: number, maxWaitMs: number, fillTarget = max) {
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
    { max, fillTarget, maxWaitMs, timers: clock },
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

  it('ends the wait once a batch holds its fill target, without a stale timer cutting the next wait short', async () => {
    const { b, batches, open, clock } = batcher(100, 20, 3);
    const first = [b.add(1), b.add(2)];
    clock.advance(5);
    assert.deepEqual(batches, [], 'below the fill target: waits');
    first.push(b.add(3));
    assert.deepEqual(batches, [[1, 2, 3]], 'the fill target ends the wait');
    const during = [b.add(4), b.add(5), b.add(6), b.add(7)];
    assert.equal(batches.length, 1, 'nothing goes while a batch commits, whatever its size');
    open[0]?.done();
    await Promise.all(first);
    await turn();
    assert.deepEqual(batches[1], [4, 5, 6, 7], 'what queued meanwhile goes at once, beyond the fill target');
    open[1]?.done();
    await Promise.all(during);
    const late = b.add(8);
    clock.advance(19);
    assert.equal(
      batches.length,
      2,
      "the first batch's timer was cancelled: a new batch waits its whole window",
    );
    clock.advance(1);
    assert.deepEqual(batches[2], [8]);
    open[2]?.done();
    assert.equal(await late, 80);
  });
});
