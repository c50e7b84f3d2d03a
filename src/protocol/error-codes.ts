/** The server's side of the reply errors: the table is the wire vocabulary's (client/wire/error-codes.ts). */
import { type ErrorCode, ErrorCodes } from '../../client/wire/error-codes.js';

export { type ErrorCode, ErrorCodes };

/** An error that a command handler raises to answer the command with a reply error. */
export class ReplyError extends Error {
  readonly code: ErrorCode;
  readonly temporary: boolean;

  constructor(code: ErrorCode, message: string = ErrorCodes[code].message) {
    super(message);
    this.name = 'ReplyError';
    this.code = code;
    this.temporary = ErrorCodes[code].temporary;
  }
}
