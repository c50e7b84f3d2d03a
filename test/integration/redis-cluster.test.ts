/** Two instances over a 3-master Redis Cluster (sharded pub/sub): chat, presence and history across them. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { randomId } from '../../src/util/ids.js';
import { spawnServer } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisCluster } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

describe('two instances over Redis Cluster', async () => {
  const cluster = await RedisCluster.start();
  after(() => cluster.stop());
  const prefix = `rc${randomId()}`;
  const [n0, n1] = await Promise.all(
    ['c0', 'c1'].map((id) =>
      spawnServer(['--redis-cluster', cluster.seeds, '--redis-prefix', prefix, '--node-id', id]),
    ),
  );

  it('delivers across instances in many rooms spread over the shards', async () => {
    const rooms = Array.from({ length: 12 }, (_, i) => `shard-${i}-${randomId()}`);
    const a = await RawClient.connect(n0!.wsUrl, { name: 'A', user: 'a' });
    const b = await RawClient.connect(n1!.wsUrl, { name: 'B', user: 'b' });
    after(() => {
      a.close();
      b.close();
    });
    for (const room of rooms) {
      await a.request({ type: 'join', room });
      await b.request({ type: 'join', room });
    }
    for (const room of rooms) {
      for (let i = 0; i < 5; i += 1) {
        const ack = await (i % 2 ? a : b).request({
          type: 'send',
          room,
          text: `${room}:${i}`,
          cid: `${room}:${i}`,
        });
        assert.equal(ack.type, 'sent');
      }
    }
    for (const client of [a, b]) {
      await waitUntil(() => client.ofType('message').length === rooms.length * 5, 10_000, 'all messages');
      for (const room of rooms) {
        assert.deepEqual(
          client
            .ofType('message')
            .filter((m) => m.room === room)
            .map((m) => m.offset),
          [1, 2, 3, 4, 5],
        );
      }
    }
    const presence = await a.request({ type: 'presence', room: rooms[3] });
    assert.deepEqual((presence.users as Array<{ id: string }>).map((u) => u.id).sort(), ['a', 'b']);
    const history = await b.request({ type: 'history', room: rooms[7], limit: 3 });
    assert.deepEqual(
      (history.messages as Array<{ offset: number }>).map((m) => m.offset),
      [3, 4, 5],
    );
    const stats = await n0!.stats();
    assert.equal(stats.self.ready, true);
    await waitUntil(
      async () => (await n1!.stats()).cluster.totals.nodes === 2,
      5000,
      'both nodes registered',
    );
  });
});
