/**
 * Parley's public entry point and composition root: `createNode` assembles a node from its configuration.
 * Everything is built here and injected, so several nodes can run in one process (tests do).
 */
import { fileURLToPath } from 'node:url';
import type { Config } from './config/config.js';
import type { Engine } from './engine/engine.js';
import { createMemoryEngine } from './engine/memory-engine.js';
import { ParleyNode } from './node.js';
import { anonymousIdentity, type Identify } from './transport/identify.js';
import { type Clock, systemClock } from './util/clock.js';
import { type IdGenerator, randomId, randomIds } from './util/ids.js';
import { createLogger, type Logger } from './util/logger.js';

export type { Broker, PublishResult, RoomSignal } from './broker/broker.js';
export { type Config, ConfigError, defaultConfig, loadConfig, makeConfig } from './config/config.js';
export { OptionSpecs } from './config/options.js';
export type { Engine } from './engine/engine.js';
export { EngineUnavailableError } from './engine/engine.js';
export type { ChatMessage, RoomEvent, StreamPosition, UserInfo } from './engine/types.js';
export type { HistoryPage, HistoryQuery, HistoryStore } from './history/history-store.js';
export { type NodeStats, ParleyNode } from './node.js';
export type { PresenceEntry, PresenceStore } from './presence/presence-store.js';
export { CloseCodes } from './protocol/close-codes.js';
export { ErrorCodes } from './protocol/error-codes.js';
export type { Command, ServerFrame } from './protocol/messages.js';
export { PROTOCOL_VERSION } from './protocol/messages.js';

/** Parts that may be swapped when assembling a node (tests inject clocks, ids, engines and loggers). */
export interface NodeOverrides {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  engine?: Engine;
  identify?: Identify;
  webRoot?: string;
}

/** Where the built web UI lives relative to the compiled server (dist/src/index.js → dist/web). */
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

/** Assembles a node from its configuration; call `start()` on the result. */
export function createNode(config: Config, overrides: NodeOverrides = {}): ParleyNode {
  const nodeId = config.nodeId || `node-${randomId().slice(0, 8)}`;
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds();
  const logger =
    overrides.logger ??
    createLogger({ level: config.logLevel, format: config.logFormat, base: { node: nodeId } });
  const engine =
    overrides.engine ??
    createMemoryEngine({
      historySize: config.historySize,
      historyTtlMs: config.historyTtlMs,
      idempotencyWindowMs: config.idempotencyWindowMs,
      presenceTtlMs: config.presenceTtlMs,
      clock,
      ids,
    });
  return new ParleyNode({
    config,
    nodeId,
    engine,
    identify: overrides.identify ?? anonymousIdentity(config),
    logger,
    clock,
    ids,
    webRoot: overrides.webRoot ?? DEFAULT_WEB_ROOT,
  });
}
