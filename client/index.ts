/** The Parley client SDK, for browsers and Node. */

export { type BackoffOptions, backoffDelay, defaultBackoff } from './backoff.js';
export type {
  ClientEvents,
  ConnectionState,
  ParleyClientOptions,
  UploadOptions,
  WebSocketFactory,
  WebSocketLike,
} from './client.js';
export { ParleyClient } from './client.js';
export { ParleyError } from './errors.js';
export type * from './protocol.js';
export type { ResetReason } from './room-stream.js';
export { parseSearch, type TypedSearch } from './search-query.js';
export { applyAction, applyThreadReply } from './wire/actions.js';
export { CloseCodes, shouldReconnect } from './wire/close-codes.js';
export {
  fileShownAs,
  fileUrl,
  isWebhookSender,
  mentionsUser,
  PROTOCOL_VERSION,
  THREAD_USERS_SHOWN,
} from './wire/domain.js';
export { ErrorCodes } from './wire/error-codes.js';
export { defaultNotificationLevel } from './wire/rooms.js';
export {
  isUserId,
  ROOM_NAME_HTML_PATTERN,
  ROOM_NAME_PATTERN,
  roomNameProblem,
  textProblem,
} from './wire/rules.js';
export { matchedRanges, searchWords } from './wire/search-words.js';
