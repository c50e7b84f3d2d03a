import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import type { CachedLog } from '../../src/log/cached-log.js';
import { draft, type FixtureFactory } from './fixture.js';

/** The retention case, on a fixture whose log is a CachedLog. */
export function retentionCase(factory: FixtureFactory): void {
  it('deletes messages past their retention and says where history now starts', async () => {
    const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000 });
    after(() => fixture.close());
    const log = fixture.log as CachedLog;
    const day = 86_400_000;
    const now = Date.now();
    for (let i = 1; i <= 6; i += 1) {
      // Offsets 1-3 are ten days old, 4-6 are fresh.
      await log.append({ ...draft('kept-and-pruned', `m${i}`), ts: i <= 3 ? now - 10 * day : now });
    }
    // Read once, so that a window caches the page (and its earliest offset) before the pruning.
    assert.equal((await log.read('kept-and-pruned', { limit: 100 })).earliest, 1);
    assert.equal(await log.prune(now - 7 * day, 2), 3, 'in statements of 2, until none is left');
    const page = await log.read('kept-and-pruned', { limit: 100 });
    assert.deepEqual(
      page.messages.map((m) => m.offset),
      [4, 5, 6],
    );
    assert.equal(page.earliest, 4);
    assert.deepEqual(page.position.offset, 6, 'offsets and epoch stay');
    const resumed = await log.read('kept-and-pruned', { after: 1, limit: 100 });
    assert.deepEqual(
      resumed.messages.map((m) => m.offset),
      [4, 5, 6],
      'a resume from before the pruning starts at the oldest left',
    );
  });
}
