import { applyAction, repliesAfter } from '../../client/wire/actions.js';
import {
  type FileRef,
  type ForwardedMessage,
  REACTION_USERS_SHOWN,
  type ThreadSummary,
} from '../../client/wire/domain.js';
import { EngineUnavailableError, RateLimitError } from '../engine/engine.js';
import {
  type ChatMessage,
  type MessageAction,
  type MessageDraft,
  type Reaction,
  rateKeyOf,
  type StreamPosition,
  type SystemEvent,
  storedMessage,
} from '../engine/types.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { MessageRateLimiter } from '../ratelimit/message-rate.js';
import { type BatchSizes, CommitBatcher, type Queued } from '../store/commit-batcher.js';
import { isUnavailable, type SqlDatabase, type SqlRunner } from '../store/sql.js';
import type { TimerHandle, Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import {
  afterInRoom,
  estimator,
  filterConditions,
  indexWords,
  likePatterns,
  resultOrder,
  type SampleRow,
  SEARCH_BOUNDS,
  type SearchBounds,
  sampleStatement,
  textWords,
  tsquery,
  walkPerRoom,
  walkSteps,
} from './database-search.js';
import { checkThreadRoot, decideAction, entryText, type ReactionFacts } from './message-actions.js';
import type { MessageSearch, SearchCursor, SearchQuery, SearchResult } from './message-search.js';
import {
  type ActionDraft,
  type ActResult,
  type AppendResult,
  type HistoryPage,
  type HistoryQuery,
  type MessageEdits,
  markerKey,
  type ReadMarker,
  type RoomLog,
  type RoomOverview,
  type ThreadMarker,
  threadMarkerKey,
  type UnreadCounts,
} from './room-log.js';

/** Settings of {@link DatabaseLog}. */
export interface DatabaseLogOptions {
  ids: IdGenerator;
  timers: Timers;
  /** Most messages committed in one transaction, and how many end a batch's wait. */
  batch: BatchSizes;
  /** Longest a message waits for its batch to start (when no batch is being committed). */
  batchMaxWaitMs: number;
  /** How much one search may ask of the database (default {@link SEARCH_BOUNDS}; the --search-* options). */
  searchBounds?: Partial<SearchBounds>;
}

/** Where a walk through the rooms stopped (DatabaseLog.searchRooms), on every row of its answer. */
interface WalkEdgeRow {
  edge_ts: string | null;
  edge_room: string | null;
  edge_offset: string | null;
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
  event: string | null;
  mentions: string | null;
  action: string | null;
  reply_to: string | null;
  edited_at: string | null;
  deleted_at: string | null;
  reactions: string | null;
  rev: string | null;
  files: string | null;
  forwarded: string | null;
  thread: string | null;
  replies: string | null;
  broadcast: boolean | null;
  epoch: string;
}

const MESSAGE_COLUMNS =
  'm.room, m."offset", m.id, m.sender_id, m.sender_name, m.text, m.ts, m.cid, m.event, m.mentions, m.action, m.reply_to, ' +
  'm.edited_at, m.deleted_at, m.reactions, m.rev, m.files, m.forwarded, m.thread, m.replies, m.broadcast, r.epoch';

/**
 * The group commit: one batch, one statement, prepared once per connection (planning it cost PGlite five times
 * running a one-message batch). Parameters: arrays, one per column, so that one statement serves any batch size:
 * the index of each draft in the batch, its room, id, sender id, sender name, text, ts, cid, system event (JSON
 * or null), the offset it replies to (or null), the user ids it mentions (JSON or null), the files it carries (JSON
 * or null) and the message it forwards (JSON or null) ($1-$13); and the epoch given to rooms created now ($14).
 *
 * - `dup`: drafts already stored (same room, sender and cid) come back as duplicates with the stored message,
 *   found by one probe of the idempotency index per draft. The cached generic plan must stay an index lookup
 *   whatever the table's size was when it was planned: a join the planner may turn into a scan of every message is
 *   planned for a small table, and PGlite has no autovacuum to re-plan it as the table grows.
 * - `fresh`, `taken`: the others take the next offsets of their room, in batch order within the room (one upsert
 *   of the rooms' rows, which stay locked until the statement ends; rooms in sorted order, so that two instances'
 *   batches never wait on each other in a cycle).
 * - `planned`, `stored`: each new message with its offset, inserted; the result is read from `planned` (a
 *   data-modifying step runs to completion whether or not it is read, and its failure fails the statement), which
 *   saves joining the inserted rows back to their drafts.
 *
 * Exported for the test of its plan.
 */
export const APPEND_STATEMENT = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[])
    AS i(n, room, id, sender_id, sender_name, text, ts, cid, event, reply_to, mentions, files, forwarded)
),
dup AS (
  SELECT i.n, m.*
  FROM input i CROSS JOIN LATERAL (
    SELECT m."offset", m.id, m.sender_name, m.text, m.ts, m.event, m.reply_to, m.mentions, m.files, m.forwarded, r.epoch
    FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
    WHERE m.room = i.room AND m.sender_id = i.sender_id AND m.cid = i.cid LIMIT 1
  ) m
),
fresh AS (
  SELECT i.*, row_number() OVER (PARTITION BY i.room ORDER BY i.n) AS k, count(*) OVER (PARTITION BY i.room) AS c,
         count(*) FILTER (WHERE i.event IS NULL) OVER (PARTITION BY i.room ORDER BY i.n) AS kc,
         count(*) FILTER (WHERE i.event IS NULL) OVER (PARTITION BY i.room) AS cc
  FROM input i WHERE NOT EXISTS (SELECT 1 FROM dup WHERE dup.n = i.n)
),
taken AS (
  INSERT INTO parley_rooms AS r (room, epoch, last_offset, counted)
  SELECT room, $14::text, count(*), count(*) FILTER (WHERE event IS NULL) FROM fresh GROUP BY room ORDER BY room
  ON CONFLICT (room) DO UPDATE SET last_offset = r.last_offset + EXCLUDED.last_offset,
    counted = r.counted + EXCLUDED.counted, updated_at = now()
  RETURNING r.room, r.epoch, r.last_offset, r.counted
),
planned AS (
  SELECT f.n, f.room, t.last_offset - f.c + f.k AS "offset", t.epoch, f.id, f.sender_id, f.sender_name, f.text,
         f.ts, f.cid, f.event, f.reply_to, f.mentions, f.files, f.forwarded,
         CASE WHEN f.event IS NULL THEN t.counted - f.cc + f.kc END AS seq
  FROM fresh f JOIN taken t ON t.room = f.room
),
stored AS (
  INSERT INTO parley_messages (room, "offset", id, sender_id, sender_name, text, ts, cid, event, reply_to, mentions, files, forwarded, seq)
  SELECT room, "offset", id, sender_id, sender_name, text, ts, cid, event, reply_to, mentions, files, forwarded, seq FROM planned
),
mentioned AS (
  INSERT INTO parley_mentions (user_id, room, "offset")
  SELECT DISTINCT u.id, p.room, p."offset" FROM planned p CROSS JOIN LATERAL json_array_elements_text(p.mentions::json) AS u(id)
  WHERE p.mentions IS NOT NULL AND u.id <> p.sender_id
)
SELECT n, "offset", epoch, false AS duplicate, id, sender_name, text, ts, event, reply_to, mentions, files, forwarded
FROM planned
UNION ALL
SELECT d.n, d."offset", d.epoch, true, d.id, d.sender_name, d.text, d.ts, d.event, d.reply_to, d.mentions, d.files,
       d.forwarded FROM dup d`;

/**
 * The messages already stored among (room, sender id, cid) triples ($1-$3, arrays): the rate limit's read before a
 * commit. Prepared, so, like the commit's `dup` step, one probe of the idempotency index per triple: a join here is
 * planned as a scan of every message while the table is small, and that plan would stay.
 */
export const STORED_CIDS_STATEMENT = `
SELECT s.*
FROM unnest($1::text[], $2::text[], $3::text[]) AS k(room, sender_id, cid)
CROSS JOIN LATERAL (
  SELECT ${MESSAGE_COLUMNS} FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
  WHERE m.room = k.room AND m.sender_id = k.sender_id AND m.cid = k.cid LIMIT 1
) s`;

/**
 * Per read marker `k`: the messages after it (`also`: and of its thread) that mention the whole room (their row of
 * the empty user id: one range of the mentions' index), but the user's own and those that name the user as well
 * (counted once, by their own row).
 */
const roomMentionsAfter = (also = '') => `(SELECT count(*) FROM parley_mentions x
          JOIN parley_messages m ON m.room = x.room AND m."offset" = x."offset"
          WHERE x.user_id = '' AND x.room = k.room AND x."offset" > k.after AND m.sender_id <> k.user_id${also}
            AND NOT EXISTS (SELECT 1 FROM parley_mentions y
              WHERE y.user_id = k.user_id AND y.room = x.room AND y."offset" = x."offset"))`;

/**
 * Per read marker `k` (room, after, user_id) of a room `r`: the unread chat messages (the room's count of chat
 * messages less the count at the newest chat message at or before the marker: one backward probe of the primary
 * key) and the user's mentions after it (one range of their index); neither is looked up for a room read to its
 * end (the common case: nothing to count). The tail of the statements below.
 */
const COUNTS_AFTER_MARKERS = `CROSS JOIN LATERAL (
  SELECT CASE WHEN k.after >= r.last_offset THEN 0 ELSE r.counted - coalesce((
           SELECT m.seq FROM parley_messages m
           WHERE m.room = k.room AND m."offset" <= k.after AND m.seq IS NOT NULL
           ORDER BY m."offset" DESC LIMIT 1), 0) END AS unread,
         CASE WHEN k.after >= r.last_offset THEN 0 ELSE (SELECT count(*) FROM parley_mentions x
          WHERE x.user_id = k.user_id AND x.room = k.room AND x."offset" > k.after) + ${roomMentionsAfter()} END
          AS mentions
) u
WHERE r.last_offset > 0`;

/**
 * The room list's view of rooms after read markers (rooms $1, offsets $2, users $3), as one JSON array: per room,
 * its newest message that is no action and no thread reply kept to its thread (one probe of the primary key from
 * its end; those are no preview) and the counts of {@link UNREAD_STATEMENT}. One statement and one JSON text: the embedded store spends ~40 us per row
 * handing rows over, which for 500 rooms was most of the room list. Exported for the test of its plan.
 */
export const OVERVIEW_STATEMENT = `
SELECT json_agg(json_build_object('room', k.room, 'last', l, 'unread', u.unread, 'mentions', u.mentions))::text
  AS rooms
