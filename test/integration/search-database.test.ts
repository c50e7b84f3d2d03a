/**
 * The database's two ways of searching (DatabaseLog.search): rare words through the words index, their matches
 * sorted; common ones (more matches than it sorts) through the newest-first index, each message checked. Both must
 * give the same pages. Run on PostgreSQL and on the embedded store, with the sorting bound lowered to 3 so that a
 * handful of messages take the second way.
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
import { type SearchQuery, searchWords } from '../../src/log/message-search.js';
import { migrate, shippedMigrations } from '../../src/store/migrate.js';
import { PgDatabase } from '../../src/store/pg-database.js';
import { PgliteDatabase } from '../../src/store/pglite-database.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { systemTimers } from '../../src/util/clock.js';
import { randomIds } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { removeQuietly } from '../helpers/remove-quietly.js';

const logOn = (db: SqlDatabase, searchSortMax?: number) =>
  new DatabaseLog(
    db,
    {
      ids: randomIds(),
      timers: systemTimers,
      batch: BATCH_SIZES.postgres,
      batchMaxWaitMs: 1,
      ...(searchSortMax !== undefined ? { searchSortMax } : {}),
    },
    () => {},
  );

let n = 0;
function said(room: string, text: string, ts: number): MessageDraft {
  n += 1;
  return { room, id: `s-${n}`, from: { id: 'ann', name: 'Ann' }, text, ts, cid: `c-${n}` };
}

/** Every page of a search, `limit` at a time, as `room:offset text`. */
async function pages(log: DatabaseLog, query: Omit<SearchQuery, 'before'>): Promise<string[][]> {
  const all: string[][] = [];
  let before: ChatMessage | undefined;
  // Bounded: a cursor that did not move on would repeat pages, which the comparison then shows.
  for (let asked = 0; asked < 20; asked += 1) {
    const page = await log.search({
      ...query,
      ...(before ? { before: { ts: before.ts, room: before.room, offset: before.offset } } : {}),
    });
    if (page.length === 0) return all;
    all.push(page.map((m) => `${m.room}:${m.offset} ${m.text}`));
    before = page.at(-1);
  }
  return all;
}

function bothWays(name: string, open: () => Promise<SqlDatabase>): void {
  it(`gives the same pages both ways: ${name}`, async () => {
    const db = await open();
    after(() => db.close());
    await migrate(db);
    const sorting = logOn(db);
    const walking = logOn(db, 3);
    // Three rooms; several messages at the same time (the order between rooms is then the room's).
    let ts = 1_000;
    for (let i = 0; i < 12; i += 1) {
      if (i % 4 === 0) ts += 1;
      const room = ['q-a', 'q-b', 'q-c'][i % 3] as string;
      await sorting.append(said(room, i % 5 === 0 ? `rare note ${i}` : `common note ${i}`, ts));
    }
    await sorting.append(said('q-b', 'note deleted soon', 2_000));
    const rooms = ['q-a', 'q-b', 'q-c'];
    const common = { rooms, words: searchWords('note'), limit: 4 };
    const expected = await pages(sorting, common);
    assert.equal(expected.flat().length, 13);
    assert.deepEqual(
      await pages(walking, common),
      expected,
      'more matches than sorted: the newest-first way',
    );
    assert.deepEqual(
      await pages(walking, { ...common, rooms: ['q-b'] }),
      await pages(sorting, { ...common, rooms: ['q-b'] }),
    );
    const rare = { rooms, words: searchWords('rare'), limit: 4 };
    assert.deepEqual(
      (await pages(walking, rare)).flat(),
      (await pages(sorting, rare)).flat(),
      'three matches or fewer: sorted',
    );
    assert.equal((await pages(walking, rare)).flat().length, 3);
    // A deleted message is found neither way.
    const doomed = (await sorting.read('q-b', { limit: 1 })).messages[0] as ChatMessage;
    await sorting.act({
      room: 'q-b',
      id: 'del-1',
      from: { id: 'ann', name: 'Ann' },
      ts: 3_000,
      action: { type: 'delete', target: doomed.offset },
      maxReactions: 20,
    });
    for (const log of [sorting, walking]) {
      assert.equal((await pages(log, common)).flat().length, 12);
      assert.equal((await pages(log, { ...common, words: searchWords('soon') })).flat().length, 0);
    }
  });
}

describe('searching a database both ways', async () => {
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
    for (const name of ['migrated', 'prebuilt']) {
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
          shipped.filter((m) => m.version < 7),
        );
        if (name === 'prebuilt') {
          // Outside a transaction, one statement at a time, as psql runs them.
          for (const statement of (sql as string).split(';').filter((part) => part.trim() !== '')) {
            await db.query(statement);
          }
        }
        assert.ok((await migrate(db, shipped)).includes(7), 'migration 007 applied');
      } finally {
        await db.close();
      }
    }
    const built = await definitions('migrated');
    assert.match(built, /parley_messages_words/);
    assert.match(built, /parley_messages_recent/);
    assert.equal(await definitions('prebuilt'), built);
  });
  const dir = await mkdtemp(join(tmpdir(), 'parley-search-db-'));
  after(() => removeQuietly(dir));
  bothWays(
    'PostgreSQL',
    async () => new PgDatabase({ url: pg.url, timeoutMs: 5000, maxConnections: 2, logger: silentLogger() }),
  );
  bothWays('embedded', () => PgliteDatabase.open(join(dir, 'data')));
});
