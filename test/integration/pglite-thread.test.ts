/**
 * The embedded store's thread (`pglite-worker.ts` behind `PgliteDatabase`): statements and their errors cross the
 * thread boundary intact, a transaction holds the database until it ends (a statement sent meanwhile runs after it),
 * a transaction whose work throws is rolled back, a new database is created by a process of its own with the cache it
 * is given, and a closed store refuses statements instead of hanging.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PgliteDatabase } from '../../src/store/pglite-database.js';
import { isUnavailable } from '../../src/store/sql.js';
import { openTempPglite } from '../helpers/temp-pglite.js';

describe("the embedded store's thread", () => {
  let temp: Awaited<ReturnType<typeof openTempPglite>>;
  let db: PgliteDatabase;
  before(async () => {
    temp = await openTempPglite('thread');
    db = temp.db;
    await db.script('CREATE TABLE items (k text PRIMARY KEY, n int NOT NULL)');
  });
  after(() => temp.dispose());

  it('answers statements with their rows and counts, and errors with their SQLSTATE', async () => {
    const inserted = await db.query('INSERT INTO items VALUES ($1, $2), ($3, $4)', ['a', 1, 'b', 2]);
    assert.equal(inserted.rowCount, 2);
    const { rows } = await db.query<{ k: string; n: number }>('SELECT k, n FROM items ORDER BY k');
    assert.deepEqual(rows, [
      { k: 'a', n: 1 },
      { k: 'b', n: 2 },
    ]);
    const duplicate = await db.query('INSERT INTO items VALUES ($1, $2)', ['a', 3]).catch((e: unknown) => e);
    assert.equal((duplicate as { code?: string }).code, '23505');
    assert.equal(isUnavailable(duplicate), false, 'a refusal, not an outage');
  });

  it('holds the database for a transaction: a statement sent meanwhile sees its commit', async () => {
    const transaction = db.transaction(async (tx) => {
      await tx.query('INSERT INTO items VALUES ($1, $2)', ['t', 10]);
      await tx.query('UPDATE items SET n = 11 WHERE k = $1', ['t']);
    });
    // Sent right after the transaction's BEGIN and before its statements: run in between, it would see no row;
    // it waits for the commit instead, and sees both changes.
    const meanwhile = db.query<{ n: number }>('SELECT n FROM items WHERE k = $1', ['t']);
    await transaction;
    assert.deepEqual((await meanwhile).rows, [{ n: 11 }]);
  });

  it('rolls back a transaction whose work throws, and rethrows its error', async () => {
    const failure = new Error('changed my mind');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items VALUES ($1, $2)', ['gone', 1]);
        throw failure;
      }),
      failure,
    );
    const { rows } = await db.query('SELECT k FROM items WHERE k = $1', ['gone']);
    assert.deepEqual(rows, []);
  });

  it('creates a new database in a process of its own, with the buffer cache it is given', async () => {
    const sized = await PgliteDatabase.open(join(temp.dir, 'sized'), { cacheBytes: 16 * 1024 * 1024 });
    after(() => sized.close());
    const { rows } = await sized.query<{ shared_buffers: string }>('SHOW shared_buffers');
    assert.deepEqual(rows, [{ shared_buffers: '16MB' }]);
    // The rest of initdb's postgresql.conf stays (PGlite rewrites the file from what it is given): UTC, not
    // PostgreSQL's built-in GMT.
    const zone = await sized.query<{ TimeZone: string }>('SHOW timezone');
    assert.deepEqual(zone.rows, [{ TimeZone: 'UTC' }]);
    // A database that cannot be put in place is refused with the reason (here its place is a file: the new
    // database is built beside it, then cannot be moved in).
    const blocked = join(temp.dir, 'blocked');
    await mkdir(blocked);
    await writeFile(join(blocked, 'pglite'), 'not a directory');
    await assert.rejects(PgliteDatabase.open(blocked), /could not create the embedded database in .*: \S/);
  });

  it('refuses statements once closed (counted as the database being unavailable)', async () => {
    const other = await PgliteDatabase.open(join(temp.dir, 'other'));
    await other.close();
    const refused = await other.query('SELECT 1').catch((e: unknown) => e);
    assert.ok(refused instanceof Error);
    assert.equal(isUnavailable(refused), true);
  });
});
