/**
 * Group commit: work items queued while a batch is being committed, or within `maxWaitMs` of the first one, are
 * committed together in one transaction (at most `maxBatch` at a time). Batches run one after another, so an item
 * queued later is committed after an item queued earlier. Each item settles when its batch is committed (or failed).
 */
import type { Timers } from '../util/clock.js';

/** One queued item and how to settle it. */
export interface Queued<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class CommitBatcher<T, R> {
  private queue: Array<Queued<T, R>> = [];
  private committing = false;
  private scheduled = false;

  /**
   * @param commit commits a batch and settles each of its items (it must settle every one, even on failure)
   */
  constructor(
    private readonly commit: (batch: Array<Queued<T, R>>) => Promise<void>,
    private readonly options: { maxBatch: number; maxWaitMs: number; timers: Timers },
  ) {}

  /** Items waiting for a batch. */
  get pending(): number {
    return this.queue.length;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        this.options.timers.setTimeout(() => {
          this.scheduled = false;
          this.flush();
        }, this.options.maxWaitMs);
      }
    });
  }

  private flush(): void {
    if (this.committing || this.queue.length === 0) return;
    this.committing = true;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.commit(batch)
      .catch((error: unknown) => {
        for (const queued of batch) queued.reject(error);
      })
      .finally(() => {
        this.committing = false;
        // What queued meanwhile goes at once: it already waited for a whole commit.
        this.flush();
      });
  }
}
