import type { ErrorCode } from './wire/error-codes.js';

/** A command failed: the server answered with a reply error, or the client gave up waiting. */
export class ParleyError extends Error {
  /** A server reply error code, or `timeout` / `closed` for client-side failures. */
  readonly code: ErrorCode | 'timeout' | 'closed';
  /** True when retrying the same command later may succeed. */
  readonly temporary: boolean;

  constructor(code: ParleyError['code'], message: string, temporary: boolean) {
    super(message);
    this.name = 'ParleyError';
    this.code = code;
    this.temporary = temporary;
  }
}
