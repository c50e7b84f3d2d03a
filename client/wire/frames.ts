/** The frames the server sends (protocol v1); docs/protocol.md describes each with an example. */
import type { ChatMessage, StreamPosition, UserInfo } from './domain.js';
import type { ErrorCode } from './error-codes.js';

/** Limits the server announces in `welcome`, so clients can check input before sending. */
export interface AnnouncedLimits {
  maxTextLength: number;
  maxRoomsPerConnection: number;
  maxRoomNameLength: number;
  historyPageMax: number;
}

/** First frame on every connection. */
export interface WelcomeFrame {
  type: 'welcome';
  v: number;
  /** This connection's id. */
  session: string;
  /** Id of the server instance the client is connected to. */
  node: string;
  user: UserInfo;
  limits: AnnouncedLimits;
  /** When the connection's token expires (ms since the Unix epoch): refresh it before then. */
  expiresAt?: number;
  /** Present (true) when the connection asked for compact `message` frames (`format=compact`). */
  compact?: boolean;
}
export interface RefreshedFrame {
  type: 'refreshed';
  ref: number;
  /** The new expiry (ms since the Unix epoch). */
  expiresAt?: number;
}
export interface JoinedFrame {
  type: 'joined';
  ref: number;
  room: string;
  /** The room's position when the join completed: live messages follow from `offset + 1`. */
  position: StreamPosition;
  /** Users currently in the room (one entry per user, however many connections they have). */
  presence: UserInfo[];
  /**
   * Present when the join asked to resume (`since`): true when `messages` holds exactly every message after
   * `since` up to `position`, in order; false when that is impossible (history trimmed, or lost: another epoch).
   */
  recovered?: boolean;
  /** With `recovered: true`: the messages missed since `since`, oldest first. */
  messages?: ChatMessage[];
}
export interface LeftFrame {
  type: 'left';
  ref: number;
  room: string;
}
export interface SentFrame {
  type: 'sent';
  ref: number;
  room: string;
  id: string;
  offset: number;
  epoch: string;
  ts: number;
  /** True when this `cid` had already been published: nothing new was published. */
  duplicate: boolean;
}
export interface HistoryFrame {
  type: 'history';
  ref: number;
  room: string;
  /** Oldest first. */
  messages: ChatMessage[];
  /** The room's current position. */
  position: StreamPosition;
  /** True when older messages than the first one returned are still retained. */
  hasMore: boolean;
}
export interface PresenceStateFrame {
  type: 'presence_state';
  ref: number;
  room: string;
  users: UserInfo[];
}
export interface MessageFrame extends ChatMessage {
  type: 'message';
}
export interface PresenceDiffFrame {
  type: 'presence_diff';
  room: string;
  joins: UserInfo[];
  leaves: UserInfo[];
}
export interface TypingFrame {
  type: 'typing';
  room: string;
  user: UserInfo;
}
/**
 * The room's current position, sent when the server may have missed live messages for a while (its engine
 * connection came back): a client behind it fetches what it lacks, or resets on a new epoch.
 */
export interface PositionFrame {
  type: 'position';
  room: string;
  position: StreamPosition;
}
export interface PongFrame {
  type: 'pong';
  ref: number;
  ts: number;
}
export interface ErrorFrame {
  type: 'error';
  /** The `ref` of the command this answers; absent when the frame could not be parsed far enough to know it. */
  ref?: number;
  code: ErrorCode;
  message: string;
  temporary: boolean;
}

/** Any frame the server sends. */
export type ServerFrame =
  | WelcomeFrame
  | JoinedFrame
  | LeftFrame
  | SentFrame
  | HistoryFrame
  | PresenceStateFrame
  | MessageFrame
  | PresenceDiffFrame
  | TypingFrame
  | PositionFrame
  | RefreshedFrame
  | PongFrame
  | ErrorFrame;
