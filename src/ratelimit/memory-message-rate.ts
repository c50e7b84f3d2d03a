import type { Clock } from '../util/clock.js';
import { BucketMap } from '../util/token-bucket.js';
import type { MessageRateLimiter } from './message-rate.js';

/** The message rate of a single node, in process memory. */
export class MemoryMessageRate implements MessageRateLimiter {
  private readonly buckets: BucketMap;

  constructor(ratePerSec: number, clock: Clock) {
    this.buckets = new BucketMap(ratePerSec, ratePerSec * 2, clock);
  }

  /** Synchronous take, for the memory log's one-step append. */
  takeNow(userId: string): number {
    return this.buckets.take(userId) ? 0 : this.buckets.waitMs(userId);
  }

  async take(userId: string): Promise<number> {
    return this.takeNow(userId);
  }
}
