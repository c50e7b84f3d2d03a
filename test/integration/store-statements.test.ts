/**
 * The store's prepared statements, on the embedded store and on PostgreSQL. A prepared statement keeps its generic
 * plan until something re-plans it, and PGlite has no autovacuum to do so: the commit must find duplicates with the
 * idempotency index whatever the size of the table when it was planned (a scan of every message per commit grows
 * with the table). Also: PGlite's named statements (its wire protocol, `pglite-statements.ts`) are prepared and
 * answer like its plain queries, and the store's names reach the database through the engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  APPEND_STATEMENT,
  OVERVIEW_STATEMENT,
  STORED_CIDS_STATEMENT,
  THREAD_UNREAD_STATEMENT,
} from '../../src/log/database-log.js';
import { migrate } from '../../src/store/migrate.js';
import { PgDatabase } from '../../src/store/pg-database.js';
import type { PgliteDatabase } from '../../src/store/pglite-database.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { PLAN_CACHE_MODE } from '../../src/store/sql.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { StartupRefusal } from '../../src/util/startup-refusal.js';
import { testDatabaseEngine } from '../conformance/engines.js';
import { draft } from '../conformance/fixture.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { openTempPglite } from '../helpers/temp-pglite.js';

/** The statements that look up messages by a list of cids, with their parameter types and sample arguments. */
const LOOKUPS = {
  commit: {
    text: APPEND_STATEMENT,
    types:
      'int[], text[], text[], text[], text[], text[], bigint[], text[], text[], bigint[], text[], text[], text[], text',
    args: `ARRAY[0], ARRAY['r'], ARRAY['id'], ARRAY['u'], ARRAY['n'], ARRAY['t'], ARRAY[1]::bigint[], ARRAY['c'], ARRAY[NULL]::text[], ARRAY[NULL]::bigint[], ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY[NULL]::text[], 'e'`,
  },
  'rate-limit read': {
    text: STORED_CIDS_STATEMENT,
    types: 'text[], text[], text[]',
    args: `ARRAY['r'], ARRAY['u'], ARRAY['c']`,
  },
};

