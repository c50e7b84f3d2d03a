import { after } from 'node:test';
import { type Config, makeConfig } from '../../src/config/config.js';
import { createNode, type NodeOverrides, type ParleyNode } from '../../src/index.js';
import { silentLogger } from '../../src/util/logger.js';

/**
 * Abuse limits off: tests drive bursts far beyond what one person would; the tests of the limits set them.
 */
export const NO_LIMITS: Partial<Config> = {
  commandsPerSec: 0,
  userMessagesPerSec: 0,
  maxConnectionsPerIp: 0,
  maxConnectionsPerUser: 0,
  handshakesPerIpPerSec: 0,
  searchesPerMin: 0,
  roomListsPerMin: 0,
  replyBytesPerSec: 0,
  statusChangesPerMin: 0,
  linkPreviewsPerMin: 0,
  // One presence_diff per change, so in-process tests can count frames (process tests keep the default window).
  presenceBatchMs: 0,
};

/** Tests never write ./data: without a store of their own, nodes keep conversations in memory (or in Redis). */
function testStore(config: Partial<Config>): Partial<Config> {
  if (config.store !== undefined || config.databaseUrl) return {};
  return { store: config.redisUrl || config.redisCluster ? 'redis' : 'memory' };
}

/**
 * Starts a node on a free loopback port with a silent logger, shut down after the test file. Several can run
 * in one process: nothing in the server is module-level state.
 */
export async function startNode(
  config: Partial<Config> = {},
  overrides: NodeOverrides = {},
): Promise<ParleyNode> {
  const node = createNode(
    // Tests never reach beyond this machine: no link previews unless a test asks for them (on its own pages).
    makeConfig({
      port: 0,
      host: '127.0.0.1',
      linkPreviews: 'off',
      ...NO_LIMITS,
      ...testStore(config),
      ...config,
    }),
    {
      logger: silentLogger(),
      ...overrides,
    },
  );
  await node.start();
  after(() => node.shutdown());
  return node;
}
