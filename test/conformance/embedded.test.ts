/**
 * The room log contract (and message delivery) on the embedded store: PGlite in a data directory. Creating a
 * PGlite database runs initdb (seconds) and the migrations (seconds more, and more with each migration), so one is
 * made and migrated once and each fixture starts from a copy of it (its start then finds the schema up to date).
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { SqlRoomDirectory } from '../../src/rooms/sql-room-directory.js';
import { SqlScheduledStore } from '../../src/schedule/sql-scheduled-store.js';
import { migrate } from '../../src/store/migrate.js';
import { PgliteDatabase } from '../../src/store/pglite-database.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomId } from '../../src/util/ids.js';
import { removeQuietly } from '../helpers/remove-quietly.js';
import { brokerSuite } from './broker.suite.js';
import { testDatabaseEngine } from './engines.js';
import { fileStoreSuite } from './file-store.suite.js';
import { sqlFileFixture } from './file-store-sql.js';
import type { FixtureFactory } from './fixture.js';
import { messageActionsSuite } from './message-actions.suite.js';
import { messageSearchSuite } from './message-search.suite.js';
import { retentionCase } from './retention.suite.js';
import { roomDirectorySuite } from './room-directory.suite.js';
import { roomLogSuite } from './room-log.suite.js';
import { scheduledStoreSuite } from './scheduled-store.suite.js';
import { threadsSuite } from './threads.suite.js';

describe('Embedded store conformance (PGlite)', () => {
  let root: string;
  let template: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-embedded-'));
    template = join(root, 'template');
    const db = await PgliteDatabase.open(template);
    await migrate(db);
    await db.close();
  });
  after(() => removeQuietly(root));

  const factory: FixtureFactory = {
    async create(options) {
      const dir = join(root, randomId());
      await cp(template, dir, { recursive: true });
      let db: PgliteDatabase | undefined;
      const clock = new ManualClock(Date.now());
      const open = async () => {
        db = await PgliteDatabase.open(dir);
        return db;
      };
      const engine = testDatabaseEngine('embedded', options, open, clock);
      await engine.start();
      const footprint = async () => {
        const { rows } = await (db as PgliteDatabase).query<{ n: number }>(
          'SELECT (SELECT count(*) FROM parley_rooms) + (SELECT count(*) FROM parley_messages) AS n',
        );
        return Number(rows[0]?.n ?? 0);
      };
      return { ...engine, clock, keepsEverything: true, footprint, close: () => engine.close() };
    },
  };
  roomLogSuite('embedded', factory);
  messageActionsSuite('embedded', factory);
  threadsSuite('embedded', factory);
  messageSearchSuite('embedded', factory);
  brokerSuite('embedded', factory);
  retentionCase(factory);
  fileStoreSuite('embedded', {
    async create() {
      const dir = join(root, randomId());
      await cp(template, dir, { recursive: true });
      const db = await PgliteDatabase.open(dir);
      await migrate(db);
      return sqlFileFixture(db, 'disk', () => db.close());
    },
  });
  roomDirectorySuite('embedded', {
    async create() {
      const dir = join(root, randomId());
      await cp(template, dir, { recursive: true });
      const db = await PgliteDatabase.open(dir);
      await migrate(db);
      return { directory: new SqlRoomDirectory(db), close: () => db.close() };
    },
  });
  scheduledStoreSuite('embedded', {
    async create() {
      const dir = join(root, randomId());
      await cp(template, dir, { recursive: true });
      const db = await PgliteDatabase.open(dir);
      const store = new SqlScheduledStore(db);
      // One process holds the embedded database: every instance's handle is this one.
      return { store, again: async () => store, close: () => db.close() };
    },
  });
});
