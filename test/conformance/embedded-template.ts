/**
 * The embedded store's conformance files' databases: creating a PGlite database runs initdb (seconds) and the
 * migrations (seconds more, and more with each migration), so one is made and migrated once per file and each
 * fixture starts from a copy of it (its start then finds the schema up to date).
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { migrate } from '../../src/store/migrate.js';
import { PgliteDatabase } from '../../src/store/pglite-database.js';
import { randomId } from '../../src/util/ids.js';
import { removeQuietly } from '../helpers/remove-quietly.js';

/** Registers the template's making and removal (call inside a `describe`); `copy()` is a fresh data directory. */
export function embeddedTemplate(): { copy(): Promise<string>; open(): Promise<PgliteDatabase> } {
  let root: string;
  let template: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-embedded-'));
    template = join(root, 'template');
    const db = await PgliteDatabase.open(template);
    await migrate(db);
    await db.close();
  });
  after(() => removeQuietly(root));
  const copy = async () => {
    const dir = join(root, randomId());
    await cp(template, dir, { recursive: true });
    return dir;
  };
  return { copy, open: async () => PgliteDatabase.open(await copy()) };
}
