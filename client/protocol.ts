/** The wire types the SDK speaks: the wire vocabulary (client/wire/), shared with the server. */
export type {
  ChatMessage,
  Draft,
  FileRef,
  ForwardedMessage,
  LinkPreview,
  MessageAction,
  MessageVersion,
  Reaction,
  Role,
  ScheduledMessage,
  StreamPosition,
  SystemEvent,
  SystemEventType,
  UserInfo,
  UserStatus,
} from './wire/domain.js';
export type { ErrorCode } from './wire/error-codes.js';
export type * from './wire/frames.js';
export type * from './wire/rooms.js';
