import type { SqlDatabase } from '../store/sql.js';
import {
  type ScheduledFailure,
  type ScheduledRecord,
  type ScheduledStore,
  soonestFirst,
} from './scheduled-store.js';

/** A row of `parley_scheduled` (bigint columns may come back as strings). */
interface ScheduledRow {
  id: string;
  user_id: string;
  user_name: string;
  room: string;
  text: string;
  at: string | number;
  created_at: string | number;
  reply_to: string | number | null;
  mentions: string | null;
  mentions_room: boolean;
  failed_code: string | null;
  failed_message: string | null;
  failed_at: string | number | null;
}

const COLUMNS =
  'id, user_id, user_name, room, text, at, created_at, reply_to, mentions, mentions_room, failed_code, failed_message, failed_at';

function recordOf(row: ScheduledRow): ScheduledRecord {
  const record: ScheduledRecord = {
    id: row.id,
    userId: row.user_id,
    userName: row.user_name,
    room: row.room,
    text: row.text,
    at: Number(row.at),
    createdAt: Number(row.created_at),
  };
  if (row.reply_to !== null) record.replyTo = Number(row.reply_to);
  if (row.mentions !== null) record.mentions = JSON.parse(row.mentions) as string[];
  if (row.mentions_room) record.mentionsRoom = true;
  if (row.failed_code !== null) {
    record.failed = { code: row.failed_code, message: row.failed_message ?? '', at: Number(row.failed_at) };
  }
  return record;
}

/** Scheduled messages in the database (PostgreSQL or the embedded store): claims by `FOR UPDATE SKIP LOCKED`. */
export class SqlScheduledStore implements ScheduledStore {
  constructor(private readonly db: SqlDatabase) {}

  async add(record: ScheduledRecord, max: number): Promise<boolean> {
    // The bound and the insert in one statement: the count is a range of the user's index.
    const { rowCount } = await this.db.query(
      `INSERT INTO parley_scheduled (id, user_id, user_name, room, text, at, created_at, reply_to, mentions, mentions_room)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
       WHERE (SELECT count(*) FROM parley_scheduled WHERE user_id = $2) < $11
       ON CONFLICT DO NOTHING`,
      [
        record.id,
        record.userId,
        record.userName,
        record.room,
        record.text,
        record.at,
        record.createdAt,
        record.replyTo ?? null,
        record.mentions ? JSON.stringify(record.mentions) : null,
        record.mentionsRoom === true,
        max,
      ],
    );
    return rowCount > 0;
  }

  async ofUser(userId: string): Promise<ScheduledRecord[]> {
    const { rows } = await this.db.query<ScheduledRow>(
      `SELECT ${COLUMNS} FROM parley_scheduled WHERE user_id = $1 ORDER BY at, id`,
      [userId],
    );
    return rows.map(recordOf);
  }

  async remove(userId: string, id: string): Promise<ScheduledRecord | undefined> {
    const { rows } = await this.db.query<ScheduledRow>(
      `DELETE FROM parley_scheduled WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [id, userId],
    );
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  async reschedule(userId: string, id: string, at: number): Promise<ScheduledRecord | undefined> {
    const { rows } = await this.db.query<ScheduledRow>(
      `UPDATE parley_scheduled
       SET at = $3, claimed_until = NULL, failed_code = NULL, failed_message = NULL, failed_at = NULL
       WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [id, userId, at],
    );
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<ScheduledRecord[]> {
    // SKIP LOCKED: an instance claiming at the same moment passes over the rows this one holds, and the lease
    // then keeps them from its next claim; rows of an instance that died are due again once their lease ends.
    const { rows } = await this.db.query<ScheduledRow>(
      `UPDATE parley_scheduled SET claimed_until = $2
       WHERE id IN (
         SELECT id FROM parley_scheduled
         WHERE at <= $1 AND failed_code IS NULL AND (claimed_until IS NULL OR claimed_until <= $1)
         ORDER BY at, id LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [now, leaseUntil, limit],
    );
    return rows.map(recordOf).sort(soonestFirst);
  }

  async sent(id: string): Promise<void> {
    await this.db.query('DELETE FROM parley_scheduled WHERE id = $1', [id]);
  }

  async fail(id: string, failure: ScheduledFailure): Promise<ScheduledRecord | undefined> {
    const { rows } = await this.db.query<ScheduledRow>(
      `UPDATE parley_scheduled SET failed_code = $2, failed_message = $3, failed_at = $4, claimed_until = NULL
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, failure.code, failure.message, failure.at],
    );
    return rows[0] ? recordOf(rows[0]) : undefined;
  }
}
