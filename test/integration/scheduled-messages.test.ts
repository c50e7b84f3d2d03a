/**
 * Scheduled messages and reminders on one instance with the memory store (the suite in
 * test/helpers/scheduled-suite.ts), and their metrics; the embedded store and a cluster on PostgreSQL run the suite
 * in files of their own.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { scheduledSuite } from '../helpers/scheduled-suite.js';

scheduledSuite('memory store', () =>
  startNode({ store: 'memory', schedulePollMs: 20, maxScheduledPerUser: 3 }),
);

describe('scheduled messages’ metrics', async () => {
  const ADMIN = 'admin-token-0123456789';
  const node = await startNode({ store: 'memory', schedulePollMs: 20, adminToken: ADMIN });
  const scrape = async (name: string) => {
    const response = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const line = (await response.text()).split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.slice(line.lastIndexOf(' ') + 1));
  };

  it('count the messages sent and failed when due, and the reminders told', async () => {
    const [kim, lou] = await Promise.all(
      ['kim', 'lou'].map((user) => RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: user, user })),
    );
    after(() => {
      kim?.close();
      lou?.close();
    });
    const owner = kim as RawClient;
    const member = lou as RawClient;
    await owner.request({ type: 'create_room', name: 'Counted', id: 'counted' });
    for (const client of [owner, member]) await client.request({ type: 'join', room: 'counted' });
    await owner.request({ type: 'rooms' });
    await member.request({ type: 'rooms' });
    const at = Date.now() + 300;
    await owner.request({ type: 'schedule', room: 'counted', text: 'sent', at });
    await member.request({ type: 'schedule', room: 'counted', text: 'refused', at });
    await owner.request({ type: 'mute', room: 'counted', user: 'lou' });
    const sent = await owner.frames.find((f) => f.type === 'schedule_changed' && !!f.sent, 10_000, 'sent');
    const offset = (sent.sent as { offset: number }).offset;
    const reminded = await owner.request({ type: 'remind', room: 'counted', offset, at: Date.now() + 200 });
    assert.equal(reminded.type, 'done');
    await member.frames.find(
      (f) => f.type === 'schedule_changed' && !!(f.scheduled as { failed?: unknown })?.failed,
      10_000,
      'the failure',
    );
    await owner.frames.find((f) => f.type === 'reminder', 10_000, 'the reminder');
    assert.deepEqual(
      [
        await scrape('parley_scheduled_sent_total'),
        await scrape('parley_scheduled_failed_total'),
        await scrape('parley_reminders_total'),
      ],
      [1, 1, 1],
    );
  });
});
