/**
 * The room log contract (and message delivery through the bus) on the database stores: PostgreSQL for one node
 * (a private server started by the test, a fresh database per fixture, migrated as at start-up), and PostgreSQL
 * behind Redis for a cluster (two nodes on one database and one Redis, or a 3-master Redis Cluster; the recent
 * window and the bus in Redis).
 */
import { after, before, describe } from 'node:test';
import { SqlDraftStore } from '../../src/drafts/sql-draft-store.js';
import type { Engine } from '../../src/engine/engine.js';
import type { RedisTarget } from '../../src/redis/link.js';
import { SqlRoomDirectory } from '../../src/rooms/sql-room-directory.js';
import { SqlScheduledStore } from '../../src/schedule/sql-scheduled-store.js';
import { migrate } from '../../src/store/migrate.js';
import { PgDatabase } from '../../src/store/pg-database.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomId } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { RedisCluster, RedisServer } from '../helpers/redis-server.js';
import { brokerSuite } from './broker.suite.js';
import { draftStoreSuite } from './draft-store.suite.js';
import { keysOn, testDatabaseEngine, testRedisEngine } from './engines.js';
import { fileStoreSuite } from './file-store.suite.js';
import { sqlFileFixture } from './file-store-sql.js';
import type { EngineFixture, FixtureFactory, FixtureOptions } from './fixture.js';
import { messageActionsSuite } from './message-actions.suite.js';
import { messageSearchSuite } from './message-search.suite.js';
import { presenceSuite } from './presence.suite.js';
import { retentionCase } from './retention.suite.js';
import { roomDirectorySuite } from './room-directory.suite.js';
import { roomLogSuite } from './room-log.suite.js';
import { scheduledStoreSuite } from './scheduled-store.suite.js';
import { threadsSuite } from './threads.suite.js';

/** A fresh database on the private server, and a way to count what is stored in it. */
async function freshDatabase(server: PostgresServer) {
  const name = `t${randomId()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')}`;
  await server.sql(`CREATE DATABASE ${name}`);
  const url = server.url.replace(/\/postgres$/, `/${name}`);
  const open = async () =>
    new PgDatabase({ url, timeoutMs: 5000, maxConnections: 4, logger: silentLogger() });
  const rows = async () =>
    Number(
      await server.sql(
        'SELECT (SELECT count(*) FROM parley_rooms) + (SELECT count(*) FROM parley_messages)',
        name,
      ),
    );
  return { open, rows };
}

describe('PostgreSQL store conformance (one node)', () => {
  let server: PostgresServer;
  before(async () => {
    server = await PostgresServer.start();
  });
  after(() => server.stop());

  const factory: FixtureFactory = {
    async create(options) {
      const database = await freshDatabase(server);
      const clock = new ManualClock(Date.now());
      const engine = testDatabaseEngine('postgres', options, database.open, clock);
      await engine.start();
      return {
        ...engine,
        clock,
        keepsEverything: true,
        footprint: database.rows,
        close: () => engine.close(),
      };
    },
  };
  roomLogSuite('postgres', factory);
  messageActionsSuite('postgres', factory);
  threadsSuite('postgres', factory);
  messageSearchSuite('postgres', factory);
  brokerSuite('postgres', factory);
  retentionCase(factory);
  fileStoreSuite('postgres', {
    async create() {
      const db = await (await freshDatabase(server)).open();
      await migrate(db);
      return sqlFileFixture(db, 'database', () => db.close());
    },
  });
  scheduledStoreSuite('postgres', {
    async create() {
      const database = await freshDatabase(server);
      const db = await database.open();
      await migrate(db);
      const others: PgDatabase[] = [];
      return {
        store: new SqlScheduledStore(db),
        // Another instance's pool on the same database.
        again: async () => {
          const other = await database.open();
          others.push(other);
          return new SqlScheduledStore(other);
        },
        close: async () => {
          await Promise.all(others.map((other) => other.close()));
          await db.close();
        },
      };
    },
  });
  draftStoreSuite('postgres', {
    async create() {
      const db = await (await freshDatabase(server)).open();
      await migrate(db);
      return { store: new SqlDraftStore(db), close: () => db.close() };
    },
  });
  roomDirectorySuite('postgres', {
    async create() {
      const db = await (await freshDatabase(server)).open();
      await migrate(db);
      return { directory: new SqlRoomDirectory(db), close: () => db.close() };
    },
  });
});

/** Two nodes on one database and one Redis (or Redis Cluster): the recent window and the bus in Redis. */
function clusteredFactory(
  server: () => PostgresServer,
  target: () => RedisTarget,
  keysUnder: (prefix: string) => Promise<number>,
): FixtureFactory {
  const node = async (
    options: FixtureOptions,
    prefix: string,
    clock: ManualClock,
    open: () => Promise<PgDatabase>,
  ): Promise<Engine> => {
    const engine = testRedisEngine(options, target(), prefix, clock, open);
    await engine.start();
    if (!engine.isReady()) throw new Error('engine not ready');
    return engine;
  };
  return {
    async create(options) {
      const database = await freshDatabase(server());
      const prefix = `t${randomId()}`;
      const clock = new ManualClock(Date.now());
      const fixture = (engine: Engine): EngineFixture => ({
        ...engine,
        clock,
        clustered: true,
        keepsEverything: true,
        footprint: async () => (await database.rows()) + (await keysUnder(prefix)),
        close: () => engine.close(),
      });
      const first = fixture(await node(options, prefix, clock, database.open));
      return { ...first, peer: async () => fixture(await node(options, prefix, clock, database.open)) };
    },
  };
}

describe('PostgreSQL + Redis store conformance (two nodes, one database, one Redis)', () => {
  let server: PostgresServer;
  let redis: RedisServer;
  before(async () => {
    [server, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  });
  after(() => Promise.all([server.stop(), redis.stop()]));
  const factory = clusteredFactory(
    () => server,
    () => ({ url: redis.url }),
    keysOn(() => [redis]),
  );
  roomLogSuite('postgres+redis', factory);
  messageActionsSuite('postgres+redis', factory);
  threadsSuite('postgres+redis', factory);
  messageSearchSuite('postgres+redis', factory);
  brokerSuite('postgres+redis', factory);
  presenceSuite('postgres+redis', factory);
  retentionCase(factory);
});

describe('PostgreSQL + Redis Cluster store conformance (two nodes, one database, 3 masters)', () => {
  let server: PostgresServer;
  let cluster: RedisCluster;
  before(async () => {
    [server, cluster] = await Promise.all([PostgresServer.start(), RedisCluster.start()]);
  });
  after(() => Promise.all([server.stop(), cluster.stop()]));
  const factory = clusteredFactory(
    () => server,
    () => ({ cluster: cluster.nodes }),
    keysOn(() => cluster.servers),
  );
  roomLogSuite('postgres+redis-cluster', factory);
  messageActionsSuite('postgres+redis-cluster', factory);
  threadsSuite('postgres+redis-cluster', factory);
  brokerSuite('postgres+redis-cluster', factory);
});
