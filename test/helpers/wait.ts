/**
 * Waits until `condition` holds, checking it every few milliseconds, failing after `timeoutMs`. For state with
 * no event to listen to (server counters); prefer waiting on events where there is one.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Rejects with a clear message when `promise` does not settle within `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects values and lets a test wait for a number of them, or for one matching a predicate. */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  };

  /** Resolves when at least `count` items were collected. */
  async count(count: number, timeoutMs = 10_000): Promise<T[]> {
    await this.until(
      () => this.items.length >= count,
      timeoutMs,
      `${count} items (have ${this.items.length})`,
    );
    return this.items;
  }

  /** Resolves with the first item (already collected or coming) that matches. */
  async find(predicate: (item: T) => boolean, timeoutMs = 10_000, what = 'a matching item'): Promise<T> {
    await this.until(() => this.items.some(predicate), timeoutMs, what);
    return this.items.find(predicate) as T;
  }

  private until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.waiters.push({ check, resolve })), timeoutMs, what);
  }
}
