import type { SqlDatabase } from '../store/sql.js';
import type { FileBytes } from './file-bytes.js';
import type { FileRef, FileStore, FoundInFile, NewUpload, ReadableFile, SweepAges } from './file-store.js';

interface FileRow {
  id: string;
  name: string;
  size: string | number;
  type: string;
  width: number | null;
  height: number | null;
}

const COLUMNS = 'id, name, size, type, width, height';

function refOf(row: FileRow): FileRef {
  const ref: FileRef = { id: row.id, name: row.name, size: Number(row.size), type: row.type };
  if (row.width !== null && row.height !== null) {
    ref.width = row.width;
    ref.height = row.height;
  }
  return ref;
}

/**
 * File records in the database (`parley_files`, migration 014), bytes wherever `bytes` keeps them (the database
 * itself with PostgreSQL, a directory with the embedded store).
 */
export class SqlFileStore implements FileStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly bytes: FileBytes,
  ) {}

  async begin(upload: NewUpload): Promise<void> {
    await this.db.query(
      `INSERT INTO parley_files (id, owner_id, room, name, size, type, state, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'uploading', $7)`,
      [upload.id, upload.owner, upload.room, upload.name, upload.size, upload.type, upload.at],
    );
  }

  write(id: string, seq: number, bytes: Uint8Array): Promise<void> {
    return this.bytes.write(id, seq, bytes);
  }

  async finish(id: string, found: FoundInFile): Promise<FileRef | undefined> {
    const { rows } = await this.db.query<FileRow>(
      `UPDATE parley_files SET state = 'ready', type = $2, width = $3, height = $4
       WHERE id = $1 AND state = 'uploading' RETURNING ${COLUMNS}`,
      [id, found.type, found.width ?? null, found.height ?? null],
    );
    return rows[0] && refOf(rows[0]);
  }

  async claim(
    ids: readonly string[],
    owner: string,
    room: string,
    cid: string,
    at: number,
  ): Promise<FileRef[] | undefined> {
    return this.db.transaction(async (tx) => {
      // Locked, so that two sends of one file (two connections of its owner) cannot both take it.
      const { rows } = await tx.query<FileRow & { state: string; cid: string | null }>(
        `SELECT ${COLUMNS}, state, cid FROM parley_files
         WHERE id = ANY($1::text[]) AND owner_id = $2 AND room = $3 FOR UPDATE`,
        [ids, owner, room],
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      const refs: FileRef[] = [];
      for (const id of ids) {
        const row = byId.get(id);
        if (!row || !(row.state === 'ready' || (row.state === 'sent' && row.cid === cid))) return undefined;
        refs.push(refOf(row));
      }
      await tx.query(
        `UPDATE parley_files SET state = 'sent', cid = $2, sent_at = COALESCE(sent_at, $3)
         WHERE id = ANY($1::text[])`,
        [ids, cid, at],
      );
      return refs;
    });
  }

  async read(id: string): Promise<ReadableFile | undefined> {
    const { rows } = await this.db.query<FileRow>(
      `SELECT ${COLUMNS} FROM parley_files WHERE id = $1 AND state = 'sent'`,
      [id],
    );
    const row = rows[0];
    return row && { file: refOf(row), bytes: (range) => this.bytes.read(id, range) };
  }

  async usage(owner: string): Promise<number> {
    const { rows } = await this.db.query<{ bytes: string | number | null }>(
      'SELECT sum(size) AS bytes FROM parley_files WHERE owner_id = $1',
      [owner],
    );
    return Number(rows[0]?.bytes ?? 0);
  }

  async discard(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('DELETE FROM parley_files WHERE id = ANY($1::text[])', [ids]);
    await this.bytes.remove(ids);
  }

  async discardSent(room: string, owner: string, cid: string): Promise<void> {
    const { rows } = await this.db.query<{ id: string }>(
      `DELETE FROM parley_files WHERE owner_id = $1 AND room = $2 AND cid = $3 AND state = 'sent' RETURNING id`,
      [owner, room, cid],
    );
    await this.bytes.remove(rows.map((row) => row.id));
  }

  async sweep(ages: SweepAges): Promise<number> {
    // A sent file's message is the sender's message with its cid (the log's idempotency key, indexed): gone past
    // retention, or a tombstone.
    const { rows } = await this.db.query<{ id: string }>(
      `DELETE FROM parley_files f
       WHERE (f.state <> 'sent' AND f.created_at < $1)
          OR (f.state = 'sent' AND f.sent_at < $2 AND NOT EXISTS (
                SELECT 1 FROM parley_messages m
                WHERE m.room = f.room AND m.sender_id = f.owner_id AND m.cid = f.cid AND m.deleted_at IS NULL))
       RETURNING f.id`,
      [ages.unsentBefore, ages.sentBefore],
    );
    const ids = rows.map((row) => row.id);
    await this.bytes.remove(ids);
    return ids.length;
  }

  close(): Promise<void> {
    return this.bytes.close();
  }
}