/** A statement's plan as the statement cache would keep it: planned on empty tables, generic. */
async function genericPlan(db: SqlDatabase, lookup: (typeof LOOKUPS)['commit']): Promise<string> {
  const { rows: mode } = await db.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
  await db.script(`PREPARE parley_plan_check (${lookup.types}) AS ${lookup.text}`);
  await db.script('SET plan_cache_mode = force_generic_plan');
  try {
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN EXECUTE parley_plan_check(${lookup.args})`,
    );
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await db.script(`SET plan_cache_mode = ${mode[0]?.plan_cache_mode}; DEALLOCATE parley_plan_check`);
  }
}

/** The names of the statements prepared on the connection that runs this query. */
async function prepared(db: SqlDatabase): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
  return rows.map((row) => row.name);
}

/**
 * Every lookup's generic plan probes the idempotency index and scans no table; the room list's newest-message
 * read probes the primary key from its end; a followed thread's count reads a range of the thread index.
 */
async function assertLookupsIndexOnly(db: SqlDatabase): Promise<void> {
  for (const lookup of Object.values(LOOKUPS)) assertIndexOnly(await genericPlan(db, lookup));
  const latest = await genericPlan(db, {
    text: OVERVIEW_STATEMENT,
    types: 'text[], bigint[], text[]',
    args: `ARRAY['r'], ARRAY[0]::bigint[], ARRAY['u']`,
  });
  assert.doesNotMatch(latest, /Seq Scan on parley_messages/, latest);
  assert.match(latest, /Index Scan Backward using parley_messages_pkey on parley_messages/, latest);
  const threads = await genericPlan(db, {
    text: THREAD_UNREAD_STATEMENT,
    types: 'text[], bigint[], bigint[], text[]',
    args: `ARRAY['r'], ARRAY[1]::bigint[], ARRAY[1]::bigint[], ARRAY['u']`,
  });
  assert.doesNotMatch(threads, /Seq Scan on parley_messages/, threads);
  assert.match(threads, /parley_messages_threads/, threads);
}

/**
 * The session plans named statements generically (PLAN_CACHE_MODE), and the commit's statement, run more than the
 * five times after which PostgreSQL would otherwise weigh re-planning, was planned once.
 */
async function assertPlansGenerically(db: SqlDatabase): Promise<void> {
  const { rows } = await db.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
  assert.equal(rows[0]?.plan_cache_mode, PLAN_CACHE_MODE);
  const lookup = LOOKUPS['rate-limit read'];
  for (let i = 0; i < 8; i += 1)
    await db.query(lookup.text, [['r'], [`u${i}`], ['c']], 'parley_test_generic');
  const counts = await db.query<{ generic_plans: string; custom_plans: string }>(
    `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'parley_test_generic'`,
  );
  assert.deepEqual(
    counts.rows.map((row) => [Number(row.generic_plans), Number(row.custom_plans)]),
    [[8, 0]],
  );
}

function assertIndexOnly(plan: string): void {
  assert.doesNotMatch(plan, /Seq Scan on parley_messages/, plan);
  assert.doesNotMatch(plan, /Seq Scan on parley_rooms/, plan);
  assert.match(plan, /Index Scan using parley_messages_idempotency on parley_messages/, plan);
}

describe('prepared statements of the store', () => {
  describe('embedded (PGlite)', () => {
    let temp: Awaited<ReturnType<typeof openTempPglite>>;
    let db: PgliteDatabase;
    before(async () => {
      temp = await openTempPglite('statements');
      db = temp.db;
      await migrate(db);
    });
    after(() => temp.dispose());

    it('plans the commit and the rate-limit read as index probes, planned on empty tables', async () => {
      await assertLookupsIndexOnly(db);
    });

    it('plans every prepared statement once, generically (no re-planning per commit)', async () => {
      await assertPlansGenerically(db);
    });

    it('answers a named statement like a plain one, every time, with every parameter type', async () => {
      const text = `SELECT $1::text AS t, $2::bigint AS b, $3::int[] AS a, $4::text AS missing, $5::boolean AS f`;
      const params = ["it's", 2 ** 40, [1, 2, 3], null, false];
      const plain = await db.query(text, params);
      for (let i = 0; i < 8; i += 1) {
        // Past the fifth run PostgreSQL may switch to the generic plan: the answers must not change.
        assert.deepEqual((await db.query(text, params, 'parley_test_types')).rows, plain.rows);
      }
      assert.deepEqual(plain.rows, [{ t: "it's", b: 2 ** 40, a: [1, 2, 3], missing: null, f: false }]);
      assert.deepEqual(
        (await prepared(db)).filter((name) => name.startsWith('parley_test_types')),
        ['parley_test_types'],
        'the named runs went through one prepared statement',
      );
    });

    it('reports a failing named statement with its SQLSTATE, and keeps working afterwards', async () => {
      await db.query('CREATE TABLE parley_test_unique (k text PRIMARY KEY)');
      const insert = 'INSERT INTO parley_test_unique VALUES ($1)';
      await db.query(insert, ['a'], 'parley_test_insert');
      await assert.rejects(db.query(insert, ['a'], 'parley_test_insert'), { code: '23505' });
      await db.query(insert, ['b'], 'parley_test_insert');
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM parley_test_unique');
      assert.equal(rows[0]?.n, 2);
    });

    it('refuses a database migrated by a newer Parley, as a start-up refusal (one line, exit 2)', async () => {
      await db.query("INSERT INTO parley_migrations (version, name) VALUES (99999, 'from the future')");
      try {
        await assert.rejects(migrate(db), (error: unknown) => {
          assert.ok(error instanceof StartupRefusal);
          assert.match(error.message, /migrations this version does not know \(99999\): upgrade Parley/);
          return true;
        });
      } finally {
        await db.query('DELETE FROM parley_migrations WHERE version = 99999');
      }
    });
  });

  describe('PostgreSQL', () => {
    let pg: PostgresServer;
    let db: PgDatabase;
    before(async () => {
      pg = await PostgresServer.start();
      db = new PgDatabase({
        url: pg.url,
        timeoutMs: 5000,
        maxConnections: 1,
        logger: silentLogger(),
      });
      await migrate(db);
    });
    after(async () => {
      await db.close();
      await pg.stop();
    });

    it('plans the commit and the rate-limit read as index probes, planned on empty tables', async () => {
      await assertLookupsIndexOnly(db);
    });

    it('plans every prepared statement once, generically (no re-planning per commit)', async () => {
      await assertPlansGenerically(db);
    });

    it("runs the engine's commit and rate-limit read as prepared statements", async () => {
      await pg.sql('CREATE DATABASE engine_path');
      const url = pg.url.replace(/\/postgres$/, '/engine_path');
      // One connection: the statements it prepared are the ones the check below lists.
      const own = new PgDatabase({ url, timeoutMs: 5000, maxConnections: 1, logger: silentLogger() });
      const engine = testDatabaseEngine(
        'postgres',
        { historySize: 10, presenceTtlMs: 5000, userMessagesPerSec: 100 },
        async () => own,
        new ManualClock(Date.now()),
      );
      await engine.start();
      try {
        await engine.log.append(draft('room', 'hello'));
        const names = await prepared(own);
        assert.ok(names.includes('parley_append'), names.join());
        assert.ok(names.includes('parley_stored_cids'), names.join());
      } finally {
        await engine.close();
      }
    });
  });
});
