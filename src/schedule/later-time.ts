import { ReplyError } from '../protocol/error-codes.js';

/**
 * Checks a time something is to happen at (a scheduled message sent, a reminder due): after `now`, and at most
 * `maxAheadMs` ahead (`--schedule-max-ahead-days`), else `bad_request` naming the field.
 */
export function checkLaterTime(field: string, at: number, now: number, maxAheadMs: number): void {
  if (at <= now) throw new ReplyError('bad_request', `${field}: the time has passed`);
  if (at > now + maxAheadMs) {
    throw new ReplyError(
      'bad_request',
      `${field}: at most ${Math.round(maxAheadMs / 86_400_000)} days ahead`,
    );
  }
}
