/**
 * The per-user message rate: a token bucket per user, `rate` messages a second with bursts of twice that, shared by
 * every connection and instance of the user. The room log asks it after its duplicate check, so a retried send
 * never costs a token on any engine.
 */
export interface MessageRateLimiter {
  /** Takes one token of the user's bucket: 0 when taken, else the milliseconds until one is free (none taken). */
  take(userId: string): Promise<number>;
}

/** No limit. */
export const unlimited: MessageRateLimiter = { take: async () => 0 };
