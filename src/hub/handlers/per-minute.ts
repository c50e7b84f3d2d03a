import { ReplyError } from '../../protocol/error-codes.js';
import { TokenBucket } from '../../util/token-bucket.js';
import type { Session } from '../session.js';
import type { HandlerContext } from './context.js';

/** The rates a connection has of its own for commands that cost the store far more than most. */
export type CostlyRate = 'searchRate' | 'roomListRate' | 'statusRate' | 'linkPreviewRate';

/**
 * Takes one of the connection's `perMin` (a burst of a third of it, at least one; the bucket is made at the first
 * use), or answers `rate_limited` with when to retry, counted and in the live feed. For commands that cost the store
 * tens of milliseconds where most cost one or two (a search, the whole room list): the command rate alone (50 a
 * second) would let one user keep a database busy. `perMin` 0: no limit.
 */
export function takePerMinute(
  ctx: HandlerContext,
  session: Session,
  rate: CostlyRate,
  perMin: number,
  what: string,
): void {
  if (perMin === 0) return;
  const bucket =
    session[rate] ?? new TokenBucket(perMin / 60, Math.max(1, Math.floor(perMin / 3)), ctx.clock);
  session[rate] = bucket;
  if (bucket.take()) return;
  ctx.countRateLimited();
  ctx.feed.record({ type: 'rate_limited', user: session.user, reason: `${what} per minute` });
  throw new ReplyError('rate_limited', `too many ${what}: retry in ${bucket.waitMs()} ms`);
}
