import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBroker } from '../../src/broker/memory-broker.js';
import { CachedLog } from '../../src/log/cached-log.js';
import type { DatabaseLog } from '../../src/log/database-log.js';
import { MemoryWindow } from '../../src/log/memory-window.js';

/** A database log that only counts the rooms it was asked to forget. */
function forgetting(): { store: DatabaseLog; forgotten: string[] } {
  const forgotten: string[] = [];
  const store = {
    forget: async (room: string) => {
      forgotten.push(room);
    },
  } as unknown as DatabaseLog;
  return { store, forgotten };
}

describe('cached log', () => {
  it('asks the database to forget a room only when the window does not know it has messages', async () => {
    const broker = new MemoryBroker();
    await broker.subscribe('busy');
    const window = new MemoryWindow(broker, 10);
    await window.fill('busy', { messages: [], position: { offset: 7, epoch: 'e' }, earliest: 1 });
    const { store, forgotten } = forgetting();
    const log = new CachedLog(store, window, { reads: { window: 0, database: 0 } });
    await log.forget('busy');
    await log.forget('unknown');
    assert.deepEqual(forgotten, ['unknown'], 'a room with messages costs the database no statement');
    assert.equal(await window.position('busy'), undefined, 'the window still lets the room go');
  });
});
