import { after, before, describe } from 'node:test';
import type { RedisTarget } from '../../src/redis/link.js';
import { ManualClock } from '../../src/util/clock.js';
import { randomId } from '../../src/util/ids.js';
import { RedisCluster, RedisServer } from '../helpers/redis-server.js';
import { brokerSuite } from './broker.suite.js';
import { keysOn, testRedisEngine } from './engines.js';
import type { EngineFixture, FixtureFactory, FixtureOptions } from './fixture.js';
import { presenceSuite } from './presence.suite.js';
import { registrySuite } from './registry.suite.js';
import { roomLogSuite } from './room-log.suite.js';

/** Each fixture gets its own key prefix: tests never see each other's data. */
function redisFactory(target: () => RedisTarget, servers: () => RedisServer[]): FixtureFactory {
  const keysUnder = keysOn(servers);
  const build = async (
    options: FixtureOptions,
    prefix: string,
    clock: ManualClock,
  ): Promise<EngineFixture> => {
    const engine = testRedisEngine(options, target(), prefix, clock);
    await engine.start();
    if (!engine.isReady()) throw new Error('redis engine not ready');
    return {
      ...engine,
      clock,
      clustered: true,
      footprint: () => keysUnder(prefix),
      close: () => engine.close(),
    };
  };
  return {
    async create(options) {
      const prefix = `t${randomId()}`;
      const clock = new ManualClock(Date.now());
      const fixture = await build(options, prefix, clock);
      return { ...fixture, peer: () => build(options, prefix, clock) };
    },
  };
}

describe('Redis engine conformance (single Redis)', () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(() => server.stop());
  const factory = redisFactory(
    () => ({ url: server.url }),
    () => [server],
  );
  brokerSuite('redis', factory);
  roomLogSuite('redis', factory);
  presenceSuite('redis', factory);
  registrySuite('redis', factory);
});

describe('Redis engine conformance (3-master Redis Cluster, sharded pub/sub)', () => {
  let cluster: RedisCluster;
  before(async () => {
    cluster = await RedisCluster.start();
  });
  after(() => cluster.stop());
  const factory = redisFactory(
    () => ({ cluster: cluster.nodes }),
    () => cluster.servers,
  );
  brokerSuite('redis-cluster', factory);
  roomLogSuite('redis-cluster', factory);
  presenceSuite('redis-cluster', factory);
  registrySuite('redis-cluster', factory);
});
