/**
 * Scheduled messages with the embedded store (PGlite in this process; a file of its own, so that PGlite's blocking
 * work does not stall another node's event loop): the protocol suite, and a message scheduled before a restart that
 * the next start sends when its time comes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { scheduledSuite } from '../helpers/scheduled-suite.js';
import { tempDir } from '../helpers/temp-dir.js';

scheduledSuite('embedded store', async () =>
  startNode({
    store: 'embedded',
    dataDir: await tempDir('parley-sched-'),
    schedulePollMs: 20,
    maxScheduledPerUser: 3,
  }),
);

describe('a scheduled message across a restart (embedded store)', () => {
  it('is kept, and sent by the next start when its time comes', async () => {
    const dataDir = await tempDir('parley-sched-restart-');
    const config = { store: 'embedded' as const, dataDir, schedulePollMs: 20 };
    const first = await startNode(config);
    const connect = (port: number, user: string) =>
      RawClient.connect(`ws://127.0.0.1:${port}/ws`, { name: user.toUpperCase(), user });
    const ann = await connect(first.port, 'ann');
    const bob = await connect(first.port, 'bob');
    await ann.request({ type: 'create_room', name: 'Later', id: 'later' });
    for (const client of [ann, bob]) await client.request({ type: 'join', room: 'later' });
    const at = Date.now() + 3000;
    const reply = await ann.request({ type: 'schedule', room: 'later', text: 'after the restart', at });
    const cid = `sched:${String((reply.scheduled as { id: string }).id)}`;
    ann.close();
    bob.close();
    await first.shutdown();
    assert.ok(Date.now() < at, 'the first start stopped before the time came (else this proves nothing)');

    const second = await startNode(config);
    const reader = await connect(second.port, 'bob');
    try {
      await reader.request({ type: 'join', room: 'later' });
      // Sent already (in the history), or coming live: the join subscribed before the history is read.
      const page = await reader.request({ type: 'history', room: 'later' });
      const found =
        (page.messages as Array<Record<string, unknown>>).find((m) => m.cid === cid) ??
        (await reader.frames.find(
          (f) => f.type === 'message' && f.cid === cid,
          15_000,
          'the scheduled message',
        ));
      assert.deepEqual([found.text, found.from], ['after the restart', { id: 'ann', name: 'ANN' }]);
      assert.ok((found.ts as number) >= at);
    } finally {
      reader.close();
    }
  });
});
