/**
 * What search costs in the database (docs/storage.md, "Search"): the time of a page of results for words of every
 * frequency, and what the two indexes of search (migrations 022 and 008) add on disk. A private PostgreSQL (fsync off) or, with
 * BENCH_SEARCH_STORE=embedded, the embedded store in a temporary directory; messages of 12 words each drawn from a
 * vocabulary of 20,000 with a skewed frequency (a few words are in a third of all messages, most in a handful), in
 * 100 rooms, searched in all 100 (and in 20), the same way the server does (DatabaseLog.search).
 *
 * Usage: npm run bench:search (env: BENCH_SEARCH_STORE=postgres|embedded, BENCH_SEARCH_MESSAGES=500000,
 * BENCH_SEARCH_RUNS=7). Prints a Markdown table of medians and maxima, in ms.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_SIZES } from '../src/compose.js';
import { DatabaseLog } from '../src/log/database-log.js';
import { textWords } from '../src/log/database-search.js';
import { searchWords } from '../src/log/message-search.js';
import { migrate } from '../src/store/migrate.js';
import { PgDatabase } from '../src/store/pg-database.js';
import { PgliteDatabase } from '../src/store/pglite-database.js';
import type { SqlDatabase } from '../src/store/sql.js';
import { systemTimers } from '../src/util/clock.js';
import { randomIds } from '../src/util/ids.js';
import { silentLogger } from '../src/util/logger.js';
import { PostgresServer } from '../test/helpers/postgres-server.js';
import { removeQuietly } from '../test/helpers/remove-quietly.js';

const STORE = process.env.BENCH_SEARCH_STORE === 'embedded' ? 'embedded' : 'postgres';
const MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? (STORE === 'embedded' ? 200_000 : 500_000));
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 7);
const ROOMS = 100;
const SUFFIXES = ['alpha', 'beta', 'gamma', 'delta', 'omega'];
const VOCABULARY = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}${SUFFIXES[i % 5]}`);
const word = (i: number) => VOCABULARY[i] as string;
/** Word i is drawn with a probability falling steeply with i: word 0 is in about a third of all messages. */
const drawn = () => word(Math.floor(Math.random() ** 3 * VOCABULARY.length));

async function fill(db: SqlDatabase): Promise<void> {
  const perRoom = Math.ceil(MESSAGES / ROOMS);
  await db.query(
    `INSERT INTO parley_rooms (room, epoch, last_offset) SELECT 'r' || g, 'e', $1 FROM generate_series(1, ${ROOMS}) g`,
    [perRoom],
  );
  for (let room = 1; room <= ROOMS; room += 1) {
    // Half the rooms' messages say `north`, the others' `south`: two common words never together.
    const side = room % 2 === 0 ? 'north' : 'south';
    const texts = Array.from(
      { length: perRoom },
      () => `${Array.from({ length: 12 }, drawn).join(' ')} ${side}`,
    );
    await db.query(
      `INSERT INTO parley_messages (room, "offset", id, sender_id, sender_name, text, ts, cid)
       SELECT $1, o, 'id' || o, 'u', 'U', t, 1700000000000 + o * 1000, 'c' || o
       FROM unnest($2::text[]) WITH ORDINALITY AS x(t, o)`,
      [`r${room}`, texts],
    );
  }
  await db.query('VACUUM ANALYZE parley_messages');
}

/**
 * The database's work per stored message with and without the two indexes of search: 20,000 appends, 50 at a time,
 * into a fresh database each round (wall time per message; with the embedded store also this process's CPU, where
 * the database runs).
 */
