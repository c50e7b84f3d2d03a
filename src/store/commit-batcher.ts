/**
 * Group commit: work items queued while a batch is being committed, or within `maxWaitMs` of the first one, are
 * committed together in one transaction (at most `max` at a time). A waiting batch goes before its wait is
 * over once it holds `fillTarget` items: past that size a commit costs mostly per item, so waiting longer would
 * add latency and save little. The wait is then at most `fillTarget / rate`: the whole window at chat rates, a few
 * milliseconds under load. Batches run one after another, so an item queued later is committed after an item
 * queued earlier. Each item settles when its batch is committed (or failed).
 */
import type { TimerHandle, Timers } from '../util/clock.js';

/** One queued item and how to settle it. */
export interface Queued<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/** How big a batch gets. */
export interface BatchSizes {
  /** Most items in one batch. */
  max: number;
  /** Items that end a batch's wait early (at most `max`). */
  fillTarget: number;
}

/** Settings of {@link CommitBatcher}. */
export interface CommitBatcherOptions extends BatchSizes {
  /** Longest an item waits for others while no batch commits. */
  maxWaitMs: number;
  timers: Timers;
}

export class CommitBatcher<T, R> {
  private queue: Array<Queued<T, R>> = [];
  private committing = false;
  private wait: TimerHandle | undefined;

  /**
   * @param commit commits a batch and settles each of its items (it must settle every one, even on failure)
   */
  constructor(
    private readonly commit: (batch: Array<Queued<T, R>>) => Promise<void>,
    private readonly options: CommitBatcherOptions,
  ) {}

  /** Items waiting for a batch. */
  get pending(): number {
    return this.queue.length;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // While a batch commits, everything queues for the next one, which goes as soon as that commit ends.
      if (this.committing) return;
      if (this.queue.length >= Math.min(this.options.fillTarget, this.options.max)) this.flush();
      else if (!this.wait) {
        this.wait = this.options.timers.setTimeout(() => {
          this.wait = undefined;
          this.flush();
        }, this.options.maxWaitMs);
      }
    });
  }

  private flush(): void {
    if (this.committing || this.queue.length === 0) return;
    this.wait?.cancel();
    this.wait = undefined;
    this.committing = true;
    const batch = this.queue.splice(0, this.options.max);
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
