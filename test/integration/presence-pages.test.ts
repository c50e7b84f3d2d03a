/**
 * A join's presence is bounded: a count and at most `presencePageMax` users (the joining one among them), the rest
 * page by page on request; diffs carry the count. On one node (memory) and on two with Redis.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { UserInfo } from '../../src/engine/types.js';
import { randomId } from '../../src/util/ids.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { watchedClient } from '../helpers/sdk.js';
import { waitUntil } from '../helpers/wait.js';

const PAGE = 4;

for (const setup of ['one node', 'two nodes and Redis'] as const) {
  describe(`bounded presence: ${setup}`, async () => {
    const redis = setup === 'one node' ? undefined : await RedisServer.start();
    const config = { presencePageMax: PAGE, presenceBatchMs: 0 };
    const shared = redis ? { ...config, redisUrl: redis.url, redisPrefix: `p${randomId()}` } : config;
    const nodes = redis
      ? await Promise.all([startNode({ ...shared, nodeId: 'a' }), startNode({ ...shared, nodeId: 'b' })])
      : [await startNode(shared)];
    const clients: RawClient[] = [];
    after(async () => {
      for (const c of clients) c.close();
      await redis?.stop();
    });
    const joinAs = async (i: number, room: string) => {
      const node = nodes[i % nodes.length] as (typeof nodes)[number];
      const client = await RawClient.connect(node.wsUrl, {
        name: `User ${i}`,
        user: `u${String(i).padStart(2, '0')}`,
      });
      clients.push(client);
      const joined = await client.request({ type: 'join', room });
      assert.equal(joined.type, 'joined');
      return { client, joined };
    };

    it('answers a join with the count and a bounded sample that holds the joining user', async () => {
      const room = 'crowd';
      for (let i = 0; i < 10; i += 1) {
        const { joined } = await joinAs(i, room);
        const users = joined.presence as UserInfo[];
        assert.equal(joined.presenceCount, i + 1);
        assert.equal(users.length, Math.min(PAGE, i + 1));
        assert.ok(
          users.some((u) => u.id === `u${String(i).padStart(2, '0')}`),
          'the joiner is in its sample',
        );
        assert.equal(new Set(users.map((u) => u.id)).size, users.length);
      }
    });

    it('pages through everyone by id on request, and refuses pages above the maximum', async () => {
      const me = clients[0] as RawClient;
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const frame = await me.request({ type: 'presence', room: 'crowd', ...(after ? { after } : {}) });
        assert.equal(frame.type, 'presence_state');
        assert.equal(frame.count, 10);
        const users = frame.users as UserInfo[];
        assert.ok(users.length <= PAGE);
        seen.push(...users.map((u) => u.id));
        after = frame.next as string | undefined;
        if (!after) break;
      }
      assert.deepEqual(
        seen,
        Array.from({ length: 10 }, (_, i) => `u${String(i).padStart(2, '0')}`),
      );
      const tooMany = await me.request({ type: 'presence', room: 'crowd', limit: PAGE + 1 });
      assert.equal(tooMany.code, 'bad_range');
      assert.equal((me.welcome?.limits as { presencePageMax?: number } | undefined)?.presencePageMax, PAGE);
    });

    it('pages a room as it is after a join or a leave, on the same instance or another, asked again at once', async () => {
      const room = 'fresh';
      const { client: me } = await joinAs(20, room);
      const ids = async () => {
        const frame = await me.request({ type: 'presence', room });
        return (frame.users as UserInfo[]).map((u) => u.id);
      };
      assert.deepEqual(await ids(), ['u20']);
      for (const i of [21, 22]) {
        // With two nodes, 21 joins on the other one and 22 on mine.
        const diff = me.frames.find(
          (f) => f.type === 'presence_diff' && f.room === room && f.count === i - 19,
          5000,
          'the diff of the join',
        );
        await joinAs(i, room);
        await diff;
        assert.ok((await ids()).length === i - 19, `${i - 19} users right after the diff`);
      }
      const leaving = clients.at(-1) as RawClient;
      const diff = me.frames.find(
        (f) =>
          f.type === 'presence_diff' &&
          f.room === room &&
          (f.leaves as UserInfo[]).some((u) => u.id === 'u22'),
        5000,
        'the diff of the leave',
      );
      leaving.close();
      await diff;
      assert.equal((await ids()).length, 2, 'the leave is gone from the next page');
    });

    it('tells the count with every diff, and the SDK keeps it and lists everyone on request', async () => {
      const node = nodes[0] as (typeof nodes)[number];
      const { client: sdk } = watchedClient({ url: node.wsUrl, name: 'Watcher', userId: 'watcher' });
      sdk.connect();
      try {
        await sdk.join('crowd');
        assert.equal(sdk.userCount('crowd'), 11);
        assert.equal(sdk.users('crowd').length, PAGE);
        const diff = clients[0]?.frames.find(
          (f) => f.type === 'presence_diff' && f.room === 'crowd' && f.count === 12,
          5000,
          'a diff with the count',
        );
        await joinAs(11, 'crowd');
        await diff;
        await waitUntil(() => sdk.userCount('crowd') === 12, 5000, 'the SDK counts the newcomer');
        const everyone = await sdk.loadUsers('crowd');
        assert.equal(everyone.length, 12);
        clients.at(-1)?.close();
        await waitUntil(() => sdk.userCount('crowd') === 11, 5000, 'the SDK counts the leave');
        assert.equal(sdk.users('crowd').length, 11, 'users listed on request are kept by diffs');
      } finally {
        sdk.close();
      }
    });
  });
}
