/** The file store conformance suite's SQL fixture: records in the database, bytes in a directory or in the database. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskFileBytes } from '../../src/files/disk-file-bytes.js';
import { SqlFileBytes } from '../../src/files/sql-file-bytes.js';
import { SqlFileStore } from '../../src/files/sql-file-store.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { randomId } from '../../src/util/ids.js';

/** A SQL file store on a migrated database, with the suite's way to store a message. */
export function sqlFileFixture(db: SqlDatabase, bytes: 'disk' | 'database', close: () => Promise<void>) {
  const files = new SqlFileStore(
    db,
    bytes === 'disk'
      ? new DiskFileBytes(join(tmpdir(), `parley-files-${randomId()}`), true)
      : new SqlFileBytes(db),
  );
  let offset = 0;
  return {
    files,
    message: async (room: string, owner: string, cid: string, deleted = false) => {
      offset += 1;
      await db.query(
        `INSERT INTO parley_messages (room, "offset", id, sender_id, sender_name, text, ts, cid, deleted_at)
         VALUES ($1, $2, $3, $4, $4, '', 0, $5, $6)`,
        [room, offset, randomId(), owner, cid, deleted ? 1 : null],
      );
    },
    close: async () => {
      await files.close();
      await close();
    },
  };
}
