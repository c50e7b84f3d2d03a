/**
 * The database's ways of searching (DatabaseLog.search), each forced by lowering its bounds: the words index with
 * every word or with the rarest only, and walks through the rooms that stop after a few messages and go on from
 * there. Followed page after page, every way must find the same messages in the same order, with words and filters
 * or filters alone, on PostgreSQL and on the embedded store. And the indexes: those operations.md says to build beforehand are those the migrations build.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BATCH_SIZES } from '../../src/compose.js';
import type { ChatMessage, MessageDraft } from '../../src/engine/types.js';
import { DatabaseLog } from '../../src/log/database-log.js';
import { type SearchBounds, textWords } from '../../src/log/database-search.js';
import { type SearchQuery, searchWords } from '../../src/log/message-search.js';
import { migrate, shippedMigrations } from '../../src/store/migrate.js';
import { PgDatabase } from '../../src/store/pg-database.js';
import { PgliteDatabase } from '../../src/store/pglite-database.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { systemTimers } from '../../src/util/clock.js';
import { randomIds } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import { searchAll } from '../conformance/message-search.suite.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { removeQuietly } from '../helpers/remove-quietly.js';

const logOn = (db: SqlDatabase, searchBounds?: Partial<SearchBounds>) =>
  new DatabaseLog(
    db,
    {
      ids: randomIds(),
      timers: systemTimers,
      batch: BATCH_SIZES.postgres,
      batchMaxWaitMs: 1,
      ...(searchBounds ? { searchBounds } : {}),
    },
    () => {},
  );

let n = 0;
function said(room: string, text: string, ts: number, from = { id: 'ann', name: 'Ann' }): MessageDraft {
  n += 1;
  return { room, id: `s-${n}`, from, text, ts, cid: `c-${n}` };
}

/** Every message a search finds, following its pages (and its stops), as `room:offset text`; and how many stops. */
async function found(log: DatabaseLog, query: Omit<SearchQuery, 'before'>) {
  let stops = 0;
  const counting = {
    search: async (asked: SearchQuery) => {
      const result = await log.search(asked);
      if (result.stoppedAt) stops += 1;
      return result;
    },
  };
  const pages = await searchAll(counting, query);
  return { messages: pages.flat().map((m) => `${m.room}:${m.offset} ${m.text}`), stops };
}

/**
 * The ways a search can go, each forced by its bounds: the words index with every word (the default on a small
 * table); the index with the rarest word only, the others checked on each message; and walks through the rooms that
 * stop after 1, 2 or 5 messages a room. (The sample's scaling is the unit test's: a table this small is read whole.)
 */
const WAYS: Array<[string, Partial<SearchBounds>]> = [
  ['the words index, every word looked up', {}],
  ['the words index, the rarest words only', { entriesMax: 5 }],
  ['walks of 1 message a room', { candidatesMax: -1, walkMax: 1 }],
  ['walks of 2', { candidatesMax: -1, walkMax: 6 }],
  ['walks of 5', { candidatesMax: -1, walkMax: 15 }],
];

