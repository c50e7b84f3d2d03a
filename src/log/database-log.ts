import { EngineUnavailableError, RateLimitError } from '../engine/engine.js';
import type { ChatMessage, MessageDraft, StreamPosition } from '../engine/types.js';
import type { MessageRateLimiter } from '../ratelimit/message-rate.js';
import { CommitBatcher, type Queued } from '../store/commit-batcher.js';
import { isUnavailable, type SqlDatabase, type SqlRunner } from '../store/sql.js';
import type { TimerHandle, Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { AppendResult, HistoryPage, HistoryQuery, RoomLog } from './room-log.js';

/** Settings of {@link DatabaseLog}. */
export interface DatabaseLogOptions {
  ids: IdGenerator;
  timers: Timers;
  /** Most messages committed in one transaction. */
  batchMaxMessages: number;
  /** Longest a message waits for its batch to start (when no batch is being committed). */
  batchMaxWaitMs: number;
}

/** A row of `parley_messages` joined with its room's epoch. */
interface MessageRow {
  room: string;
  offset: string;
  id: string;
  sender_id: string;
  sender_name: string;
  text: string;
  ts: string;
  cid: string;
  epoch: string;
}

const MESSAGE_COLUMNS = 'm.room, m."offset", m.id, m.sender_id, m.sender_name, m.text, m.ts, m.cid, r.epoch';

function toMessage(row: MessageRow): ChatMessage {
  return {
    room: row.room,
    id: row.id,
    offset: Number(row.offset),
    epoch: row.epoch,
    from: { id: row.sender_id, name: row.sender_name },
    text: row.text,
    ts: Number(row.ts),
    cid: row.cid,
  };
}

const keyOf = (d: MessageDraft) => `${d.room}\u0000${d.from.id}\u0000${d.cid}`;

/**
 * Hands committed messages to the bus (and the recent-window cache), in offset order per room. Called once per
 * committed batch, before the senders are answered; a failure is the publisher's to report (the messages are
 * stored whatever happens next).
 */
export type PublishCommitted = (messages: ChatMessage[]) => Promise<void> | void;

/**
 * The room log in a SQL database (PostgreSQL, or the embedded PGlite): a row per room (epoch, last offset) and a
 * row per message, in the schema of `store/migrations`. Appends are committed in batches (group commit: one
 * transaction for every message queued while the previous batch committed), offsets are assigned inside the
 * transaction from the room's row (locked by the update until commit, so instances writing to one room take
 * turns), and a message is handed to the bus only once committed: nothing delivered is missing from the
 * database. The same `(room, sender, cid)` is stored once, ever (a unique index), and published once.
 *
 * Every message is kept (retention by age is a separate setting); `historySize` does not apply.
 */
export class DatabaseLog implements RoomLog {
  /** Failed commits and reads (for metrics). */
  failures = 0;
  /** Batches committed, messages they held, and the time spent committing them (for metrics). */
  readonly commits = { batches: 0, messages: 0, seconds: 0 };
  private available = true;
  /** While unavailable: the next probe (`SELECT 1`), so that readiness comes back without traffic. */
  private probe?: TimerHandle;
  private readonly batcher: CommitBatcher<MessageDraft, AppendResult>;

  /**
   * @param publish hands committed messages to the bus
   * @param rate the per-user message rate (undefined: no limit), taken after the duplicate check
   */
  constructor(
    private readonly db: SqlDatabase,
    private readonly options: DatabaseLogOptions,
    private readonly publish: PublishCommitted,
    private readonly rate?: MessageRateLimiter,
  ) {
    this.batcher = new CommitBatcher((batch) => this.commit(batch), {
      maxBatch: options.batchMaxMessages,
      maxWaitMs: options.batchMaxWaitMs,
      timers: options.timers,
    });
  }

  /** False after a failure that means the database cannot be reached, until an operation succeeds again. */
  get isAvailable(): boolean {
    return this.available;
  }

  /** Messages waiting for their batch. */
  get queued(): number {
    return this.batcher.pending;
  }

  append(draft: MessageDraft): Promise<AppendResult> {
    return this.batcher.add(draft);
  }

  async read(room: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.guard(async () => {
      const position = await this.ensureRoom(this.db, room);
      const bounds: Array<string | number> = [room];
      const where = ['m.room = $1'];
      if (query.after !== undefined) where.push(`m."offset" > $${bounds.push(query.after)}`);
      if (query.before !== undefined) where.push(`m."offset" < $${bounds.push(query.before)}`);
      const order = query.after !== undefined ? 'ASC' : 'DESC';
      const limit = `$${bounds.push(Math.max(0, query.limit))}`;
      const page = await this.db.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
         WHERE ${where.join(' AND ')} ORDER BY m."offset" ${order} LIMIT ${limit}`,
        bounds,
      );
      const messages = page.rows.map(toMessage);
      if (order === 'DESC') messages.reverse();
      const first = await this.db.query<{ min: string | null }>(
        'SELECT min("offset") AS min FROM parley_messages WHERE room = $1',
        [room],
      );
      const earliest = first.rows[0]?.min ? Number(first.rows[0].min) : position.offset + 1;
      return { messages, position, earliest };
    });
  }

  position(room: string): Promise<StreamPosition> {
    return this.guard(() => this.ensureRoom(this.db, room));
  }

  /**
   * Deletes messages older than `olderThanTs` (ms since the Unix epoch), a bounded number per statement so that a
   * large backlog never holds locks for long; returns how many went and from which rooms. Rooms keep their epoch
   * and offsets: a history read or resume then starts at the oldest message left (`earliest`), and says so.
   */
  async prune(olderThanTs: number, perStatement = 10_000): Promise<{ deleted: number; rooms: Set<string> }> {
    let deleted = 0;
    const rooms = new Set<string>();
    for (;;) {
      const { rows } = await this.guard(() =>
        this.db.query<{ room: string }>(
          `DELETE FROM parley_messages WHERE ctid IN (
             SELECT ctid FROM parley_messages WHERE ts < $1 LIMIT $2) RETURNING room`,
          [olderThanTs, perStatement],
        ),
      );
      deleted += rows.length;
      for (const row of rows) rooms.add(row.room);
      if (rows.length < perStatement) return { deleted, rooms };
    }
  }

  async forget(room: string): Promise<void> {
    await this.guard(() =>
      this.db.query('DELETE FROM parley_rooms WHERE room = $1 AND last_offset = 0', [room]),
    );
  }

  /** The room's position, creating its row (with a fresh epoch) when it has none yet. */
  private async ensureRoom(db: SqlRunner, room: string): Promise<StreamPosition> {
    const { rows } = await db.query<{ epoch: string; last_offset: string }>(
      `WITH created AS (
         INSERT INTO parley_rooms (room, epoch) VALUES ($1, $2) ON CONFLICT (room) DO NOTHING
         RETURNING epoch, last_offset)
       SELECT epoch, last_offset FROM created
       UNION ALL SELECT epoch, last_offset FROM parley_rooms WHERE room = $1 LIMIT 1`,
      [room, this.options.ids.epoch()],
    );
    const row = rows[0] as { epoch: string; last_offset: string };
    return { epoch: row.epoch, offset: Number(row.last_offset) };
  }

  /** Commits one batch of appends in one transaction, then publishes and settles each. */
  private async commit(batch: Array<Queued<MessageDraft, AppendResult>>): Promise<void> {
    const started = performance.now();
    const outcome = await this.guard(() => this.db.transaction((tx) => this.store(tx, batch)));
    this.commits.batches += 1;
    this.commits.messages += batch.length;
    this.commits.seconds += (performance.now() - started) / 1000;
    // Committed: published in offset order (batch order within a room), then answered.
    const committed: ChatMessage[] = [];
    const seen = new Set<string>();
    for (const queued of batch) {
      const result = outcome.get(queued);
      if (!result || result instanceof Error || result.duplicate || seen.has(result.message.id)) continue;
      seen.add(result.message.id);
      committed.push(result.message);
    }
    if (committed.length > 0) await this.publish(committed);
    for (const queued of batch) {
      const result = outcome.get(queued);
      if (result instanceof Error) queued.reject(result);
      else if (result) queued.resolve(result);
    }
  }

  /** The batch's statements: duplicates found first, then the rate, then offsets and rows for the rest. */
  private async store(
    client: SqlRunner,
    batch: Array<Queued<MessageDraft, AppendResult>>,
  ): Promise<Map<Queued<MessageDraft, AppendResult>, AppendResult | Error>> {
    const outcome = new Map<Queued<MessageDraft, AppendResult>, AppendResult | Error>();
    const firsts = new Map<string, Queued<MessageDraft, AppendResult>>();
    for (const queued of batch) if (!firsts.has(keyOf(queued.item))) firsts.set(keyOf(queued.item), queued);
    const drafts = [...firsts.values()].map((q) => q.item);
    const existing = await client.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(room, sender_id, cid)
         ON m.room = k.room AND m.sender_id = k.sender_id AND m.cid = k.cid`,
      [drafts.map((d) => d.room), drafts.map((d) => d.from.id), drafts.map((d) => d.cid)],
    );
    const stored = new Map(
      existing.rows.map((row) => [`${row.room}\u0000${row.sender_id}\u0000${row.cid}`, row]),
    );
    const candidates: Array<Queued<MessageDraft, AppendResult>> = [];
    for (const [key, queued] of firsts) {
      const row = stored.get(key);
      if (row) outcome.set(queued, { message: toMessage(row), duplicate: true });
      else candidates.push(queued);
    }
    // The rate is taken before any room row is locked (a limiter in Redis costs a round trip).
    const waits = this.rate
      ? await Promise.all(candidates.map((queued) => this.rate?.take(queued.item.from.id) ?? 0))
      : [];
    const fresh = candidates.filter((queued, i) => {
      const wait = waits[i] ?? 0;
      if (wait > 0) outcome.set(queued, new RateLimitError(wait));
      return wait === 0;
    });
    await this.insert(client, fresh, outcome);
    // Repeats within the batch answer like the first of their key.
    for (const queued of batch) {
      if (outcome.has(queued)) continue;
      const first = outcome.get(firsts.get(keyOf(queued.item)) as Queued<MessageDraft, AppendResult>);
      outcome.set(
        queued,
        first instanceof Error ? first : { message: (first as AppendResult).message, duplicate: true },
      );
    }
    return outcome;
  }

  /** Takes the next offsets of each room (one statement for all rooms) and inserts the messages (one more). */
  private async insert(
    client: SqlRunner,
    fresh: Array<Queued<MessageDraft, AppendResult>>,
    outcome: Map<Queued<MessageDraft, AppendResult>, AppendResult | Error>,
  ): Promise<void> {
    if (fresh.length === 0) return;
    const counts = new Map<string, number>();
    for (const { item } of fresh) counts.set(item.room, (counts.get(item.room) ?? 0) + 1);
    // Rows are locked in one order (sorted) by every instance, so two batches never wait on each other in a cycle.
    const rooms = [...counts.keys()].sort();
    const taken = await client.query<{ room: string; epoch: string; last_offset: string }>(
      `INSERT INTO parley_rooms AS r (room, epoch, last_offset)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (room) DO UPDATE SET last_offset = r.last_offset + EXCLUDED.last_offset, updated_at = now()
       RETURNING r.room, r.epoch, r.last_offset`,
      [rooms, rooms.map(() => this.options.ids.epoch()), rooms.map((room) => counts.get(room))],
    );
    const next = new Map(
      taken.rows.map((row) => [
        row.room,
        { epoch: row.epoch, offset: Number(row.last_offset) - (counts.get(row.room) as number) + 1 },
      ]),
    );
    const messages = fresh.map(({ item }) => {
      const slot = next.get(item.room) as { epoch: string; offset: number };
      // The same field order as a message read back (toMessage): one JSON per message, wherever it is cached.
      const message: ChatMessage = {
        room: item.room,
        id: item.id,
        offset: slot.offset,
        epoch: slot.epoch,
        from: item.from,
        text: item.text,
        ts: item.ts,
        cid: item.cid,
      };
      slot.offset += 1;
      return message;
    });
    await client.query(
      `INSERT INTO parley_messages (room, "offset", id, sender_id, sender_name, text, ts, cid)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])`,
      [
        messages.map((m) => m.room),
        messages.map((m) => m.offset),
        messages.map((m) => m.id),
        messages.map((m) => m.from.id),
        messages.map((m) => m.from.name),
        messages.map((m) => m.text),
        messages.map((m) => m.ts),
        messages.map((m) => m.cid),
      ],
    );
    fresh.forEach((queued, i) => {
      outcome.set(queued, { message: messages[i] as ChatMessage, duplicate: false });
    });
  }

  /** Runs a database operation; a failure that means "unreachable" becomes EngineUnavailableError. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.available = true;
      return result;
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** Probes the database every second while it is unavailable; available again at the first answer. */
  private startProbing(): void {
    if (this.probe) return;
    this.probe = this.options.timers.setTimeout(() => {
      this.probe = undefined;
      this.db.query('SELECT 1').then(
        () => {
          this.available = true;
        },
        () => this.startProbing(),
      );
    }, 1000);
  }

  /** Stops probing (the engine is closing). */
  stop(): void {
    this.probe?.cancel();
    this.probe = undefined;
  }

  private failed(error: unknown): Error {
    if (error instanceof EngineUnavailableError) return error;
    this.failures += 1;
    if (isUnavailable(error)) {
      this.available = false;
      this.startProbing();
      const message = error instanceof Error ? error.message : String(error);
      return new EngineUnavailableError(`database unavailable: ${message}`, { cause: error });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
