/**
 * Reports a failed engine operation that crossed an instance boundary (Redis, the database): counted in
 * `engineErrors` and logged, never swallowed. Every hub part takes one.
 */
export type FailureReporter = (operation: string, error: unknown, extra?: Record<string, unknown>) => void;
