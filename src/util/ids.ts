import { randomBytes } from 'node:crypto';

/** Id generator, injected so tests can make ids predictable. */
export interface IdGenerator {
  /** A new unique message id. */
  messageId(): string;
  /** A new unique connection (session) id. */
  sessionId(): string;
  /** A new random epoch for a room stream. */
  epoch(): string;
}

/** Short random id: 12 random bytes as base64url (16 characters, 96 bits). */
export function randomId(): string {
  return randomBytes(12).toString('base64url');
}

/** Ids from the operating system's random source. */
export function randomIds(): IdGenerator {
  return {
    // Message ids travel in every delivery: 96 random bits in 16 characters rather than a 36-character UUID.
    messageId: randomId,
    sessionId: randomId,
    epoch: () => randomBytes(6).toString('base64url'),
  };
}
