/**
 * Conversations that last, on one instance with PostgreSQL (`--database-url`): migrations apply once however many
 * processes start at the same time; a server killed with -9 comes back with every acknowledged message, the same
 * epoch and offsets, and retries stay duplicates; a database that goes away makes sends fail `unavailable` and the
 * instance not ready, and everything comes back by itself when it returns.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { migrate, shippedMigrations } from '../../src/store/migrate.js';
import { PgDatabase } from '../../src/store/pg-database.js';
import { silentLogger } from '../../src/util/logger.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { CLI, spawnServer } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { waitUntil, within } from '../helpers/wait.js';

const run = promisify(execFile);
const TIMEOUT_MS = 1000;

describe('PostgreSQL as the message store', async () => {
  const pg = await PostgresServer.start();
  after(() => pg.stop());
  await pg.sql('CREATE DATABASE parley');
  const databaseUrl = pg.url.replace(/\/postgres$/, '/parley');

  it('applies the migrations once when several processes migrate at the same time', async () => {
    const outputs = await Promise.all(
      [0, 1, 2].map(() => run(process.execPath, [CLI, 'migrate', '--database-url', databaseUrl])),
    );
    const applied = outputs.filter((o) => o.stdout.startsWith('applied migrations')).length;
    assert.equal(applied, 1, outputs.map((o) => o.stdout).join(''));
    const versions = await pg.sql("SELECT string_agg(version::text, ',') FROM parley_migrations", 'parley');
    const shipped = (await shippedMigrations()).map((m) => m.version).join(',');
    assert.equal(versions, shipped, 'every shipped migration, once');
  });

  it("lets a migration's statement outlast the statement timeout (an index over a large table)", async () => {
    await pg.sql('CREATE DATABASE slow_migration');
    const url = pg.url.replace(/\/postgres$/, '/slow_migration');
    const db = new PgDatabase({ url, timeoutMs: 200, maxConnections: 1, logger: silentLogger() });
    try {
      const slow = { version: 1, name: 'slow', sql: 'SELECT pg_sleep(0.6);' };
      assert.deepEqual(await migrate(db, [slow]), [1]);
      // Other statements keep the timeout.
      await assert.rejects(db.query('SELECT pg_sleep(0.6)'), /timeout/i);
    } finally {
      await db.close();
    }
  });

  it('lists what an edited message said, and says partial for one edited before its first text was kept', async () => {
    const node = await spawnServer(['--database-url', databaseUrl]);
    const client = await RawClient.connect(node.wsUrl, { name: 'Ed', user: 'ed' });
    after(() => client.close());
    await client.request({ type: 'join', room: 'versions' });
    const sent = async (text: string, cid: string) =>
      (await client.request({ type: 'send', room: 'versions', text, cid })).offset as number;
    const texts = async (offset: number) => {
      const reply = await client.request({ type: 'edits', room: 'versions', offset });
      return [(reply.versions as Frame[]).map((v) => v.text), reply.partial];
    };
    const kept = await sent('one', 'v1');
    const older = await sent('uno', 'v2');
    for (const [offset, text] of [
      [kept, 'two'],
      [older, 'dos'],
      [older, 'tres'],
    ] as const) {
      assert.equal((await client.request({ type: 'edit', room: 'versions', offset, text })).type, 'acted');
    }
    // As a message edited before migration 023 is: its first text was not kept.
    await pg.sql(
      `UPDATE parley_messages SET original_text = NULL WHERE room = 'versions' AND "offset" = ${older}`,
      'parley',
    );
    assert.deepEqual(await texts(kept), [['one', 'two'], undefined]);
    assert.deepEqual(await texts(older), [['dos', 'tres'], true]);
    const missing = await client.request({ type: 'edits', room: 'versions', offset: 999 });
    assert.equal(missing.code, 'no_message');
    const elsewhere = await client.request({ type: 'edits', room: 'elsewhere', offset: kept });
    assert.equal(elsewhere.code, 'not_joined');
  });

  it('keeps every acknowledged message across a kill -9, with its epoch, offsets and idempotency', async () => {
    const args = ['--database-url', databaseUrl, '--database-timeout-ms', String(TIMEOUT_MS)];
    const first = await spawnServer(args);
    const client = await RawClient.connect(first.wsUrl, { name: 'Keeper', user: 'keeper' });
    await client.request({ type: 'join', room: 'kept' });
    const sent: Frame[] = [];
    for (let i = 1; i <= 5; i += 1) {
      sent.push(await client.request({ type: 'send', room: 'kept', text: `m${i}`, cid: `c${i}` }));
    }
    assert.deepEqual(
      sent.map((s) => s.offset),
      [1, 2, 3, 4, 5],
    );
    const epoch = sent[0]?.epoch as string;
    first.child.kill('SIGKILL');
    await within(first.exited, 10_000, 'the server to die');

    const second = await spawnServer(args, { port: first.port });
    const back = await RawClient.connect(second.wsUrl, { name: 'Keeper', user: 'keeper' });
    after(() => back.close());
    const joined = await back.request({ type: 'join', room: 'kept', since: { offset: 2, epoch } });
    assert.equal(joined.recovered, true, 'the epoch lives in the database');
    assert.deepEqual(
      (joined.messages as Frame[]).map((m) => m.text),
      ['m3', 'm4', 'm5'],
    );
    const retry = await back.request({ type: 'send', room: 'kept', text: 'm3', cid: 'c3' });
    assert.equal(retry.duplicate, true);
    assert.equal(retry.offset, 3);
    const next = await back.request({ type: 'send', room: 'kept', text: 'm6', cid: 'c6' });
    assert.deepEqual([next.offset, next.epoch], [6, epoch]);

    // The database goes away: sends are refused (never acknowledged), the instance says it is not ready.
    await pg.kill();
    const started = Date.now();
    const refused = await back.request({ type: 'send', room: 'kept', text: 'lost?', cid: 'c7' });
    assert.equal(refused.code, 'unavailable');
    assert.equal(refused.temporary, true);
    assert.ok(Date.now() - started < TIMEOUT_MS + 2000, `refused after ${Date.now() - started} ms`);
    const readyz = async () => (await fetch(`${second.httpUrl}/readyz`)).status;
    assert.equal(await readyz(), 503);
    // Presence and typing do not need the database.
    assert.equal((await back.request({ type: 'presence', room: 'kept' })).type, 'presence_state');

    await pg.launch();
    await waitUntil(async () => (await readyz()) === 200, 15_000, 'ready again without a restart');
    const again = await back.request({ type: 'send', room: 'kept', text: 'm7', cid: 'c7' });
    assert.equal(again.offset, 7);
    assert.equal((await second.stats()).self.store, 'postgres', 'the stats say where messages are kept');
    // The store's work is in the metrics: batches, the messages in them, the time they took, the queue.
    const metrics = await (await fetch(`${second.httpUrl}/metrics`)).text();
    const sample = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.ok(sample('parley_store_commits_total') >= 1, metrics.slice(0, 200));
    assert.ok(sample('parley_store_committed_messages_total') >= 3);
    assert.ok(sample('parley_store_commit_seconds_total') > 0);
    assert.equal(sample('parley_store_queue'), 0);
    const history = await back.request({ type: 'history', room: 'kept' });
    assert.deepEqual(
      (history.messages as Frame[]).map((m) => m.offset),
      [1, 2, 3, 4, 5, 6, 7],
      'nothing acknowledged is missing, nothing refused is there',
    );
  });
});
