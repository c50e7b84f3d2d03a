import { randomBytes, randomFillSync } from 'node:crypto';

/** Id generator, injected so tests can make ids predictable. */
export interface IdGenerator {
  /** A new unique message id. */
  messageId(): string;
  /** A new unique connection (session) id. */
  sessionId(): string;
  /** A new random epoch for a room stream. */
  epoch(): string;
  /** A new file id: whoever has it may read the file, so 128 random bits. */
  fileId(): string;
  /** A new secret (a webhook's): 192 random bits. */
  secret(): string;
}

/** Short random id for one-off uses: 12 random bytes as base64url (16 characters, 96 bits). */
export function randomId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Random bytes taken from a buffer refilled in blocks: one call into the operating system's random source per
 * `blockBytes` instead of one per id (a connection storm or a busy room asks for thousands of ids per second, and
 * each small `randomBytes` call costs a system call and a buffer allocation).
 */
export class RandomPool {
  private readonly block: Buffer;
  private used: number;

  constructor(blockBytes = 4096) {
    this.block = Buffer.allocUnsafe(blockBytes);
    this.used = blockBytes;
  }

  /** `length` fresh random bytes (never handed out twice) as base64url. */
  base64url(length: number): string {
    if (this.used + length > this.block.length) {
      randomFillSync(this.block);
      this.used = 0;
    }
    const start = this.used;
    this.used += length;
    return this.block.toString('base64url', start, this.used);
  }
}

/** Ids from the operating system's random source. */
export function randomIds(pool = new RandomPool()): IdGenerator {
  // Message ids travel in every delivery: 96 random bits in 16 characters rather than a 36-character UUID.
  const id = () => pool.base64url(12);
  return {
    messageId: id,
    sessionId: id,
    epoch: () => pool.base64url(6),
    fileId: () => pool.base64url(16),
    secret: () => pool.base64url(24),
  };
}
