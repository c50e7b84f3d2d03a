/**
 * Three instances in this process sharing a Redis and a PostgreSQL of their own (started here, stopped after the
 * suite), and raw clients on them: the setup of the cluster tests of group chat and of message actions.
 */
import { after } from 'node:test';
import type { Config } from '../../src/config/config.js';
import type { ParleyNode } from '../../src/index.js';
import { randomId } from '../../src/util/ids.js';
import { startNode } from './nodes.js';
import { PostgresServer } from './postgres-server.js';
import { type Frame, RawClient } from './raw-client.js';
import { RedisServer } from './redis-server.js';

/** A reply's error code, or 'ok'. */
export const outcome = (reply: Frame) => (reply.type === 'error' ? (reply.code as string) : 'ok');

/** Starts the cluster (call inside a `describe`: it registers its own teardown), each node with `config` too. */
export async function startDurableCluster(
  prefix: string,
  config: Partial<Config> = {},
): Promise<{
  nodes: [ParleyNode, ParleyNode, ParleyNode];
  /** A raw client of user `id` (named in capitals) on `node`, closed after the suite. */
  as: (node: ParleyNode, id: string) => Promise<RawClient>;
}> {
  // Whatever started is stopped if a later start fails: a redis-server or node left running would keep the test
  // process alive (the file would hang instead of failing with the start's error).
  const stops: Array<() => Promise<unknown>> = [];
  // The nodes first (they still talk to Redis and PostgreSQL while they drain), then the servers.
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  /** Keeps how to stop what just started. */
  const track = <T>(value: T, stop: (value: T) => Promise<unknown>): T => {
    stops.push(() => stop(value));
    return value;
  };
  after(stopAll);
  let nodes: [ParleyNode, ParleyNode, ParleyNode];
  try {
    const pg = track(await PostgresServer.start(), (server) => server.stop());
    const redis = track(await RedisServer.start(), (server) => server.stop());
    await pg.sql('CREATE DATABASE parley');
    const databaseUrl = pg.url.replace(/\/postgres$/, '/parley');
    const shared = { redisUrl: redis.url, databaseUrl, redisPrefix: `${prefix}${randomId()}` };
    // The nodes start together; each that started is stopped even when another failed.
    const starts = await Promise.allSettled(
      [0, 1, 2].map((i) => startNode({ ...shared, ...config, nodeId: `${prefix}${i}` })),
    );
    for (const start of starts)
      if (start.status === 'fulfilled') track(start.value, (node) => node.shutdown());
    const failed = starts.find((start) => start.status === 'rejected');
    if (failed) throw failed.reason;
    nodes = starts.map((start) => (start as PromiseFulfilledResult<ParleyNode>).value) as typeof nodes;
  } catch (error) {
    await stopAll();
    throw error;
  }
  const as = async (node: ParleyNode, id: string) => {
    const client = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, {
      name: id.toUpperCase(),
      user: id,
    });
    after(() => client.close());
    return client;
  };
  return { nodes, as };
}
