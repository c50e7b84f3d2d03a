/** Reconnect delay settings. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry. */
  minDelayMs: number;
  /** Largest delay. */
  maxDelayMs: number;
  /** Growth of the ceiling per failed attempt. */
  factor: number;
}

export const defaultBackoff: BackoffOptions = { minDelayMs: 500, maxDelayMs: 15_000, factor: 2 };

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential growth with "equal jitter", a random delay
 * between half the ceiling and the ceiling, so clients dropped together do not come back together.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