function everyWay(name: string, open: () => Promise<SqlDatabase>): void {
  it(`finds the same messages in the same order every way: ${name}`, async () => {
    const db = await open();
    after(() => db.close());
    await migrate(db);
    const logs = WAYS.map(([way, bounds]) => [way, logOn(db, bounds)] as const);
    const [, writer] = logs[0] as (typeof logs)[0];
    // Three rooms; several messages at the same time (the order between rooms is then the room's); one room's
    // clock behind the others' (its offsets and times do not go together).
    let ts = 1_000;
    for (let i = 0; i < 24; i += 1) {
      if (i % 4 === 0) ts += 1;
      const room = ['q-a', 'q-b', 'q-c'][i % 3] as string;
      const text =
        i % 5 === 0
          ? `rare note ${i} https://x.test`
          : i % 7 === 0
            ? `odd note ${i} later`
            : `common note ${i}`;
      const from = i % 2 === 0 ? undefined : { id: 'ben', name: 'Ben' };
      await writer.append(said(room, text, room === 'q-c' ? ts - (i % 2) * 3 : ts, from));
    }
    await writer.append(said('q-b', 'note deleted soon', 2_000));
    await writer.append({
      ...said('q-a', 'note as an event', 2_001),
      event: { type: 'topic', topic: 'note' },
    });
    const rooms = ['q-a', 'q-b', 'q-c'];
    const queries: Array<[string, Omit<SearchQuery, 'before'>]> = [
      ['a common word', { rooms, words: searchWords('note'), limit: 4 }],
      ['in one room', { rooms: ['q-b'], words: searchWords('note'), limit: 4 }],
      ['a rare word', { rooms, words: searchWords('rare'), limit: 4 }],
      ['a common and a rare word', { rooms, words: searchWords('note odd'), limit: 2 }],
      ['two words never together', { rooms, words: searchWords('rare odd'), limit: 4 }],
      ['a start of a word', { rooms, words: searchWords('lat no'), limit: 3 }],
      ['a room twice, one without messages', { rooms: ['q-a', 'q-a', 'q-none'], words: ['note'], limit: 4 }],
      ['a word and a sender', { rooms, words: ['note'], from: 'ben', limit: 3 }],
      ['a sender alone', { rooms, words: [], from: 'ben', limit: 3 }],
      [
        'a word, a link and times',
        { rooms, words: ['note'], has: 'link', since: 1_002, until: 1_007, limit: 1 },
      ],
      ['times alone', { rooms, words: [], since: 1_003, until: 1_005, limit: 3 }],
      ['a word inside a web address', { rooms, words: ['x'], limit: 2 }],
    ];
    const expected = await found(writer, queries[0]?.[1] as Omit<SearchQuery, 'before'>);
    assert.equal(expected.messages.length, 25, 'chat messages only: not the event');
    const filtered = new Map([
      ['a word and a sender', 12],
      ['a sender alone', 12],
      ['a word, a link and times', 3],
      ['times alone', 8],
      ['a word inside a web address', 5],
    ]);
    for (const [what, query] of queries) {
      const [first, ...others] = await Promise.all(logs.map(([, log]) => found(log, query)));
      assert.equal(first?.stops, 0, `${what}: the index does not stop`);
      const count = filtered.get(what);
      if (count !== undefined) assert.equal(first?.messages.length, count, `${what}: found`);
      for (const [i, other] of others.entries()) {
        assert.deepEqual(other.messages, first?.messages, `${what}: ${WAYS[i + 1]?.[0]}`);
      }
    }
    const oneARoom = logs.find(([way]) => way === 'walks of 1 message a room')?.[1] as DatabaseLog;
    const walked = await found(oneARoom, queries[4]?.[1] as Omit<SearchQuery, 'before'>);
    assert.ok(walked.stops > 5, `a walk of one message a room stops and goes on (${walked.stops} stops)`);
    // A deleted message is found no way.
    const doomed = (await writer.read('q-b', { limit: 1 })).messages[0] as ChatMessage;
    await writer.act({
      room: 'q-b',
      id: 'del-1',
      from: { id: 'ann', name: 'Ann' },
      ts: 3_000,
      action: { type: 'delete', target: doomed.offset },
      maxReactions: 20,
    });
    for (const [way, log] of logs) {
      assert.equal(
        (await found(log, queries[0]?.[1] as Omit<SearchQuery, 'before'>)).messages.length,
        24,
        way,
      );
      assert.deepEqual((await found(log, { rooms, words: ['soon'], limit: 4 })).messages, [], way);
    }
  });
}

