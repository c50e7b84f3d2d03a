/** The wire types the SDK speaks: re-exported from the server's protocol definition, types only. */
export type {
  ChatMessage,
  StreamPosition,
  UserInfo,
} from '../src/engine/types.js';
export type { ErrorCode } from '../src/protocol/error-codes.js';
export type {
  ErrorFrame,
  HistoryFrame,
  JoinedFrame,
  LeftFrame,
  MessageFrame,
  PongFrame,
  PositionFrame,
  PresenceDiffFrame,
  PresenceStateFrame,
  RefreshedFrame,
  SentFrame,
  ServerFrame,
  TypingFrame,
  WelcomeFrame,
} from '../src/protocol/messages.js';
