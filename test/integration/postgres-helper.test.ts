/**
 * The private PostgreSQL the storage tests run against: it starts on a free port in a temp directory (as the
 * `postgres` user when the tests run as root, as CI does), answers SQL, survives a kill -9 and a restart with its
 * data, and is gone after stop().
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PostgresServer } from '../helpers/postgres-server.js';

describe('a private PostgreSQL for the tests', async () => {
  const pg = await PostgresServer.start();
  after(() => pg.stop());

  it('answers SQL, and keeps its data across a kill and a restart', async () => {
    assert.match(await pg.sql('show server_version'), /^\d+/);
    await pg.sql('create table t (n int primary key)');
    await pg.sql('insert into t values (1), (2)');
    await pg.kill();
    await assert.rejects(pg.sql('select 1'));
    await pg.launch();
    assert.equal(await pg.sql('select sum(n) from t'), '3');
  });
});
