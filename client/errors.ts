import type { ErrorCode } from './wire/error-codes.js';

/** A command failed: the server answered with a reply error, or the client gave up waiting. */
export class ParleyError extends Error {
  /**
   * A server reply error code, or a client-side failure: `timeout` (no answer in time), `closed` (the client was
   * closed, or the server ended the connection for good), `interrupted` (a command that must not run twice was sent,
   * and the connection dropped before its answer: it may or may not have been carried out; an upload whose
   * connection dropped), `cancelled` (an upload abandoned through its `signal`).
   */
  readonly code: ErrorCode | 'timeout' | 'closed' | 'interrupted' | 'cancelled';
  /** True when retrying the same command later may succeed. */
  readonly temporary: boolean;

  constructor(code: ParleyError['code'], message: string, temporary: boolean) {
    super(message);
    this.name = 'ParleyError';
    this.code = code;
    this.temporary = temporary;
  }
}
