/**
 * The room log contract (and message delivery) on the embedded store: PGlite in a data directory, each fixture a
 * copy of one migrated template (embedded-template.ts). The directory, file and scheduled message stores run in
 * embedded-stores.test.ts: one file of all would come near the runner's bound per file under load.
 */
import { describe } from 'node:test';
import { PgliteDatabase } from '../../src/store/pglite-database.js';
import { ManualClock } from '../../src/util/clock.js';
import { brokerSuite } from './broker.suite.js';
import { embeddedTemplate } from './embedded-template.js';
import { testDatabaseEngine } from './engines.js';
import type { FixtureFactory } from './fixture.js';
import { messageActionsSuite } from './message-actions.suite.js';
import { messageSearchSuite } from './message-search.suite.js';
import { retentionCase } from './retention.suite.js';
import { roomLogSuite } from './room-log.suite.js';
import { threadsSuite } from './threads.suite.js';

describe('Embedded store conformance (PGlite)', () => {
  const template = embeddedTemplate();
  const factory: FixtureFactory = {
    async create(options) {
      const dir = await template.copy();
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
});
