/**
 * The room directory, file store and scheduled message store contracts on the embedded store (PGlite in a data
 * directory), each fixture a copy of one migrated template (embedded-template.ts).
 */
import { describe } from 'node:test';
import { SqlDraftStore } from '../../src/drafts/sql-draft-store.js';
import { SqlRoomDirectory } from '../../src/rooms/sql-room-directory.js';
import { SqlScheduledStore } from '../../src/schedule/sql-scheduled-store.js';
import { draftStoreSuite } from './draft-store.suite.js';
import { embeddedTemplate } from './embedded-template.js';
import { fileStoreSuite } from './file-store.suite.js';
import { sqlFileFixture } from './file-store-sql.js';
import { roomDirectorySuite } from './room-directory.suite.js';
import { scheduledStoreSuite } from './scheduled-store.suite.js';

describe('Embedded store conformance (PGlite): directory, files, scheduled messages', () => {
  const template = embeddedTemplate();
  fileStoreSuite('embedded', {
    async create() {
      const db = await template.open();
      return sqlFileFixture(db, 'disk', () => db.close());
    },
  });
  roomDirectorySuite('embedded', {
    async create() {
      const db = await template.open();
      return { directory: new SqlRoomDirectory(db), close: () => db.close() };
    },
  });
  draftStoreSuite('embedded', {
    async create() {
      const db = await template.open();
      return { store: new SqlDraftStore(db), close: () => db.close() };
    },
  });
  scheduledStoreSuite('embedded', {
    async create() {
      const db = await template.open();
      const store = new SqlScheduledStore(db);
      // One process holds the embedded database: every instance's handle is this one.
      return { store, again: async () => store, close: () => db.close() };
    },
  });
});
