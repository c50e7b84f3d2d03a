/**
 * Parley's public entry point: what library users may import. Nodes are assembled by the composition root
 * (compose.ts: `createNode`).
 */

export type { Broker, RoomSignal } from './broker/broker.js';
export type { ClusterView, NodeStats } from './cluster/node-registry.js';
export {
  createEngine,
  createNode,
  type NodeOverrides,
  redisTarget,
} from './compose.js';
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
export type { Clock, TimerHandle, Timers } from './util/clock.js';
