/** The Parley client SDK, for browsers and Node. */

export { CloseCodes, shouldReconnect } from '../src/protocol/close-codes.js';
export { type BackoffOptions, backoffDelay, defaultBackoff } from './backoff.js';
export type {
  ClientEvents,
  ConnectionState,
  ParleyClientOptions,
  WebSocketFactory,
  WebSocketLike,
} from './client.js';
export { ParleyClient } from './client.js';
export { ParleyError } from './errors.js';
export type * from './protocol.js';
export type { ResetReason } from './room-stream.js';
