/**
 * The Redis node registry on a private Redis and on a 3-master Redis Cluster: distinct users and rooms across
 * instances, changes-only heartbeats (no script while nothing changes), leaving, and dropping a dead instance.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NodeStats } from '../../src/cluster/node-registry.js';
import type { Engine } from '../../src/engine/engine.js';
import { createRedisEngine } from '../../src/engine/redis-engine.js';
import type { RedisTarget } from '../../src/redis/link.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomId, randomIds } from '../../src/util/ids.js';
import { silentLogger } from '../../src/util/logger.js';
import { nodeStats } from '../conformance/registry.suite.js';
import { RedisCluster, RedisServer } from '../helpers/redis-server.js';

const STALE_MS = 3000;

/** One connection's worth of stats of a node. */
const stats = (node: string): NodeStats => nodeStats(node, 1);

function registrySuite(
  name: string,
  target: () => RedisTarget,
  evalshaCalls: () => Promise<number>,
  flushAll: () => Promise<void>,
): void {
  describe(`Redis registry: ${name}`, () => {
    const engines: Engine[] = [];
    after(() => Promise.all(engines.map((e) => e.close())));
    const clock = new ManualClock(Date.now());
    const prefix = `reg${randomId()}`;
    const start = async (instance: string) => {
      const engine = createRedisEngine({
        target: target(),
        prefix,
        historySize: 10,
        historyTtlMs: 60_000,
        idempotencyWindowMs: 60_000,
        userMessagesPerSec: 0,
        presenceTtlMs: 5000,
        statsStaleMs: STALE_MS,
        connectTimeoutMs: 10_000,
        commandTimeoutMs: 2000,
        instance,
        clock,
        ids: randomIds(),
        logger: silentLogger(),
      });
      await engine.start();
      engines.push(engine);
      return engine.registry;
    };

    it('counts distinct users and rooms across instances, sends only changes, and forgets the dead', async () => {
      const a = await start('a');
      const b = await start('b');
      await a.report(stats('a'), { users: ['u1', 'u2'], rooms: ['r1'] });
      await b.report(stats('b'), { users: ['u2', 'u3'], rooms: ['r1', 'r2'] });
      let view = await a.view();
      assert.deepEqual(
        view.nodes.map((n) => n.node),
        ['a', 'b'],
      );
      assert.equal(view.totals.usersOnline, 3, 'u2 on both instances counts once');
      assert.equal(view.totals.rooms, 2);

      await a.report(stats('a'), { users: ['u1'], rooms: ['r1'] });
      assert.equal((await b.view()).totals.usersOnline, 3, 'u2 is still on b');
      await b.report(stats('b'), { users: ['u3'], rooms: ['r2'] });
      view = await b.view();
      assert.equal(view.totals.usersOnline, 2);
      assert.equal(view.totals.rooms, 2, 'r1 still on a, r2 on b');

      const before = await evalshaCalls();
      for (let i = 0; i < 5; i += 1) {
        clock.advance(1000);
        await a.report(stats('a'), { users: ['u1'], rooms: ['r1'] });
        await b.report(stats('b'), { users: ['u3'], rooms: ['r2'] });
      }
      assert.equal(await evalshaCalls(), before, 'idle heartbeats run no script');

      // a stops beating: after the stale time, b's next heartbeat drops a's users and rooms.
      clock.advance(STALE_MS + 1);
      await b.report(stats('b'), { users: ['u3'], rooms: ['r2'] });
      view = await b.view();
      assert.deepEqual(
        view.nodes.map((n) => n.node),
        ['b'],
      );
      assert.equal(view.totals.usersOnline, 1);
      assert.equal(view.totals.rooms, 1);

      await b.leave();
      view = await b.view();
      assert.equal(view.totals.usersOnline, 0);
      assert.equal(view.totals.rooms, 0);
      assert.deepEqual(view.nodes, []);
    });

    it('reports everything again within ten heartbeats once Redis lost its data, and only then', async () => {
      const c = await start('c');
      const users = Array.from({ length: 50 }, (_, i) => `c${i}`);
      await c.report(stats('c'), { users, rooms: ['rc'] });
      assert.equal((await c.view()).totals.usersOnline, 50);
      await flushAll();
      for (let i = 0; i < 10; i += 1) {
        clock.advance(1000);
        await c.report(stats('c'), { users, rooms: ['rc'] });
      }
      const view = await c.view();
      assert.equal(view.totals.usersOnline, 50, 'the distinct users are counted again');
      assert.equal(view.totals.rooms, 1);
      // The check itself (two SCARDs every ten heartbeats) re-reports nothing while Redis still holds the sets.
      const before = await evalshaCalls();
      for (let i = 0; i < 10; i += 1) {
        clock.advance(1000);
        await c.report(stats('c'), { users, rooms: ['rc'] });
      }
      assert.equal(await evalshaCalls(), before, 'no script after a check that found everything');
      await c.leave();
    });
  });
}

describe('registry', () => {
  let server: RedisServer;
  let cluster: RedisCluster;
  before(async () => {
    [server, cluster] = await Promise.all([RedisServer.start(), RedisCluster.start()]);
  });
  after(async () => {
    await Promise.all([server?.stop(), cluster?.stop()]);
  });
  const calls = (info: string) => Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0);
  registrySuite(
    'single Redis',
    () => ({ url: server.url }),
    async () => calls(await server.cli('INFO', 'commandstats')),
    async () => {
      await server.cli('FLUSHALL');
    },
  );
  registrySuite(
    'Redis Cluster',
    () => ({ cluster: cluster.nodes }),
    async () => {
      let total = 0;
      for (const node of cluster.servers) total += calls(await node.cli('INFO', 'commandstats'));
      return total;
    },
    async () => {
      // Replicas (if any) follow their masters; FLUSHALL is refused on a replica.
      await Promise.all(cluster.servers.map((node) => node.cli('FLUSHALL').catch(() => {})));
    },
  );
});
