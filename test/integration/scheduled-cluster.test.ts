/**
 * Scheduled messages across 3 instances (Redis as the bus, PostgreSQL as the store): every instance looks for due
 * messages, and each is sent once, whichever claims it; the protocol suite also runs against an instance of this
 * cluster.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startDurableCluster } from '../helpers/durable-cluster.js';
import type { Frame } from '../helpers/raw-client.js';
import { scheduledSuite } from '../helpers/scheduled-suite.js';

describe('scheduled messages on 3 instances + Redis + PostgreSQL', async () => {
  const {
    nodes: [a, b, c],
    as,
  } = await startDurableCluster('s', { schedulePollMs: 20, maxScheduledPerUser: 3 });

  it('sends each message once, whichever instance claims it, when all claim at once', async () => {
    const owner = await as(a, 'owner');
    await owner.request({ type: 'create_room', name: 'Busy', id: 'busy' });
    const reader = await as(c, 'reader');
    const senders = await Promise.all(
      Array.from({ length: 10 }, (_, i) => as([a, b, c][i % 3] ?? a, `s${i}`)),
    );
    for (const client of [owner, reader, ...senders]) {
      assert.equal((await client.request({ type: 'join', room: 'busy' })).type, 'joined');
    }
    // Thirty messages due at the same moment: every instance's next round finds them all due.
    const at = Date.now() + 600;
    const ids: string[] = [];
    for (const [i, sender] of senders.entries()) {
      for (let j = 0; j < 3; j += 1) {
        const reply = await sender.request({ type: 'schedule', room: 'busy', text: `s${i}-${j}`, at });
        ids.push((reply.scheduled as { id: string }).id);
      }
    }
    const isScheduled = (f: Frame) => f.type === 'message' && String(f.cid).startsWith('sched:');
    await reader.frames.find(
      () => reader.frames.items.filter(isScheduled).length >= 30,
      15_000,
      'the 30 scheduled messages',
    );
    // Anything sent twice would come right after: a round of every instance more (20 ms each).
    const last = await owner.request({ type: 'send', room: 'busy', text: 'after', cid: 'after' });
    await reader.frames.find((f) => f.type === 'message' && f.id === last.id);
    const cids = reader.frames.items.filter(isScheduled).map((f) => String(f.cid));
    assert.deepEqual(cids.toSorted(), ids.map((id) => `sched:${id}`).toSorted(), 'each once');
    for (const sender of senders) {
      assert.deepEqual((await sender.request({ type: 'scheduled_messages' })).scheduled, []);
    }
  });
});

scheduledSuite('an instance of a cluster on PostgreSQL', async () => {
  const { nodes } = await startDurableCluster('t', { schedulePollMs: 20, maxScheduledPerUser: 3 });
  return nodes[1];
});
