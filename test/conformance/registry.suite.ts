/** Conformance suite of the NodeRegistry contract: reports, the cluster view and its totals, leaving. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { NodeStats } from '../../src/cluster/node-registry.js';
import type { EngineFixture, FixtureFactory } from './fixture.js';

/** Stats of a node with `connections` connections and the given rates. */
export function nodeStats(node: string, connections: number, publishedPerSec = 0): NodeStats {
  return {
    node,
    engine: 'redis',
    store: 'redis',
    ready: true,
    startedAt: 0,
    uptimeMs: 0,
    connections,
    users: 0,
    rooms: 0,
    published: 0,
    deliveries: 0,
    slowConsumers: 0,
    engineErrors: 0,
    received: 0,
    publishedPerSec,
    deliveriesPerSec: 0,
    latencyP50Ms: 0,
    latencyP99Ms: 0,
    latencyMeanMs: 0,
    cpuPercent: 0,
    eventLoopMeanMs: 0,
    eventLoopP99Ms: 0,
    connectionsOpenedPerSec: 0,
    connectionsClosedPerSec: 0,
    redis: 'connected',
    rssBytes: 0,
    heapUsedBytes: 0,
    rateLimited: 0,
  };
}

export function registrySuite(name: string, factory: FixtureFactory): void {
  describe(`NodeRegistry conformance: ${name}`, () => {
    const open: EngineFixture[] = [];
    after(async () => {
      await Promise.all(open.map((f) => f.close()));
    });
    const make = async () => {
      const fixture = await factory.create({ historySize: 10, presenceTtlMs: 5000 });
      open.push(fixture);
      return fixture;
    };

    it('shows a node by its latest report, with distinct users and rooms counted', async () => {
      const { registry } = await make();
      await registry.report(nodeStats('n1', 3, 5), { users: ['u1', 'u2', 'u2'], rooms: ['r1'] });
      let view = await registry.view();
      assert.deepEqual(
        view.nodes.map((n) => n.node),
        ['n1'],
      );
      assert.equal(view.totals.connections, 3);
      assert.equal(view.totals.usersOnline, 2);
      assert.equal(view.totals.rooms, 1);
      assert.equal(view.totals.publishedPerSec, 5);
      // The next report replaces the last: users and rooms that went are no longer counted.
      await registry.report(nodeStats('n1', 1), { users: ['u2'], rooms: ['r1', 'r2'] });
      view = await registry.view();
      assert.equal(view.totals.connections, 1);
      assert.equal(view.totals.usersOnline, 1);
      assert.equal(view.totals.rooms, 2);
    });

    it('takes the same activity reported again as no change, and a new one in full', async () => {
      const { registry } = await make();
      const activity = { users: ['u1', 'u2'], rooms: ['r1'] };
      await registry.report(nodeStats('n1', 2), activity);
      // The stats change every tick; the activity object is the same while the node's users and rooms are.
      await registry.report(nodeStats('n1', 4, 7), activity);
      let view = await registry.view();
      assert.equal(view.totals.connections, 4, 'the stats of the latest report');
      assert.equal(view.totals.publishedPerSec, 7);
      assert.equal(view.totals.usersOnline, 2);
      assert.equal(view.totals.rooms, 1);
      // A new object, even one listing some of the same users, is counted afresh.
      await registry.report(nodeStats('n1', 1), { users: ['u2', 'u3', 'u4'], rooms: ['r1', 'r2'] });
      view = await registry.view();
      assert.equal(view.totals.usersOnline, 3);
      assert.equal(view.totals.rooms, 2);
      await registry.report(nodeStats('n1', 1), { users: ['u2', 'u3', 'u4'], rooms: ['r1', 'r2'] });
      assert.equal((await registry.view()).totals.usersOnline, 3, 'a new object with nothing changed');
    });

    it('forgets a node that leaves', async () => {
      const { registry } = await make();
      await registry.report(nodeStats('gone', 2), { users: ['u1'], rooms: ['r1'] });
      await registry.leave();
      const view = await registry.view();
      assert.deepEqual(view.nodes, []);
      assert.equal(view.totals.usersOnline, 0);
    });

    it('counts a user on two nodes once, and both nodes’ connections', async (t) => {
      const fixture = await make();
      if (!fixture.peer) {
        t.skip('a single-node engine has no peers');
        return;
      }
      const peer = await fixture.peer();
      open.push(peer);
      await fixture.registry.report(nodeStats('a', 2), { users: ['shared', 'only-a'], rooms: ['r'] });
      await peer.registry.report(nodeStats('b', 3), { users: ['shared'], rooms: ['r', 's'] });
      for (const view of [await fixture.registry.view(), await peer.registry.view()]) {
        assert.deepEqual(view.nodes.map((n) => n.node).sort(), ['a', 'b']);
        assert.equal(view.totals.connections, 5);
        assert.equal(view.totals.usersOnline, 2);
        assert.equal(view.totals.rooms, 2);
      }
    });
  });
}
