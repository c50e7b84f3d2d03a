import type { Clock } from './clock.js';

/** A token bucket: `ratePerSec` tokens a second, up to `burst`; each action takes one. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes a token if there is one; otherwise returns false and leaves the bucket as it is. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 if one is). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }

  /**
   * Takes `amount` tokens whether there are that many or not (a cost known only after the action, such as the
   * bytes of a reply), and returns the milliseconds until the bucket is out of debt again (0 when it is not in debt).
   */
  spend(amount: number): number {
    this.refill();
    this.tokens -= amount;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSec) * 1000);
  }

  /** True when the bucket is full again (it can be forgotten). */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSec);
  }
}

/** Token buckets by key (address, user), forgotten once full so the map does not grow without bound. */
export class BucketMap {
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweep = 0;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {}

  take(key: string): boolean {
    if (this.ratePerSec <= 0) return true;
    return this.bucketOf(key).take();
  }

  waitMs(key: string): number {
    return this.buckets.get(key)?.waitMs() ?? 0;
  }

  /** Spends `amount` from the key's bucket (see {@link TokenBucket.spend}); the wait until it is out of debt. */
  spend(key: string, amount: number): number {
    if (this.ratePerSec <= 0) return 0;
    return this.bucketOf(key).spend(amount);
  }

  private bucketOf(key: string): TokenBucket {
    this.sweep();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.ratePerSec, this.burst, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < 10_000) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (bucket.full) this.buckets.delete(key);
  }
}
