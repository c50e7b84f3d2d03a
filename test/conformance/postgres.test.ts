/**
 * The room log contract (and message delivery through the bus) on PostgreSQL: a private server started by the
 * test, a fresh database per fixture, migrated as at start-up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresEngine } from '../../src/engine/postgres-engine.js';
import type { PostgresLog } from '../../src/log/postgres-log.js';
import { ManualClock, systemTimers } from '../../src/util/clock.js';
import { randomId, randomIds } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { brokerSuite } from './broker.suite.js';
import { draft, type FixtureFactory } from './fixture.js';
import { roomLogSuite } from './room-log.suite.js';

describe('PostgreSQL engine conformance', () => {
  let server: PostgresServer;
  before(async () => {
    server = await PostgresServer.start();
  });
  after(() => server.stop());

  const factory: FixtureFactory = {
    async create(options) {
      const database = `t${randomId()
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')}`;
      await server.sql(`CREATE DATABASE ${database}`);
      const databaseUrl = server.url.replace(/\/postgres$/, `/${database}`);
      const clock = new ManualClock(Date.now());
      const engine = createPostgresEngine({
        databaseUrl,
        databaseTimeoutMs: 5000,
        userMessagesPerSec: options.userMessagesPerSec ?? 0,
        retentionDays: 0,
        clock,
        timers: systemTimers,
        ids: randomIds(),
        logger: silentLogger(),
      });
      await engine.start();
      const footprint = async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query<{ n: string }>(
            'SELECT (SELECT count(*) FROM parley_rooms) + (SELECT count(*) FROM parley_messages) AS n',
          );
          return Number(rows[0]?.n ?? 0);
        } finally {
          await client.end();
        }
      };
      return { ...engine, clock, keepsEverything: true, footprint, close: () => engine.close() };
    },
  };
  roomLogSuite('postgres', factory);
  brokerSuite('postgres', factory);

  it('deletes messages past their retention and says where history now starts', async () => {
    const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000 });
    after(() => fixture.close());
    const log = fixture.log as PostgresLog;
    const day = 86_400_000;
    const now = Date.now();
    for (let i = 1; i <= 6; i += 1) {
      // Offsets 1-3 are ten days old, 4-6 are fresh.
      await log.append({ ...draft('kept-and-pruned', `m${i}`), ts: i <= 3 ? now - 10 * day : now });
    }
    assert.equal(await log.prune(now - 7 * day, 2), 3, 'in statements of 2, until none is left');
    const page = await log.read('kept-and-pruned', { limit: 100 });
    assert.deepEqual(
      page.messages.map((m) => m.offset),
      [4, 5, 6],
    );
    assert.equal(page.earliest, 4);
    assert.deepEqual(page.position.offset, 6, 'offsets and epoch stay');
  });
});
