import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileBytes } from './file-bytes.js';
import type { ByteRange } from './file-store.js';

/** Bytes read from a file on disk at a time: a download that is not read holds about two such pieces. */
const READ_PIECE_BYTES = 16 * 1024;

/**
 * File bytes as files of a directory, one per file, under a sub-directory named by the id's first two characters
 * (so that no directory holds every file). Ids are base64url: safe as file names.
 */
export class DiskFileBytes implements FileBytes {
  /**
   * @param dir where the files go (created when first needed)
   * @param temporary remove the whole directory on close (`--store memory`: nothing outlives the process)
   */
  constructor(
    private readonly dir: string,
    private readonly temporary = false,
  ) {}

  private pathOf(id: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`not a file id: ${id}`);
    return join(this.dir, id.slice(0, 2), id);
  }

  async write(id: string, seq: number, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(id);
    if (seq === 0) {
      await mkdir(join(this.dir, id.slice(0, 2)), { recursive: true });
      await writeFile(path, bytes);
    } else await appendFile(path, bytes);
  }

  async *read(id: string, range?: ByteRange): AsyncIterable<Uint8Array> {
    yield* createReadStream(this.pathOf(id), { highWaterMark: READ_PIECE_BYTES, ...(range ?? {}) });
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) await rm(this.pathOf(id), { force: true });
  }

  async close(): Promise<void> {
    if (this.temporary) await rm(this.dir, { recursive: true, force: true });
  }
}
