/**
 * Three instances in this process sharing a Redis and a PostgreSQL of their own (started here, stopped after the
 * suite), and raw clients on them: the setup of the cluster tests of group chat and of message actions.
 */
import { after } from 'node:test';
import type { ParleyNode } from '../../src/index.js';
import { randomId } from '../../src/util/ids.js';
import { startNode } from './nodes.js';
import { PostgresServer } from './postgres-server.js';
import { type Frame, RawClient } from './raw-client.js';
import { RedisServer } from './redis-server.js';

/** A reply's error code, or 'ok'. */
export const outcome = (reply: Frame) => (reply.type === 'error' ? (reply.code as string) : 'ok');

/** Starts the cluster (call inside a `describe`: it registers its own teardown). */
export async function startDurableCluster(prefix: string): Promise<{
  nodes: [ParleyNode, ParleyNode, ParleyNode];
  /** A raw client of user `id` (named in capitals) on `node`, closed after the suite. */
  as: (node: ParleyNode, id: string) => Promise<RawClient>;
}> {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  await pg.sql('CREATE DATABASE parley');
  const databaseUrl = pg.url.replace(/\/postgres$/, '/parley');
  const shared = { redisUrl: redis.url, databaseUrl, redisPrefix: `${prefix}${randomId()}` };
  const nodes = (await Promise.all(
    [0, 1, 2].map((i) => startNode({ ...shared, nodeId: `${prefix}${i}` })),
  )) as [ParleyNode, ParleyNode, ParleyNode];
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