describe('searching a database every way', async () => {
  const pg = await PostgresServer.start();
  after(() => pg.stop());

  it("takes the indexes an operator built beforehand with operations.md's SQL: the same ones it would build", async () => {
    const docs = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
    const sql = /```sql\n([\s\S]*?)```/.exec(docs.slice(docs.indexOf('**007**')))?.[1];
    assert.ok(sql?.includes('CONCURRENTLY'), 'the SQL to build them beforehand');
    const definitions = async (name: string) =>
      pg.sql(
        "SELECT string_agg(pg_get_indexdef(indexrelid), E'\\n' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indexrelid::regclass::text LIKE 'parley_messages_%' AND indexrelid::regclass::text NOT IN ('parley_messages_pkey', 'parley_messages_idempotency', 'parley_messages_edits')",
        name,
      );
    const shipped = await shippedMigrations();
    for (const name of ['migrated', 'prebuilt', 'first007', 'before022']) {
      await pg.sql(`CREATE DATABASE ${name}`);
      const db = new PgDatabase({
        url: pg.url.replace(/\/postgres$/, `/${name}`),
        timeoutMs: 5000,
        maxConnections: 1,
        logger: silentLogger(),
      });
      try {
        await migrate(
          db,
          shipped.filter((m) => m.version < ({ first007: 8, before022: 22 }[name] ?? 7)),
        );
        if (name === 'first007' || name === 'before022') {
          // What 007 built before 022 replaced it.
          await db.query(
            `CREATE INDEX parley_messages_words ON parley_messages USING gin (to_tsvector('simple', text))
             WHERE event IS NULL AND action IS NULL`,
          );
        }
        if (name === 'first007') {
          // What 007 built as first shipped, before 008 replaced it.
          await db.query(
            `CREATE INDEX parley_messages_recent ON parley_messages (ts DESC, room COLLATE "C" DESC, "offset" DESC)
             WHERE event IS NULL AND action IS NULL`,
          );
        }
        if (name === 'prebuilt') {
          // Outside a transaction, one statement at a time, as psql runs them.
          for (const statement of (sql as string).split(';').filter((part) => part.trim() !== '')) {
            await db.query(statement);
          }
        }
        assert.ok((await migrate(db, shipped)).includes(22), 'migration 022 applied');
      } finally {
        await db.close();
      }
    }
    const built = await definitions('migrated');
    assert.match(built, /parley_messages_text_words/);
    assert.match(built, /parley_messages_room_recent/);
    assert.doesNotMatch(built, /parley_messages_recent /, "008 dropped 007's newest-first index");
    assert.doesNotMatch(built, /parley_messages_words /, "022 dropped 007's words index");
    assert.equal(await definitions('prebuilt'), built);
    assert.equal(await definitions('first007'), built, "008 and 022 drop the first 007's indexes");
    assert.equal(await definitions('before022'), built, "022 replaces 007's words index");
    // The words the search looks up are the index's: the planner takes it (the expressions are the same). Without the
    // other index, which an empty table makes as cheap: a sequential scan (disabled, so only when nothing else can
    // serve) is what an expression not the index's would get.
    const db = new PgDatabase({
      url: pg.url.replace(/\/postgres$/, '/migrated'),
      timeoutMs: 5000,
      maxConnections: 1,
      logger: silentLogger(),
    });
    try {
      const plan = await db.transaction(async (tx) => {
        await tx.query('DROP INDEX parley_messages_room_recent');
        await tx.query("SELECT set_config('enable_seqscan', 'off', true)");
        const { rows } = await tx.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT m.id FROM parley_messages m WHERE m.event IS NULL AND m.action IS NULL
           AND ${textWords('m.text')} @@ to_tsquery('simple', 'launch:*')`,
        );
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      assert.match(plan, /parley_messages_text_words/, plan);
    } finally {
      await db.close();
    }
  });
  const dir = await mkdtemp(join(tmpdir(), 'parley-search-db-'));
  after(() => removeQuietly(dir));
  everyWay(
    'PostgreSQL',
    async () => new PgDatabase({ url: pg.url, timeoutMs: 5000, maxConnections: 2, logger: silentLogger() }),
  );
  everyWay('embedded', () => PgliteDatabase.open(join(dir, 'data')));
});
