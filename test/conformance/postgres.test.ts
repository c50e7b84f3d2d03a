/**
 * The room log contract (and message delivery through the bus) on PostgreSQL: a private server started by the
 * test, a fresh database per fixture, migrated as at start-up.
 */
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { createPostgresEngine } from '../../src/engine/postgres-engine.js';
import { ManualClock, systemTimers } from '../../src/util/clock.js';
import { randomId, randomIds } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { brokerSuite } from './broker.suite.js';
import type { FixtureFactory } from './fixture.js';
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
});
