/**
 * Parley's public entry point and composition root: `createNode` assembles a node from its configuration.
 * Everything is built here and injected, so several nodes can run in one process (tests do).
 */
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { createJwtVerifier, type TokenVerifier } from './auth/jwt.js';
import type { Config } from './config/config.js';
import type { Engine } from './engine/engine.js';
import { createMemoryEngine } from './engine/memory-engine.js';
import { createRedisEngine } from './engine/redis-engine.js';
import { ParleyNode } from './node.js';
import type { RedisTarget } from './redis/link.js';
import { anonymousIdentity, type Identify, tokenIdentity } from './transport/identify.js';
import { type Clock, systemClock } from './util/clock.js';
import { type IdGenerator, randomId, randomIds } from './util/ids.js';
import { createLogger, type Logger } from './util/logger.js';

export type { Broker, RoomSignal } from './broker/broker.js';
export type { ClusterView, NodeStats } from './cluster/node-registry.js';
export { type Config, ConfigError, defaultConfig, loadConfig, makeConfig } from './config/config.js';
export { OptionSpecs } from './config/options.js';
export type { Engine } from './engine/engine.js';
export { EngineUnavailableError } from './engine/engine.js';
export type { ChatMessage, RoomEvent, StreamPosition, UserInfo } from './engine/types.js';
export type { AppendResult, HistoryPage, HistoryQuery, RoomLog } from './log/room-log.js';
export { ParleyNode, type StatsResponse } from './node.js';
export type { PresenceEntry, PresenceStore } from './presence/presence-store.js';
export { CloseCodes } from './protocol/close-codes.js';
export { ErrorCodes } from './protocol/error-codes.js';
export type { Command, ServerFrame } from './protocol/messages.js';
export { PROTOCOL_VERSION } from './protocol/messages.js';
export type { MessageRateLimiter } from './ratelimit/message-rate.js';

/** Parts that may be swapped when assembling a node (tests inject clocks, ids, engines and loggers). */
export interface NodeOverrides {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  engine?: Engine;
  identify?: Identify;
  webRoot?: string;
  /** Prometheus registry for the node's metrics (default: a fresh one per node). */
  metrics?: Registry;
}

/** Where the built web UI lives relative to the compiled server (dist/src/index.js → dist/web). */
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

/** Where Redis is, from the configuration; undefined for the in-memory engine. */
export function redisTarget(config: Config): RedisTarget | undefined {
  if (config.redisCluster !== '') {
    const cluster = config.redisCluster.split(',').map((part) => {
      const [host = '', port = ''] = part.trim().split(':');
      return { host, port: Number(port) };
    });
    return { cluster };
  }
  return config.redisUrl !== '' ? { url: config.redisUrl } : undefined;
}

/** The engine the configuration asks for: Redis when a Redis URL or cluster is given, memory otherwise. */
export function createEngine(
  config: Config,
  deps: { nodeId: string; clock: Clock; ids: IdGenerator; logger: Logger },
): Engine {
  const common = {
    historySize: config.historySize,
    historyTtlMs: config.historyTtlMs,
    idempotencyWindowMs: config.idempotencyWindowMs,
    userMessagesPerSec: config.userMessagesPerSec,
    presenceTtlMs: config.presenceTtlMs,
    clock: deps.clock,
    ids: deps.ids,
  };
  const target = redisTarget(config);
  if (!target) return createMemoryEngine(common);
  return createRedisEngine({
    ...common,
    target,
    prefix: config.redisPrefix,
    statsStaleMs: config.statsIntervalMs * 3,
    connectTimeoutMs: config.redisConnectTimeoutMs,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    // Unique per process: a restarted node with the same id is a new instance whose predecessor gets swept.
    instance: `${deps.nodeId}.${randomId().slice(0, 6)}`,
    logger: deps.logger,
  });
}

/** Assembles a node from its configuration; call `start()` on the result. */
export function createNode(config: Config, overrides: NodeOverrides = {}): ParleyNode {
  const nodeId = config.nodeId || `node-${randomId().slice(0, 8)}`;
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds();
  const logger =
    overrides.logger ??
    createLogger({ level: config.logLevel, format: config.logFormat, base: { node: nodeId } });
  const engine = overrides.engine ?? createEngine(config, { nodeId, clock, ids, logger });
  // Verified-token mode: keys are read when the node starts, so a bad key file stops start-up with its error.
  let verifier: TokenVerifier | undefined;
  const verifyToken: TokenVerifier | undefined =
    config.auth === 'jwt'
      ? (token) => {
          if (!verifier) throw new Error('token verifier used before start');
          return verifier(token);
        }
      : undefined;
  return new ParleyNode({
    config,
    nodeId,
    engine,
    prepare: async () => {
      if (config.auth === 'jwt') verifier = await createJwtVerifier(config);
    },
    verifyToken,
    identify: overrides.identify ?? (verifyToken ? tokenIdentity(verifyToken) : anonymousIdentity(config)),
    logger,
    clock,
    ids,
    webRoot: overrides.webRoot ?? DEFAULT_WEB_ROOT,
    metrics: overrides.metrics ?? new Registry(),
  });
}