async function writeCost(open: () => Promise<SqlDatabase>, withIndexes: boolean) {
  const db = await open();
  try {
    await migrate(db);
    if (!withIndexes) {
      await db.query('DROP INDEX parley_messages_text_words');
      await db.query('DROP INDEX parley_messages_room_recent');
    }
    const log = new DatabaseLog(
      db,
      { ids: randomIds(), timers: systemTimers, batch: BATCH_SIZES[STORE], batchMaxWaitMs: 2 },
      () => {},
    );
    let sent = 0;
    const appends = async (count: number) => {
      for (let done = 0; done < count; done += 50) {
        await Promise.all(
          Array.from({ length: 50 }, () => {
            sent += 1;
            const from = { id: `u${sent % 50}`, name: 'U' };
            const text = Array.from({ length: 12 }, drawn).join(' ');
            return log.append({
              room: `r${sent % 100}`,
              id: `i${sent}`,
              from,
              text,
              ts: Date.now(),
              cid: `c${sent}`,
            });
          }),
        );
      }
    };
    await appends(2000);
    const cpu = process.cpuUsage();
    const at = process.hrtime.bigint();
    await appends(20_000);
    const used = process.cpuUsage(cpu);
    return {
      wallUs: Number(process.hrtime.bigint() - at) / 1e3 / 20_000,
      cpuUs: (used.user + used.system) / 20_000,
    };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  let fresh: () => Promise<SqlDatabase>;
  let stop: () => Promise<void>;
  if (STORE === 'embedded') {
    const dir = await mkdtemp(join(tmpdir(), 'parley-bench-search-'));
    let made = 0;
    fresh = () => {
      made += 1;
      return PgliteDatabase.open(join(dir, `data-${made}`));
    };
    stop = () => removeQuietly(dir);
  } else {
    const server = await PostgresServer.start();
    let made = 0;
    fresh = async () => {
      made += 1;
      await server.sql(`CREATE DATABASE bench${made}`);
      const url = server.url.replace(/\/postgres$/, `/bench${made}`);
      return new PgDatabase({ url, timeoutMs: 60_000, maxConnections: 2, logger: silentLogger() });
    };
    stop = () => server.stop();
  }
  const db = await fresh();
  try {
    await migrate(db);
    const started = Date.now();
    await fill(db);
    const log = new DatabaseLog(
      db,
      { ids: randomIds(), timers: systemTimers, batch: BATCH_SIZES[STORE], batchMaxWaitMs: 5 },
      () => {},
    );
    const all = Array.from({ length: ROOMS }, (_, i) => `r${i + 1}`);
    const cases: Array<[string, string, string[]]> = [
      ['the commonest word', word(0), all],
      ['the commonest word, 20 rooms', word(0), all.slice(0, 20)],
      ['a two-letter prefix', 'w1', all],
      ['a word of medium frequency', word(800), all],
      ['two words together', `${word(1)} ${word(2)}`, all],
      ['a rare word', word(19_999), all],
      ['a word no message has', 'nothing', all],
      // What a user could ask to keep the database busy: words in most messages, or never together.
      ['a one-letter prefix of every message', 'w', all],
      ['a rare word and a one-letter prefix', `${word(19_999)} w`, all],
      ['a one-letter prefix and a word no message has', 'w nothing', all],
      ['two common words never together', 'north south', all],
    ];
    console.log(
      `${STORE}, ${MESSAGES.toLocaleString('en')} messages in ${ROOMS} rooms (filled in ${Date.now() - started} ms)\n`,
    );
    console.log(
      '| search | matching messages | found (stopped: the walk stopped) | page of 20: median ms | max ms |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [label, query, rooms] of cases) {
      const words = searchWords(query);
      const times: number[] = [];
      let found = '';
      for (let run = 0; run < RUNS; run += 1) {
        const at = process.hrtime.bigint();
        const result = await log.search({ rooms, words, limit: 21 });
        times.push(Number(process.hrtime.bigint() - at) / 1e6);
        found = `${result.messages.length}${result.stoppedAt ? ' (stopped)' : ''}`;
      }
      times.sort((a, b) => a - b);
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM parley_messages WHERE room = ANY($1::text[])
           AND ${textWords('text')} @@ to_tsquery('simple', $2) AND event IS NULL AND action IS NULL`,
        [rooms, words.map((w) => `${w}:*`).join(' & ')],
      );
      const median = times[Math.floor(times.length / 2)] as number;
      console.log(
        `| ${label} (\`${query}\`) | ${Number(rows[0]?.n).toLocaleString('en')} | ${found} | ${median.toFixed(1)} | ${(times.at(-1) as number).toFixed(1)} |`,
      );
    }
    const { rows } = await db.query<Record<string, string>>(
      `SELECT pg_relation_size('parley_messages') AS messages, pg_relation_size('parley_messages_text_words') AS words,
              pg_relation_size('parley_messages_room_recent') AS recent`,
    );
    const mb = (bytes: string | undefined) => (Number(bytes) / 1e6).toFixed(1);
    console.log(
      `\nOn disk: messages ${mb(rows[0]?.messages)} MB, words index ${mb(rows[0]?.words)} MB, rooms' newest-first index ${mb(rows[0]?.recent)} MB`,
    );
    console.log(
      '\n| writes: 20,000 appends, 50 at a time | wall us per message | this process CPU us per message |',
    );
    console.log('| --- | ---: | ---: |');
    for (let round = 1; round <= 3; round += 1) {
      for (const withIndexes of [false, true]) {
        const cost = await writeCost(fresh, withIndexes);
        console.log(
          `| round ${round}, ${withIndexes ? 'with' : 'without'} the indexes | ${cost.wallUs.toFixed(1)} | ${cost.cpuUs.toFixed(1)} |`,
        );
      }
    }
  } finally {
    await db.close();
    await stop();
  }
}

await main();
