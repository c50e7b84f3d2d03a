/**
 * The store's prepared statements, on the embedded store and on PostgreSQL. A prepared statement keeps its generic
 * plan until something re-plans it, and PGlite has no autovacuum to do so: the commit must find duplicates with the
 * idempotency index whatever the size of the table when it was planned (a scan of every message per commit grows
 * with the table). Also: PGlite's named statements (its wire protocol, `pglite-statements.ts`) answer like its
 * plain queries.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APPEND_STATEMENT } from '../../src/log/database-log.js';
import { migrate } from '../../src/store/migrate.js';
import { PgDatabase } from '../../src/store/pg-database.js';
import { PgliteDatabase } from '../../src/store/pglite-database.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { silentLogger } from '../../src/util/logger.js';
import { PostgresServer } from '../helpers/postgres-server.js';

const TYPES = 'int[], text[], text[], text[], text[], text[], bigint[], text[], text';
const ARGS = `ARRAY[0], ARRAY['r'], ARRAY['id'], ARRAY['u'], ARRAY['n'], ARRAY['t'], ARRAY[1]::bigint[], ARRAY['c'], 'e'`;

/** The commit's plan as the statement cache would keep it: planned on empty tables, generic. */
async function genericPlan(db: SqlDatabase): Promise<string> {
  await db.script(`PREPARE parley_plan_check (${TYPES}) AS ${APPEND_STATEMENT}`);
  await db.script('SET plan_cache_mode = force_generic_plan');
  try {
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE parley_plan_check(${ARGS})`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await db.script('SET plan_cache_mode = auto; DEALLOCATE parley_plan_check');
  }
}

function assertIndexOnly(plan: string): void {
  assert.doesNotMatch(plan, /Seq Scan on parley_messages/, plan);
  assert.doesNotMatch(plan, /Seq Scan on parley_rooms/, plan);
  assert.match(plan, /Index Scan using parley_messages_idempotency on parley_messages/, plan);
}

describe('prepared statements of the store', () => {
  describe('embedded (PGlite)', () => {
    let dir: string;
    let db: PgliteDatabase;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'parley-statements-'));
      db = await PgliteDatabase.open(dir);
      await migrate(db);
    });
    after(async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('plans the commit as index probes, planned on empty tables', async () => {
      assertIndexOnly(await genericPlan(db));
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

    it('plans the commit as index probes, planned on empty tables', async () => {
      assertIndexOnly(await genericPlan(db));
    });
  });
});