FROM unnest($1::text[], $2::bigint[], $3::text[]) AS k(room, after, user_id)
JOIN parley_rooms r ON r.room = k.room
LEFT JOIN LATERAL (
  SELECT m.room, m."offset", m.id, m.sender_id, m.sender_name, m.text, m.ts, m.cid, m.event, m.mentions, m.action,
         m.reply_to, m.edited_at, m.deleted_at, m.reactions, m.rev, m.files, m.forwarded, m.thread, m.replies, m.broadcast,
         r.epoch
  FROM parley_messages m
  WHERE m.room = k.room AND m.action IS NULL AND (m.thread IS NULL OR m.broadcast) ORDER BY m."offset" DESC LIMIT 1
) l ON true
${COUNTS_AFTER_MARKERS}`;

/**
 * Unread counts after read markers (rooms $1, offsets $2, users $3), as one JSON array: per marker, the room's
 * count of chat messages less the count at the newest chat message at or before the marker (one backward probe of
 * the primary key), and the user's mention rows after the marker (one range of their index).
 */
export const UNREAD_STATEMENT = `
SELECT json_agg(json_build_object('room', k.room, 'user', k.user_id, 'unread', u.unread, 'mentions', u.mentions))::text AS counts
FROM unnest($1::text[], $2::bigint[], $3::text[]) AS k(room, after, user_id)
JOIN parley_rooms r ON r.room = k.room
${COUNTS_AFTER_MARKERS}`;

/**
 * Per thread marker (rooms $1, roots $2, offsets $3, users $4), as one JSON array: the thread's replies after the
 * marker (one range of the thread index) and the mention rows of the user among them (one range of their index,
 * each checked against its message's thread).
 */
export const THREAD_UNREAD_STATEMENT = `
SELECT json_agg(json_build_object('room', k.room, 'thread', k.thread, 'user', k.user_id, 'unread', u.unread,
  'mentions', u.mentions))::text AS counts
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) AS k(room, thread, after, user_id)
CROSS JOIN LATERAL (
  SELECT (SELECT count(*) FROM parley_messages m
          WHERE m.room = k.room AND m.thread = k.thread AND m."offset" > k.after) AS unread,
         (SELECT count(*) FROM parley_mentions x JOIN parley_messages m ON m.room = x.room AND m."offset" = x."offset"
          WHERE x.user_id = k.user_id AND x.room = k.room AND x."offset" > k.after AND m.thread = k.thread)
         + ${roomMentionsAfter(' AND m.thread = k.thread')} AS mentions
) u`;

/**
 * A thread's reply, once its root is locked and checked (DatabaseLog.storeReply), in one statement: the room's next
 * offset taken (its row locked until commit, as a batch of appends does), the reply stored with it (room $1, id $2,
 * sender id $3 and name $4, text $5, ts $6, cid $7, the offset it quotes $8, mentions $9 and files $10 as JSON or
 * null, the root's offset $11), a mention row per user it mentions other than its sender ($12), and the root's
 * summary ($13) and rev (the reply's offset) changed. A reply also sent to the room ($14) is counted as the room's
 * chat messages are (its `seq`, the room's `counted`); the message it forwards ($15, JSON or null). Returns the
 * room's epoch and the reply's offset.
 */
const STORE_REPLY_STATEMENT = `
WITH taken AS (
  UPDATE parley_rooms SET last_offset = last_offset + 1, updated_at = now(),
    counted = counted + CASE WHEN $14::boolean THEN 1 ELSE 0 END
  WHERE room = $1
  RETURNING epoch, last_offset, counted
),
stored AS (
  INSERT INTO parley_messages
    (room, "offset", id, sender_id, sender_name, text, ts, cid, reply_to, mentions, files, thread, broadcast, seq,
     forwarded)
  SELECT $1, t.last_offset, $2, $3, $4, $5, $6::bigint, $7, $8::bigint, $9, $10, $11::bigint,
         CASE WHEN $14::boolean THEN true END, CASE WHEN $14::boolean THEN t.counted END, $15
  FROM taken t
),
mentioned AS (
  INSERT INTO parley_mentions (user_id, room, "offset")
  SELECT DISTINCT u.id, $1, t.last_offset FROM taken t CROSS JOIN unnest($12::text[]) AS u(id)
),
root AS (
  UPDATE parley_messages SET replies = $13, rev = (SELECT last_offset FROM taken)
  WHERE room = $1 AND "offset" = $11::bigint
)
SELECT epoch, last_offset FROM taken`;

/** A row of {@link APPEND_STATEMENT}'s result. */
interface AppendedRow {
  n: number;
  offset: string;
  epoch: string;
  duplicate: boolean;
  id: string;
  sender_name: string;
  text: string;
  ts: string;
  event: string | null;
  reply_to: string | null;
  mentions: string | null;
  files: string | null;
  forwarded: string | null;
}

/**
 * The mention row (and `mentions` entry) of a message that mentions everyone in its room (`mentionsRoom`): no user id
 * is empty, so it names nobody, and the counts read it for every member but the sender.
 */
const ROOM_MENTION = '';

/** A draft's `mentions` column: the users it mentions, and {@link ROOM_MENTION} for the room (JSON, or null). */
function mentionsColumn(draft: MessageDraft): string | null {
  const all = draft.mentionsRoom ? [...(draft.mentions ?? []), ROOM_MENTION] : draft.mentions;
  return all?.length ? JSON.stringify(all) : null;
}

/** The mention rows of a reply: a row per user it mentions but its sender, and the room's. */
function mentionRows(draft: MessageDraft): string[] {
  const users = draft.mentions?.filter((user) => user !== draft.from.id) ?? [];
  return draft.mentionsRoom ? [...users, ROOM_MENTION] : users;
}

/** A draft's `forwarded` column: the message it forwards, as JSON, or null. */
function forwardedColumn(draft: MessageDraft): string | null {
  return draft.forwarded ? JSON.stringify(draft.forwarded) : null;
}

/** A message's `mentions` and `mentionsRoom` from its column (each only when it has it). */
function mentionsOf(column: string): Pick<ChatMessage, 'mentions' | 'mentionsRoom'> {
  const all = JSON.parse(column) as string[];
  const users = all.filter((user) => user !== ROOM_MENTION);
  if (users.length === all.length) return { mentions: users };
  return users.length > 0 ? { mentions: users, mentionsRoom: true } : { mentionsRoom: true };
}

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
    ...(row.event !== null ? { event: JSON.parse(row.event) as SystemEvent } : {}),
    ...(row.mentions !== null ? mentionsOf(row.mentions) : {}),
    ...(row.action !== null ? { action: JSON.parse(row.action) as MessageAction } : {}),
    ...(row.reply_to !== null ? { replyTo: Number(row.reply_to) } : {}),
    ...(row.files !== null ? { files: JSON.parse(row.files) as FileRef[] } : {}),
    ...(row.forwarded !== null ? { forwarded: JSON.parse(row.forwarded) as ForwardedMessage } : {}),
    ...(row.thread !== null ? { thread: Number(row.thread) } : {}),
    ...(row.broadcast ? { broadcast: true as const } : {}),
    ...(row.replies !== null ? { replies: JSON.parse(row.replies) as ThreadSummary } : {}),
    ...(row.edited_at !== null ? { edited: Number(row.edited_at) } : {}),
    ...(row.deleted_at !== null ? { deleted: true as const } : {}),
    ...(row.reactions !== null ? { reactions: JSON.parse(row.reactions) as Reaction[] } : {}),
    ...(row.rev !== null ? { rev: Number(row.rev) } : {}),
  };
}

/** Read markers as the three arrays (rooms, offsets, users) of the statements that count after them. */
const markerParams = (markers: ReadonlyArray<ReadMarker>) => [
  markers.map((m) => m.room),
  markers.map((m) => m.after),
  markers.map((m) => m.user),
];

const keyOf = (d: MessageDraft) => `${d.room}\u0000${d.from.id}\u0000${d.cid}`;

/**
 * Hands committed messages to the bus (and the recent-window cache), in offset order per room. Called once per
 * committed batch, just before the senders are answered, and not awaited (a slow Redis shard delays no ack); a
 * failure is the publisher's to report (the messages are stored whatever happens next).
 */
export type PublishCommitted = (messages: ChatMessage[], replaced?: ChatMessage[]) => Promise<void> | void;

/**
 * The room log in a SQL database (PostgreSQL, or the embedded PGlite): a row per room (epoch, last offset) and a
 * row per message, in the schema of `store/migrations`. Appends are committed in batches (group commit: one
 * statement for every message queued while the previous batch committed), offsets are assigned inside it from the
 * room's row (locked by the upsert until commit, so instances writing to one room take turns), and a message is handed to the bus only once committed: nothing delivered is missing from the
 * database. The same `(room, sender, cid)` is stored once, ever (a unique index), and published once.
 *
 * Every message is kept (retention by age is a separate setting); `historySize` does not apply.
 */
export class DatabaseLog implements RoomLog, MessageSearch {
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
      ...options.batch,
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
    return draft.thread === undefined ? this.batcher.add(draft) : this.appendToThread(draft);
  }

  /**
   * A thread reply, in a transaction of its own (as an action is: its root is locked, checked and changed with it);
   * then published with the root as it is now, so that cached copies are replaced, and awaited as an action's is.
   */
  private async appendToThread(draft: MessageDraft): Promise<AppendResult> {
    const store = () => this.db.transaction((tx) => this.storeReply(tx, draft));
    // The same reply sent twice at once (a retry racing its first send, on two instances): the unique index refuses
    // the second insert; run again, it finds the first and answers a duplicate.
    const done = await this.guard(() =>
      store().catch((error: unknown) => {
        if ((error as { code?: unknown }).code === '23505') return store();
        throw error;
      }),
    );
    if (!done.duplicate && done.root)
      await Promise.resolve(this.publish([done.message], [done.root])).catch(() => {});
    return done.duplicate || !done.root
      ? { message: done.message, duplicate: done.duplicate }
      : { message: done.message, duplicate: false, root: done.root };
  }

  private async storeReply(tx: SqlRunner, draft: MessageDraft): Promise<AppendResult> {
    const { room } = draft;
    const stored = await tx.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
       WHERE m.room = $1 AND m.sender_id = $2 AND m.cid = $3`,
      [room, draft.from.id, draft.cid],
      'parley_reply_stored',
    );
    const original = stored.rows[0];
    if (original) return { message: toMessage(original), duplicate: true };
    const roots = await tx.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
       WHERE m.room = $1 AND m."offset" = $2 FOR UPDATE OF m`,
      [room, draft.thread],
      'parley_reply_root',
    );
    const root = roots.rows[0] ? toMessage(roots.rows[0]) : undefined;
    checkThreadRoot(root);
    const rateKey = rateKeyOf(draft);
    const wait = rateKey === undefined ? 0 : ((await this.rate?.take(rateKey)) ?? 0);
    if (wait > 0) throw new RateLimitError(wait);
    // The root's summary does not depend on the reply's offset, which the statement takes: one statement stores it.
    const replies = repliesAfter(root.replies, draft);
    const taken = await tx.query<{ epoch: string; last_offset: string }>(
      STORE_REPLY_STATEMENT,
      [
        room,
        draft.id,
        draft.from.id,
        draft.from.name,
        draft.text,
        draft.ts,
        draft.cid,
        draft.replyTo ?? null,
        mentionsColumn(draft),
        draft.files?.length ? JSON.stringify(draft.files) : null,
        root.offset,
        mentionRows(draft),
        JSON.stringify(replies),
        draft.broadcast === true,
        forwardedColumn(draft),
      ],
      'parley_reply',
    );
    const position = taken.rows[0] as { epoch: string; last_offset: string };
    const message = storedMessage(draft, { offset: Number(position.last_offset), epoch: position.epoch });
    return { message, duplicate: false, root: { ...root, replies, rev: message.offset } };
  }

  /**
   * One transaction: the target locked and checked, the action's entry at the room's next offset (the room's row
   * locked, as a batch of appends does), the target changed; then the entry published with the messages it changed
   * (the target, and on a delete the edits whose text went), so that cached copies are replaced.
   */
  async act(draft: ActionDraft): Promise<ActResult> {
    const done = await this.guard(() => this.db.transaction((tx) => this.apply(tx, draft)));
    // Awaited, unlike a batch's: once the action is answered, no read of the window returns the message unchanged.
    if (done.entry) await Promise.resolve(this.publish([done.entry], done.replaced)).catch(() => {});
    return { ...(done.entry ? { entry: done.entry } : {}), target: done.target };
  }

  private async apply(
    tx: SqlRunner,
    draft: ActionDraft,
  ): Promise<{ entry?: ChatMessage; target: ChatMessage; replaced: ChatMessage[] }> {
    const { room, action } = draft;
    const offset = action.target;
    const messagesAt = async (offsets: number[]) =>
      (
        await tx.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
           WHERE m.room = $1 AND m."offset" = ANY($2::bigint[]) ORDER BY m."offset" FOR UPDATE OF m`,
          [room, offsets],
        )
      ).rows.map(toMessage);
    const [target] = Number.isSafeInteger(offset) && offset > 0 ? await messagesAt([offset]) : [];
    let facts: ReactionFacts = { mine: false, used: false, distinct: 0 };
    if (action.type === 'react' && target) {
      const { rows } = await tx.query<ReactionFacts>(
        `SELECT coalesce(bool_or(emoji = $3 AND user_id = $4), false) AS mine,
                coalesce(bool_or(emoji = $3), false) AS used, count(DISTINCT emoji)::int AS distinct
         FROM parley_reactions WHERE room = $1 AND "offset" = $2`,
        [room, offset, action.emoji, draft.from.id],
      );
      facts = rows[0] ?? facts;
    }
    if (!decideAction(draft, target, facts) || !target)
      return { target: target as ChatMessage, replaced: [] };
    const wait = (await this.rate?.take(draft.from.id)) ?? 0;
    if (wait > 0) throw new RateLimitError(wait);

    const taken = await tx.query<{ epoch: string; last_offset: string }>(
      'UPDATE parley_rooms SET last_offset = last_offset + 1, updated_at = now() WHERE room = $1 RETURNING epoch, last_offset',
      [room],
    );
    const position = taken.rows[0] as { epoch: string; last_offset: string };
    const entry: ChatMessage = {
      room,
      id: draft.id,
      offset: Number(position.last_offset),
      epoch: position.epoch,
      from: draft.from,
      text: entryText(draft),
      ts: draft.ts,
      cid: `act:${draft.id}`,
      action,
    };
    await tx.query(
      `INSERT INTO parley_messages (room, "offset", id, sender_id, sender_name, text, ts, cid, action, target)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        room,
        entry.offset,
        entry.id,
        entry.from.id,
        entry.from.name,
        entry.text,
        entry.ts,
        entry.cid,
        JSON.stringify(action),
        offset,
      ],
    );
    const changed = [offset];
    if (action.type === 'edit') {
      await tx.query(
        // The first text is kept at the first edit (the right-hand side reads the row as it was).
        `UPDATE parley_messages SET original_text = coalesce(original_text, text), text = $3, edited_at = $4, rev = $5
         WHERE room = $1 AND "offset" = $2`,
        [room, offset, entry.text, entry.ts, entry.offset],
      );
    } else if (action.type === 'delete') {
      await tx.query(
        `UPDATE parley_messages SET text = '', original_text = NULL, deleted_at = $3, reactions = NULL, files = NULL,
         forwarded = NULL, rev = $4
         WHERE room = $1 AND "offset" = $2`,
        [room, offset, entry.ts, entry.offset],
      );
      await tx.query('DELETE FROM parley_reactions WHERE room = $1 AND "offset" = $2', [room, offset]);
      // A deleted message mentions nobody any more.
      await tx.query('DELETE FROM parley_mentions WHERE room = $1 AND "offset" = $2', [room, offset]);
      // Its edits' text goes too (the partial index holds the edits that still have text).
      const blanked = await tx.query<{ offset: string }>(
        `UPDATE parley_messages SET text = '' WHERE room = $1 AND target = $2 AND text <> '' RETURNING "offset"`,
        [room, offset],
      );
      changed.push(...blanked.rows.map((row) => Number(row.offset)));
    } else {
      await tx.query(
        action.add
          ? 'INSERT INTO parley_reactions (room, "offset", emoji, user_id, at) VALUES ($1, $2, $3, $4, $5)'
          : 'DELETE FROM parley_reactions WHERE room = $1 AND "offset" = $2 AND emoji = $3 AND user_id = $4',
        action.add
          ? [room, offset, action.emoji, draft.from.id, entry.ts]
          : [room, offset, action.emoji, draft.from.id],
      );
      const reactions = await this.reactionsAfter(tx, target, entry);
      await tx.query(
        'UPDATE parley_messages SET reactions = $3, rev = $4 WHERE room = $1 AND "offset" = $2',
        [room, offset, reactions ? JSON.stringify(reactions) : null, entry.offset],
      );
    }
    const replaced = await messagesAt(changed);
    return { entry, target: replaced[0] as ChatMessage, replaced };
  }

  /**
   * The message's first text (kept at its first edit) and its newest `max` edits' entries, through the index of
   * edits that still have text (migration 004): one round trip, no more rows than that however often the message was
   * edited. An edit's text is never empty, so the index holds every edit of a message not deleted.
   */
  async edits(room: string, offset: number, max: number): Promise<MessageEdits | undefined> {
    if (!Number.isSafeInteger(offset) || offset < 1) return undefined;
    return this.guard(async () => {
      const { rows } = await this.db.query<{
        text: string;
        ts: string;
        original_text: string | null;
        edited_at: string | null;
        deleted_at: string | null;
        edit: boolean;
      }>(
        `SELECT m.text, m.ts, m.original_text, m.edited_at, m.deleted_at, false AS edit, m."offset"
         FROM parley_messages m WHERE m.room = $1 AND m."offset" = $2 AND m.event IS NULL AND m.action IS NULL
         UNION ALL
         (SELECT e.text, e.ts, NULL, NULL, NULL, true, e."offset" FROM parley_messages e
          WHERE e.room = $1 AND e.target = $2 AND e.text <> '' ORDER BY e."offset" DESC LIMIT $3::bigint)
         ORDER BY edit, "offset"`,
        [room, offset, Math.max(1, Math.floor(max))],
      );
      const [message, ...edits] = rows;
      if (!message || message.edit) return undefined;
      if (message.deleted_at !== null) return { versions: [] };
      const later = edits.map((row) => ({ text: row.text, ts: Number(row.ts) }));
      if (message.edited_at === null) return { versions: [{ text: message.text, ts: Number(message.ts) }] };
      // Edited more than `max` times (the first text and older edits left out), or before the first texts were
      // kept (migration 023): the edits' texts alone.
      if (message.original_text === null || later.length >= max) return { versions: later, partial: true };
      return { versions: [{ text: message.original_text, ts: Number(message.ts) }, ...later] };
    });
  }

  /**
   * The target's reactions after a reaction entry, as a client applying the entry makes them (`applyAction`): an
   * emoji keeps its place while anyone's reaction holds it, and a user is named in the order they reacted. So a
   * message read from history shows its reactions as a client that watched them come live shows them. (Ordering
   * by the rows' times instead put an emoji whose first user took theirs back after newer ones, and ordered users
   * by each instance's clock.) The one thing a client cannot do, the store does: past the
   * {@link REACTION_USERS_SHOWN} names, one who took theirs back leaves a place for the next who reacted.
   */
  private async reactionsAfter(
    tx: SqlRunner,
    target: ChatMessage,
    entry: ChatMessage,
  ): Promise<Reaction[] | undefined> {
    const reactions = applyAction(target, entry).reactions;
    const action = entry.action;
    if (action?.type !== 'react' || action.add || !reactions) return reactions;
    const shown = reactions.find((r) => r.emoji === action.emoji);
    const missing = shown ? Math.min(shown.count, REACTION_USERS_SHOWN) - shown.users.length : 0;
    if (!shown || missing <= 0) return reactions;
    const { rows } = await tx.query<{ user_id: string }>(
      `SELECT user_id FROM parley_reactions
       WHERE room = $1 AND "offset" = $2 AND emoji = $3 AND NOT (user_id = ANY($4::text[]))
       ORDER BY at, user_id LIMIT $5`,
      [target.room, target.offset, action.emoji, shown.users, missing],
    );
    const users = [...shown.users, ...rows.map((row) => row.user_id)];
    return reactions.map((r) => (r === shown ? { ...r, users } : r));
  }

  /** One statement for every room (see {@link UNREAD_STATEMENT}). */
  async unread(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, UnreadCounts>> {
    if (markers.length === 0) return new Map();
    const { rows } = await this.guard(() =>
      this.db.query<{ counts: string | null }>(UNREAD_STATEMENT, markerParams(markers), 'parley_unread'),
    );
    const list = JSON.parse(rows[0]?.counts ?? '[]') as Array<{ room: string; user: string } & UnreadCounts>;
    return new Map(
      list.map(({ room, user, unread, mentions }) => [markerKey(room, user), { unread, mentions }]),
    );
  }

  /** One statement for every thread (see {@link THREAD_UNREAD_STATEMENT}). */
  async threadUnread(markers: ReadonlyArray<ThreadMarker>): Promise<Map<string, UnreadCounts>> {
    if (markers.length === 0) return new Map();
    const params = [
      markers.map((m) => m.room),
      markers.map((m) => m.thread),
      markers.map((m) => m.after),
      markers.map((m) => m.user),
    ];
    const { rows } = await this.guard(() =>
      this.db.query<{ counts: string | null }>(THREAD_UNREAD_STATEMENT, params, 'parley_thread_unread'),
    );
    const list = JSON.parse(rows[0]?.counts ?? '[]') as Array<
      { room: string; thread: number; user: string } & UnreadCounts
    >;
    return new Map(
      list.map(({ room, thread, user, unread, mentions }) => [
        threadMarkerKey(room, thread, user),
        { unread, mentions },
      ]),
    );
  }

  /**
   * In one transaction, with bounded work whatever the words and the number of messages (bounds: SEARCH_BOUNDS,
   * measured in docs/storage.md, "Search"). A random sample of the table first tells how common each word is
   * (a word's start can be in most messages: `a`). Then either the words index, given only words rare enough that
   * what it reads and hands over stays small ({@link searchByWords}); or, when every word is common, a walk through
   * each room's newest messages, which stops after a bounded number and says where ({@link searchRooms}). The
   * planner could not make this choice: its estimate of a word's start (`word:*`) is the same for any word.
   *
   * The words are letters and digits only (searchWords), so the tsquery they make holds no syntax of theirs. The
   * statements are not prepared (their plans are made for the words and rooms). Rooms compare byte-wise
   * (`COLLATE "C"`), as cursors do everywhere.
   */
  async search(query: SearchQuery): Promise<SearchResult> {
    const bounds = { ...SEARCH_BOUNDS, ...this.options.searchBounds };
    return this.guard(() =>
      this.db.transaction(async (tx) => {
        // One round trip for the settings (each SET would be one). Plans made for these rooms and words (a
        // generic plan, the default here, took ~20 ms more to find 100 messages). A page is a few rows: starting
        // parallel workers would cost more than they save (~15 ms), and so would compiling the statements (JIT:
        // the sample's size is unknown when it is planned, and its estimate alone made PostgreSQL spend 13-80 ms
        // compiling a statement that runs in 2).
        await tx.query(
          `SELECT set_config('max_parallel_workers_per_gather', '0', true),
                  set_config('plan_cache_mode', 'force_custom_plan', true), set_config('jit', 'off', true)`,
        );
        // Filters alone (no words): the rooms' newest messages are read for them, a bounded number a page.
        if (query.words.length === 0) return this.searchRooms(tx, query, bounds);
        const [sample, words] = sampleStatement(query.words, bounds);
        const { rows } = await tx.query<SampleRow>(sample, words);
        const index = indexWords(query.words, estimator(rows, bounds), bounds);
        return index ? this.searchByWords(tx, query, index) : this.searchRooms(tx, query, bounds);
      }),
    );
  }

  /**
   * Through the words index (a bitmap scan: `enable_indexscan` and `enable_seqscan` off), looking up the words it
   * is given; the other words are checked on each message it hands over, through an expression the index does not
   * hold (`text || ''`), else the planner would look them up too. Every match is then sorted for the page: they are
   * at most as many as the index handed over.
   */
  private async searchByWords(
    tx: SqlRunner,
    query: SearchQuery,
    words: { looked: string[]; checked: string[] },
  ): Promise<SearchResult> {
    const params: unknown[] = [[...query.rooms], tsquery(words.looked)];
    const where = [
      'm.room = ANY($1::text[]) AND m.event IS NULL AND m.action IS NULL AND m.deleted_at IS NULL',
      `${textWords('m.text')} @@ to_tsquery('simple', $2)`,
    ];
    if (words.checked.length > 0) {
      where.push(
        `${textWords("m.text || ''")} @@ to_tsquery('simple', $${params.push(tsquery(words.checked))})`,
      );
    }
    const filter = filterConditions(query, params);
    where.push(...filter.range, ...filter.rest);
    if (query.before) {
      const { ts, room, offset } = query.before;
      where.push(
        `(m.ts, m.room COLLATE "C", m."offset") < ($${params.push(ts)}, $${params.push(room)} COLLATE "C", $${params.push(offset)})`,
      );
    }
    await tx.query(
      `SELECT set_config('enable_indexscan', 'off', true), set_config('enable_seqscan', 'off', true)`,
    );
    const { rows } = await tx.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
       WHERE ${where.join(' AND ')}
       ORDER BY ${resultOrder('m.')} LIMIT ${Math.max(0, Math.floor(query.limit))}`,
      params,
    );
    return { messages: rows.map(toMessage) };
  }

  /**
   * Every word is common: a walk through each room's newest messages after the cursor, in steps ({@link walkSteps}):
   * the next step goes on from where the last stopped, until a page is found, every message was read, or the walk
   * read `walkMax` messages; then it says where it stopped.
   */
  private async searchRooms(tx: SqlRunner, query: SearchQuery, bounds: SearchBounds): Promise<SearchResult> {
    await tx.query(
      `SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`,
    );
    const messages: ChatMessage[] = [];
    let from = query.before;
    for (const rows of walkSteps(bounds)) {
      const step = await this.walkRooms(tx, { ...query, limit: query.limit - messages.length }, from, rows);
      messages.push(...step.messages);
      if (messages.length >= query.limit || !step.stoppedAt) return { messages };
      from = step.stoppedAt;
    }
    return { messages, ...(from ? { stoppedAt: from } : {}) };
  }

  /**
   * One step of a walk: each room's newest messages after the cursor, through its own newest-first index
   * (migration 008), `rows` shared among the rooms, within the filter's times. A room that had more than its share
   * was read down to its last message read, so the step has looked at every message from the cursor down to the
   * newest of those (`edge`); the matches down to it are the result, and `edge` is where it stopped.
   */
  private async walkRooms(
    tx: SqlRunner,
    query: SearchQuery,
    from: SearchCursor | undefined,
    rows: number,
  ): Promise<SearchResult> {
    const params: unknown[] = [[...new Set(query.rooms)]];
    const filter = filterConditions(query, params);
    // Whether a message matches: its words are made only when its lower-cased text holds every word at all.
    const hit = [...filter.rest];
    if (query.words.length > 0) {
      const likes = `$${params.push(likePatterns(query.words))}::text[]`;
      const words = `$${params.push(tsquery(query.words))}`;
      hit.push(`CASE WHEN lower(m.text) LIKE ALL (${likes})
                THEN ${textWords('m.text')} @@ to_tsquery('simple', ${words}) ELSE false END`);
    }
    const bounds = [...filter.range, ...(from ? [afterInRoom('s.room', from, params)] : [])];
    const share = `$${params.push(walkPerRoom(query.rooms, rows))}::bigint`;
    const limit = `$${params.push(Math.max(0, Math.floor(query.limit)))}::bigint`;
    const answer = await tx.query<MessageRow & WalkEdgeRow>(
      `WITH walked AS MATERIALIZED (
         SELECT w.* FROM unnest($1::text[]) AS s(room) CROSS JOIN LATERAL (
           SELECT m.room, m."offset", m.ts, ${hit.length > 0 ? hit.join(' AND ') : 'true'} AS hit,
                  row_number() OVER (ORDER BY m.ts DESC, m."offset" DESC) AS n
           FROM parley_messages m
           WHERE m.room = s.room AND m.event IS NULL AND m.action IS NULL AND m.deleted_at IS NULL
             ${bounds.map((bound) => `AND ${bound}`).join(' ')}
           ORDER BY m.ts DESC, m."offset" DESC LIMIT ${share}) w),
       edge AS (SELECT ts, room, "offset" FROM walked WHERE n = ${share} ORDER BY ${resultOrder('')} LIMIT 1),
       found AS (
         SELECT w.room, w."offset" FROM walked w
         WHERE w.hit AND NOT EXISTS (
           SELECT 1 FROM edge e
           WHERE (w.ts, w.room COLLATE "C", w."offset") < (e.ts, e.room COLLATE "C", e."offset"))
         ORDER BY ${resultOrder('w.')} LIMIT ${limit})
       SELECT e.ts AS edge_ts, e.room AS edge_room, e."offset" AS edge_offset, ${MESSAGE_COLUMNS}
       FROM (SELECT 1) AS one
       LEFT JOIN edge e ON true
       LEFT JOIN (found f JOIN parley_messages m ON m.room = f.room AND m."offset" = f."offset"
                  JOIN parley_rooms r ON r.room = m.room) ON true
       ORDER BY ${resultOrder('m.')}`,
      params,
    );
    const messages = answer.rows.filter((row) => row.id !== null).map(toMessage);
    const edge = answer.rows[0];
    if (!edge || edge.edge_ts === null) return { messages };
    return {
      messages,
      stoppedAt: {
        ts: Number(edge.edge_ts),
        room: edge.edge_room as string,
        offset: Number(edge.edge_offset),
      },
    };
  }

  async read(room: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.guard(async () => {
      const position = await this.ensureRoom(this.db, room);
      const bounds: Array<string | number> = [room];
      const where = ['m.room = $1'];
      if (query.thread !== undefined) where.push(`m.thread = $${bounds.push(query.thread)}`);
      if (query.after !== undefined) where.push(`m."offset" > $${bounds.push(query.after)}`);
      if (query.before !== undefined) where.push(`m."offset" < $${bounds.push(query.before)}`);
      const order = query.after !== undefined ? 'ASC' : 'DESC';
      const limit = `$${bounds.push(Math.max(0, query.limit))}`;
      const page = await this.db.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM parley_messages m JOIN parley_rooms r ON r.room = m.room
         WHERE ${where.join(' AND ')} ORDER BY m."offset" ${order} LIMIT ${limit}`,
        bounds,
        // One prepared statement per shape of the bounds (eight).
        `parley_read${query.thread !== undefined ? '_thread' : ''}${query.after !== undefined ? '_after' : ''}${query.before !== undefined ? '_before' : ''}`,
      );
      const messages = page.rows.map(toMessage);
      if (order === 'DESC') messages.reverse();
      const first = await this.db.query<{ min: string | null }>(
        'SELECT min("offset") AS min FROM parley_messages WHERE room = $1',
        [room],
        'parley_earliest',
      );
      const earliest = first.rows[0]?.min ? Number(first.rows[0].min) : position.offset + 1;
      return { messages, position, earliest };
    });
  }

  /** One statement for every room (see {@link OVERVIEW_STATEMENT}). */
  async overview(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, RoomOverview>> {
    if (markers.length === 0) return new Map();
    const { rows } = await this.guard(() =>
      this.db.query<{ rooms: string | null }>(OVERVIEW_STATEMENT, markerParams(markers), 'parley_overview'),
    );
    const list = JSON.parse(rows[0]?.rooms ?? '[]') as Array<
      { room: string; last: MessageRow | null } & UnreadCounts
    >;
    return new Map(
      list.map(({ room, last, unread, mentions }) => [
        room,
        last ? { last: toMessage(last), unread, mentions } : { unread, mentions },
      ]),
    );
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
    // Two instances creating the room at once: the second INSERT waits for the first to commit and does nothing,
    // and its SELECT, which reads the statement's snapshot from before that commit, finds no row either. The next
    // statement's snapshot has it.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const { rows } = await db.query<{ epoch: string; last_offset: string }>(
        `WITH created AS (
           INSERT INTO parley_rooms (room, epoch) VALUES ($1, $2) ON CONFLICT (room) DO NOTHING
           RETURNING epoch, last_offset)
         SELECT epoch, last_offset FROM created
         UNION ALL SELECT epoch, last_offset FROM parley_rooms WHERE room = $1 LIMIT 1`,
        [room, this.options.ids.epoch()],
        'parley_room_position',
      );
      const row = rows[0];
      if (row) return { epoch: row.epoch, offset: Number(row.last_offset) };
    }
    throw new Error(`room ${room}: neither created nor found`);
  }

  /** Commits one batch of appends (one statement), then publishes and settles each. */
  private async commit(batch: Array<Queued<MessageDraft, AppendResult>>): Promise<void> {
    const started = performance.now();
    const outcome = await this.guard(() => this.store(batch));
    this.commits.batches += 1;
    this.commits.messages += batch.length;
    this.commits.seconds += (performance.now() - started) / 1000;
    // Committed: published in offset order (batch order within a room), then answered. Repeats within the batch
    // answer as duplicates, so each new message is here once.
    const committed: ChatMessage[] = [];
    for (const queued of batch) {
      const result = outcome.get(queued);
      if (result && !(result instanceof Error) && !result.duplicate) committed.push(result.message);
    }
    // Published without holding up the answers or the next batch: a slow or failing Redis shard delays no ack.
    // Publications of one instance reach each Redis node in order (one connection per node).
    if (committed.length > 0) {
      // The publisher counts and reports its own failures.
      this.publish(committed)?.catch(() => {});
    }
    for (const queued of batch) {
      const result = outcome.get(queued);
      if (result instanceof Error) queued.reject(result);
      else if (result) queued.resolve(result);
    }
  }

  /**
   * Stores a batch: with a rate limit, first one read finds the duplicates among the batch (they cost no token)
   * and the limiter is asked for the others; then one statement does the rest (see {@link APPEND_STATEMENT}). No explicit
   * transaction: the statement is atomic, and two round trips (one without a limit) cost far less than a
   * BEGIN … COMMIT of four (on the embedded store each statement costs ~0.3 ms of the event loop).
   */
  private async store(
    batch: Array<Queued<MessageDraft, AppendResult>>,
  ): Promise<Map<Queued<MessageDraft, AppendResult>, AppendResult | Error>> {
    const outcome = new Map<Queued<MessageDraft, AppendResult>, AppendResult | Error>();
    const firsts = new Map<string, Queued<MessageDraft, AppendResult>>();
    for (const queued of batch) if (!firsts.has(keyOf(queued.item))) firsts.set(keyOf(queued.item), queued);
    let candidates = [...firsts.values()];
    if (this.rate) candidates = await this.limit(candidates, outcome);
    await this.insert(candidates, outcome);
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

  /** Answers the duplicates among `candidates`, takes a rate token for each other; returns those that got one. */
  private async limit(
    candidates: Array<Queued<MessageDraft, AppendResult>>,
    outcome: Map<Queued<MessageDraft, AppendResult>, AppendResult | Error>,
  ): Promise<Array<Queued<MessageDraft, AppendResult>>> {
    const drafts = candidates.map((q) => q.item);
    const existing = await this.db.query<MessageRow>(
      STORED_CIDS_STATEMENT,
      [drafts.map((d) => d.room), drafts.map((d) => d.from.id), drafts.map((d) => d.cid)],
      'parley_stored_cids',
    );
    const stored = new Map(
      existing.rows.map((row) => [`${row.room}\u0000${row.sender_id}\u0000${row.cid}`, row]),
    );
    const others: Array<Queued<MessageDraft, AppendResult>> = [];
    for (const queued of candidates) {
      const row = stored.get(keyOf(queued.item));
      if (row) outcome.set(queued, { message: toMessage(row), duplicate: true });
      else others.push(queued);
    }
    // A system event (a moderator's action) is not a message of theirs: it costs no token.
    const waits = await Promise.all(
      others.map((queued) => {
        const rateKey = rateKeyOf(queued.item);
        return rateKey === undefined ? 0 : (this.rate?.take(rateKey) ?? 0);
      }),
    );
    return others.filter((queued, i) => {
      const wait = waits[i] ?? 0;
      if (wait > 0) outcome.set(queued, new RateLimitError(wait));
      return wait === 0;
    });
  }

  /**
   * Appends the candidates in one statement; a duplicate committed meanwhile by another instance (the unique
   * index refuses the statement) makes it run again, and then answers as a duplicate.
   */
  private async insert(
    candidates: Array<Queued<MessageDraft, AppendResult>>,
    outcome: Map<Queued<MessageDraft, AppendResult>, AppendResult | Error>,
  ): Promise<void> {
    if (candidates.length === 0) return;
    const drafts = candidates.map((q) => q.item);
    const params = [
      drafts.map((_, i) => i),
      drafts.map((d) => d.room),
      drafts.map((d) => d.id),
      drafts.map((d) => d.from.id),
      drafts.map((d) => d.from.name),
      drafts.map((d) => d.text),
      drafts.map((d) => d.ts),
      drafts.map((d) => d.cid),
      drafts.map((d) => (d.event ? JSON.stringify(d.event) : null)),
      drafts.map((d) => d.replyTo ?? null),
      drafts.map(mentionsColumn),
      drafts.map((d) => (d.files?.length ? JSON.stringify(d.files) : null)),
      drafts.map(forwardedColumn),
      this.options.ids.epoch(),
    ];
    let rows: AppendedRow[] | undefined;
    for (let attempt = 1; !rows; attempt += 1) {
      try {
        rows = (await this.db.query<AppendedRow>(APPEND_STATEMENT, params, 'parley_append')).rows;
      } catch (error) {
        const unique = (error as { code?: unknown }).code === '23505';
        if (!unique || attempt >= 3) throw error;
      }
    }
    for (const row of rows) {
      const draft = drafts[row.n] as MessageDraft;
      // The same field order as a message read back (toMessage): one JSON per message, wherever it is cached.
      const message: ChatMessage = {
        room: draft.room,
        id: row.id,
        offset: Number(row.offset),
        epoch: row.epoch,
        from: { id: draft.from.id, name: row.sender_name },
        text: row.text,
        ts: Number(row.ts),
        cid: draft.cid,
      };
      if (row.event !== null) message.event = JSON.parse(row.event) as SystemEvent;
      if (row.mentions !== null) Object.assign(message, mentionsOf(row.mentions));
      if (row.reply_to !== null) message.replyTo = Number(row.reply_to);
      if (row.files !== null) message.files = JSON.parse(row.files) as FileRef[];
      if (row.forwarded !== null) message.forwarded = JSON.parse(row.forwarded) as ForwardedMessage;
      outcome.set(candidates[row.n] as Queued<MessageDraft, AppendResult>, {
        message,
        duplicate: row.duplicate,
      });
    }
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
    if (
      error instanceof EngineUnavailableError ||
      error instanceof ReplyError ||
      error instanceof RateLimitError
    )
      return error;
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
