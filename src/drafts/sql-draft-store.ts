import type { Draft } from '../../client/wire/domain.js';
import type { SqlDatabase } from '../store/sql.js';
import type { DraftStore } from './draft-store.js';

/** Drafts in the database (PostgreSQL or the embedded store): `parley_drafts`, by user and room (migration 027). */
export class SqlDraftStore implements DraftStore {
  constructor(private readonly db: SqlDatabase) {}

  async set(userId: string, draft: Draft, max: number): Promise<boolean> {
    // The bound and the write in one statement: a new room only while the user keeps fewer than `max` (a range of
    // the primary key); a room they have a draft of, always.
    const { rowCount } = await this.db.query(
      `INSERT INTO parley_drafts (user_id, room, text, at)
       SELECT $1, $2, $3, $4
       WHERE EXISTS (SELECT 1 FROM parley_drafts WHERE user_id = $1 AND room = $2)
          OR (SELECT count(*) FROM parley_drafts WHERE user_id = $1) < $5
       ON CONFLICT (user_id, room) DO UPDATE SET text = EXCLUDED.text, at = EXCLUDED.at`,
      [userId, draft.room, draft.text, draft.at, max],
    );
    return rowCount > 0;
  }

  async clear(userId: string, room: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM parley_drafts WHERE user_id = $1 AND room = $2', [
      userId,
      room,
    ]);
    return rowCount > 0;
  }

  async ofUser(userId: string): Promise<Draft[]> {
    const { rows } = await this.db.query<{ room: string; text: string; at: string | number }>(
      'SELECT room, text, at FROM parley_drafts WHERE user_id = $1 ORDER BY at DESC, room',
      [userId],
    );
    return rows.map((row) => ({ room: row.room, text: row.text, at: Number(row.at) }));
  }
}
