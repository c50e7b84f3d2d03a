import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgliteDatabase } from '../../src/store/pglite-database.js';

/** An embedded database in a fresh temp directory, and how to close it and remove the directory. */
export async function openTempPglite(
  prefix: string,
): Promise<{ db: PgliteDatabase; dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `parley-${prefix}-`));
  const db = await PgliteDatabase.open(dir);
  return {
    db,
    dir,
    dispose: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
