import type { ByteRange } from './file-store.js';

/**
 * Where the bytes of files lie, apart from what is known of them (the records): in a directory (`disk-file-bytes.ts`:
 * the embedded store, `--store memory`) or in the database (`sql-file-bytes.ts`: PostgreSQL, which every instance
 * reads).
 */
export interface FileBytes {
  /** Stores a file's next piece (`seq` from 0, in order): the first one starts the file again. */
  write(id: string, seq: number, bytes: Uint8Array): Promise<void>;
  /** The file's pieces in order (of `range` only, when given), read as they are consumed. */
  read(id: string, range?: ByteRange): AsyncIterable<Uint8Array>;
  /** Removes files' bytes (unknown ids are ignored). */
  remove(ids: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
