/**
 * What scheduled messages and reminders cost the database each instance asks every `--schedule-poll-ms` (docs/storage.md,
 * migrations 024 and 025): a claim round of scheduled messages and a round of reminders with none due, among
 * `BENCH_SCHEDULED_PENDING` pending ones spread over the next year, and a round that finds 100 due, claimed then each
 * marked sent (the store's side only: the messages' appends are the log's). A private PostgreSQL 15 (fsync off),
 * migrated as at start-up; each figure the median (and 90th percentile) of `BENCH_SCHEDULED_RUNS` runs, in ms.
 *
 * Usage: npm run bench:scheduled (env: BENCH_SCHEDULED_PENDING=100000, BENCH_SCHEDULED_RUNS=50). Prints a Markdown
 * table.
 */
import { SqlRoomDirectory } from '../src/rooms/sql-room-directory.js';
import { SqlScheduledStore } from '../src/schedule/sql-scheduled-store.js';
import { migrate } from '../src/store/migrate.js';
import { PgDatabase } from '../src/store/pg-database.js';
import { silentLogger } from '../src/util/logger.js';
import { PostgresServer } from '../test/helpers/postgres-server.js';
import { median } from './compare-report.js';

const PENDING = Number(process.env.BENCH_SCHEDULED_PENDING ?? 100_000);
const RUNS = Number(process.env.BENCH_SCHEDULED_RUNS ?? 50);
const YEAR_MS = 366 * 86_400_000;
/** What a round claims at most, as ScheduledMessages does. */
const ROUND = 100;

/** The `p`th percentile of `values` (0-100), nearest rank. */
function percentile(values: number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Runs `prepare` then the work it returns (or `prepare` itself, when it returns no function) `RUNS` times after one
 * warm-up: the work's wall times in ms.
 */
async function timed(prepare: (run: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let run = -1; run < RUNS; run += 1) {
    const started = process.hrtime.bigint();
    const work = await prepare(run);
    const from = typeof work === 'function' ? process.hrtime.bigint() : started;
    if (typeof work === 'function') await work();
    if (run >= 0) times.push(Number(process.hrtime.bigint() - from) / 1e6);
  }
  return times;
}

/** A round that finds `ROUND` due: claimed, then each marked sent, as ScheduledMessages does once each is appended. */
async function roundOfDue(scheduled: SqlScheduledStore, now: number, run: number): Promise<void> {
  const claimed = await scheduled.claimDue(now, now + 30_000, ROUND);
  for (const record of claimed) await scheduled.sent(record.id);
  if (claimed.length !== ROUND) throw new Error(`run ${run}: claimed ${claimed.length} of ${ROUND}`);
}

async function main(): Promise<void> {
  const server = await PostgresServer.start();
  const db = new PgDatabase({
    url: server.url,
    timeoutMs: 30_000,
    maxConnections: 4,
    logger: silentLogger(),
  });
  try {
    await migrate(db);
    const now = Date.now();
    // Pending scheduled messages of 1,000 users, due at random times over the next year; as many saved messages
    // with a reminder over the same year.
    await db.query(
      `INSERT INTO parley_scheduled (id, user_id, user_name, room, text, at, created_at)
       SELECT 's' || g, 'u' || (g % 1000), 'User', 'r' || (g % 100), 'a message to send later',
              $1::bigint + 60000 + floor(random() * $2)::bigint, $1::bigint
       FROM generate_series(1, $3::int) g`,
      [now, YEAR_MS, PENDING],
    );
    await db.query(
      `INSERT INTO parley_saved (user_id, room, "offset", message_id, saved_at, remind_at)
       SELECT 'u' || (g % 1000), 'r' || (g % 100), g, 'm' || g, $1::bigint,
              $1::bigint + 60000 + floor(random() * $2)::bigint
       FROM generate_series(1, $3::int) g`,
      [now, YEAR_MS, PENDING],
    );
    await db.query('VACUUM ANALYZE parley_scheduled');
    await db.query('VACUUM ANALYZE parley_saved');
    const scheduled = new SqlScheduledStore(db);
    const directory = new SqlRoomDirectory(db);

    const claimNone = await timed(() => scheduled.claimDue(now, now + 30_000, ROUND));
    const remindNone = await timed(() => directory.dueReminders(now, ROUND));
    // Each run: 100 messages made due (not timed), then a round claims them and marks each sent (timed).
    const claimDue = await timed(async (run) => {
      await db.query(
        'UPDATE parley_scheduled SET at = $1 WHERE id IN (SELECT id FROM parley_scheduled ORDER BY at DESC LIMIT $2)',
        [now - 1, ROUND],
      );
      return () => roundOfDue(scheduled, now, run);
    });
    const row = (name: string, times: number[]) =>
      `| ${name} | ${median(times).toFixed(2)} | ${percentile(times, 90).toFixed(2)} |`;
    process.stdout.write(
      [
        `${PENDING.toLocaleString('en')} pending scheduled messages and reminders over a year, PostgreSQL ${(await server.sql('SHOW server_version')).trim()}, ${RUNS} runs:`,
        '',
        '| round | median ms | p90 ms |',
        '| --- | ---: | ---: |',
        row('scheduled messages, none due (`claimDue`)', claimNone),
        row('reminders, none due (`dueReminders`)', remindNone),
        row(`scheduled messages, ${ROUND} due: claimed, then each marked sent`, claimDue),
        '',
      ].join('\n'),
    );
  } finally {
    await db.close();
    await server.stop();
  }
}

await main();
