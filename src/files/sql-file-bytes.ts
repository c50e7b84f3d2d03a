import type { SqlDatabase } from '../store/sql.js';
import type { FileBytes } from './file-bytes.js';

/**
 * Pieces read per query: one, so that a download that is not read holds one piece (at most one WebSocket frame,
 * 64 KiB by default) and not a page of them; a query per piece costs ~0.2 ms on a local PostgreSQL.
 */
const PIECES_PER_READ = 1;

/**
 * File bytes in the database (`parley_file_chunks`), one row per piece: every instance of a cluster reads what any
 * of them stored. A file's rows go with its record (the foreign key cascades), so `remove` has nothing to do once
 * the records are deleted; it deletes the pieces itself for a caller that removes bytes alone.
 */
export class SqlFileBytes implements FileBytes {
  constructor(private readonly db: SqlDatabase) {}

  async write(id: string, seq: number, bytes: Uint8Array): Promise<void> {
    if (seq === 0) await this.db.query('DELETE FROM parley_file_chunks WHERE file_id = $1', [id]);
    await this.db.query('INSERT INTO parley_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [
      id,
      seq,
      bytes,
    ]);
  }

  async *read(id: string): AsyncIterable<Uint8Array> {
    let next = 0;
    for (;;) {
      const { rows } = await this.db.query<{ seq: number; data: Uint8Array }>(
        'SELECT seq, data FROM parley_file_chunks WHERE file_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3',
        [id, next, PIECES_PER_READ],
      );
      for (const row of rows) yield row.data;
      if (rows.length < PIECES_PER_READ) return;
      next = Number(rows[rows.length - 1]?.seq) + 1;
    }
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0)
      await this.db.query('DELETE FROM parley_file_chunks WHERE file_id = ANY($1::text[])', [ids]);
  }

  async close(): Promise<void> {}
}
