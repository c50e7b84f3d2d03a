import { EngineUnavailableError, RateLimitError } from '../engine/engine.js';
import { ReplyError } from '../protocol/error-codes.js';

/** Why a request was refused, for counting and logging: the request, a rate limit, the engine, or a bug. */
export type RefusalCause = 'request' | 'rate' | 'engine' | 'bug';

/** What an error thrown while serving a request becomes for the client. */
export interface Refusal {
  /** The reply error (its code, message and temporary flag; its `http` status in the server API). */
  error: ReplyError;
  cause: RefusalCause;
  /** For rate limits: when a retry may succeed. */
  retryAfterMs?: number;
}

/**
 * The one mapping from errors to refusals, used by the WebSocket command runner and the HTTP server API alike, so
 * the same failure answers the same code on both.
 */
export function refusalOf(error: unknown): Refusal {
  if (error instanceof ReplyError) return { error, cause: 'request' };
  if (error instanceof RateLimitError) {
    const message = `too many messages from this user: retry in ${error.retryAfterMs} ms`;
    return {
      error: new ReplyError('rate_limited', message),
      cause: 'rate',
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (error instanceof EngineUnavailableError)
    return { error: new ReplyError('unavailable'), cause: 'engine' };
  return { error: new ReplyError('internal'), cause: 'bug' };
}
