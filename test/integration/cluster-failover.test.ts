/**
 * Redis Cluster failover (3 masters + 3 replicas, a short node timeout) under 3 instances keeping conversations in
 * PostgreSQL: the master of a busy room and of a quiet room is killed with -9 while clients chat. Every
 * acknowledged message reaches every member on every instance (live, or through the re-sync that follows the
 * subscription loss), also the quiet room's only message sent in the failover window; no send waits longer than
 * the command bound, and sends to rooms on healthy masters are not held up by the dead one.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ParleyNode } from '../../src/index.js';
import { randomId } from '../../src/util/ids.js';
import { startNode } from '../helpers/nodes.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { RedisCluster } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

const COMMAND_TIMEOUT_MS = 1000;

describe('Redis Cluster failover with replicas, 3 instances, PostgreSQL', async () => {
  const [pg, cluster] = await Promise.all([
    PostgresServer.start(),
    RedisCluster.start({ replicas: 1, nodeTimeoutMs: 1000 }),
  ]);
  after(() => Promise.all([pg.stop(), cluster.stop()]));
  await pg.sql('CREATE DATABASE parley');
  const prefix = `f${randomId()}`;
  const config = {
    redisCluster: cluster.seeds,
    redisPrefix: prefix,
    databaseUrl: pg.url.replace(/\/postgres$/, '/parley'),
    redisCommandTimeoutMs: COMMAND_TIMEOUT_MS,
  };
  const nodes: ParleyNode[] = await Promise.all(
    [0, 1, 2].map((i) => startNode({ ...config, nodeId: `f${i}` })),
  );

  it('loses no acknowledged message, re-syncs a quiet room, and keeps healthy rooms fast', async () => {
    // A busy and a quiet room on one master (the one to kill), a healthy room on another.
    const key = (room: string) => `${prefix}:{${room}}:ch`;
    const doomed = await cluster.masterOf(key('busy'));
    let quiet = '';
    let healthy = '';
    for (let i = 0; !quiet || !healthy; i += 1) {
      const master = await cluster.masterOf(key(`room${i}`));
      if (master === doomed && !quiet) quiet = `room${i}`;
      if (master !== doomed && !healthy) healthy = `room${i}`;
    }
    const rooms = ['busy', quiet, healthy];
    const members: RawClient[] = [];
    for (const [i, node] of nodes.entries()) {
      const member = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, {
        name: `M${i}`,
        user: `m${i}`,
      });
      after(() => member.close());
      for (const room of rooms) await member.request({ type: 'join', room });
      members.push(member);
    }
    const sender = members[0] as RawClient;
    const acked = new Map<string, number[]>(rooms.map((room) => [room, []]));
    const slowest = new Map<string, number>(rooms.map((room) => [room, 0]));
    let n = 0;
    const send = async (room: string) => {
      n += 1;
      const started = Date.now();
      const reply = await sender.request({ type: 'send', room, text: `${room} ${n}`, cid: `c${n}` });
      slowest.set(room, Math.max(slowest.get(room) ?? 0, Date.now() - started));
      if (reply.type === 'sent') acked.get(room)?.push(reply.offset as number);
      else assert.equal(reply.code, 'unavailable', JSON.stringify(reply));
    };
    // Traffic before, during and after the failover.
    let chatting = true;
    const traffic = (async () => {
      while (chatting) {
        await send('busy');
        await send(healthy);
      }
    })();
    await waitUntil(async () => (acked.get('busy')?.length ?? 0) >= 10, 10_000, 'traffic to start');
    await doomed.kill();
    // The quiet room's only message, in the failover window.
    await send(quiet);
    await cluster.waitOk(
      cluster.servers.filter((s) => s !== doomed),
      30_000,
    );
    await Promise.all(
      nodes.map((node) => waitUntil(async () => node.isReady(), 30_000, 'instances ready again')),
    );
    const target = (acked.get('busy')?.length ?? 0) + 10;
    await waitUntil(
      async () => (acked.get('busy')?.length ?? 0) >= target,
      15_000,
      'traffic after the failover',
    );
    chatting = false;
    await traffic;

    assert.equal(acked.get(quiet)?.length, 1, 'the quiet room’s message was acknowledged');
    for (const [i, member] of members.entries()) {
      for (const room of rooms) {
        const expected = [...(acked.get(room) ?? [])].sort((a, b) => a - b);
        await waitUntil(
          async () =>
            expected.every((offset) =>
              member.ofType('message').some((m: Frame) => m.room === room && m.offset === offset),
            ),
          15_000,
          `member ${i} to have every acknowledged message of ${room}`,
        );
        const got = member
          .ofType('message')
          .filter((m) => m.room === room)
          .map((m) => m.offset as number);
        assert.deepEqual(
          got,
          [...got].sort((a, b) => a - b),
          `member ${i}, ${room}: in offset order`,
        );
        assert.equal(new Set(got).size, got.length, `member ${i}, ${room}: each once`);
      }
    }
    // No send waited beyond the bound (command timeout, plus scheduling slack on a shared machine).
    const bound = COMMAND_TIMEOUT_MS + 1500;
    assert.ok(
      (slowest.get(healthy) ?? 0) <= bound,
      `healthy room: slowest answer ${slowest.get(healthy)} ms`,
    );
    assert.ok((slowest.get('busy') ?? 0) <= bound, `busy room: slowest answer ${slowest.get('busy')} ms`);
    const metrics = await (await fetch(`http://127.0.0.1:${nodes[1]?.port}/metrics`)).text();
    const resubscribed = Number(/^parley_redis_resubscriptions_total (\S+)$/m.exec(metrics)?.[1]);
    assert.ok(resubscribed >= 1, 'the subscription loss was counted');
  });
});
