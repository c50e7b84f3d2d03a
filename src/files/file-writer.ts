import { ReplyError } from '../protocol/error-codes.js';
import { HEAD_BYTES, inspect } from './file-kinds.js';
import type { FileRef, FileStore } from './file-store.js';

/**
 * One upload's bytes on their way into the store, whoever brings them (a connection's binary frames, a server API
 * request's body): each piece stored in order, never more than the size announced, the first {@link HEAD_BYTES}
 * kept to recognise an image once the last piece came.
 */
export class FileWriter {
  private received = 0;
  private pieces = 0;
  /** The file's first bytes, copied (a piece may be a slice of a larger buffer the socket read). */
  private head: Buffer[] = [];
  private headBytes = 0;

  constructor(
    private readonly files: FileStore,
    readonly id: string,
    readonly size: number,
    /** The media type the uploader declared (see declaredType). */
    private readonly declared: string,
  ) {}

  /** True once `size` bytes were stored. */
  get complete(): boolean {
    return this.received === this.size;
  }

  /** Stores the next piece; more bytes than announced is `file_too_large` (nothing of the piece is stored). */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.received + bytes.length > this.size)
      throw new ReplyError('file_too_large', `more than the ${this.size} bytes announced`);
    await this.files.write(this.id, this.pieces, bytes);
    this.pieces += 1;
    this.received += bytes.length;
    if (this.headBytes < HEAD_BYTES) {
      const kept = Buffer.from(bytes.subarray(0, HEAD_BYTES - this.headBytes));
      this.head.push(kept);
      this.headBytes += kept.length;
    }
  }

  /** Records the complete file with what its first bytes are; undefined when it was removed meanwhile. */
  finish(): Promise<FileRef | undefined> {
    const found = inspect(Buffer.concat(this.head), this.declared);
    this.release();
    return this.files.finish(this.id, found);
  }

  /** Lets go of the bytes kept (the upload ended or was dropped). */
  release(): void {
    this.head = [];
  }
}
