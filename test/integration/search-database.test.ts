/**
 * The database's two ways of searching (DatabaseLog.search): rare words through the words index, their matches
 * sorted; common ones (more matches than it sorts) through the newest-first index, each message checked. Both must
 * give the same pages. Run on PostgreSQL and on the embedded store, with the sorting bound lowered to 3 so that a
 * handful of messages take the second way.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BATCH_SIZES } from '../../src/compose.js';
import type { ChatMessage, MessageDraft } from '../../src/engine/types.js';
import { DatabaseLog } from '../../src/log/database-log.js';
import { type SearchQuery, searchWords } from '../../src/log/message-search.js';
import { migrate } from '../../src/store/migrate.js';
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
  for (;;) {
    const page = await log.search({
      ...query,
      ...(before ? { before: { ts: before.ts, room: before.room, offset: before.offset } } : {}),
    });
    if (page.length === 0) return all;
    all.push(page.map((m) => `${m.room}:${m.offset} ${m.text}`));
    before = page.at(-1);
  }
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
  const dir = await mkdtemp(join(tmpdir(), 'parley-search-db-'));
  after(() => removeQuietly(dir));
  bothWays(
    'PostgreSQL',
    async () => new PgDatabase({ url: pg.url, timeoutMs: 5000, maxConnections: 2, logger: silentLogger() }),
  );
  bothWays('embedded', () => PgliteDatabase.open(join(dir, 'data')));
});
