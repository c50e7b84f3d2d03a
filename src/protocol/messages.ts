/**
 * Protocol v1: the client commands (validated at the boundary with TypeBox schemas) and the server frames.
 * docs/protocol.md is the prose description of the same; keep the two in step.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { ChatMessage, StreamPosition, UserInfo } from '../engine/types.js';
import type { ErrorCode } from './error-codes.js';

/** The protocol version this server speaks. Clients pass `?v=1` on the WebSocket URL. */
export const PROTOCOL_VERSION = 1;

const Ref = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Room = Type.String();
const Offset = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const strict = { additionalProperties: false } as const;

export const JoinCommand = Type.Object(
  {
    type: Type.Literal('join'),
    ref: Ref,
    room: Room,
    /** Last position the client saw in this room; asks the server to resume from it. */
    since: Type.Optional(Type.Object({ offset: Offset, epoch: Type.String({ maxLength: 64 }) }, strict)),
  },
  strict,
);
export const LeaveCommand = Type.Object({ type: Type.Literal('leave'), ref: Ref, room: Room }, strict);
export const SendCommand = Type.Object(
  {
    type: Type.Literal('send'),
    ref: Ref,
    room: Room,
    text: Type.String(),
    /** Client message id: unique per sender and room; a retry with the same id publishes nothing new. */
    cid: Type.String({ minLength: 1, maxLength: 64 }),
  },
  strict,
);
export const HistoryCommand = Type.Object(
  {
    type: Type.Literal('history'),
    ref: Ref,
    room: Room,
    /** Return messages with an offset strictly below this one (default: the newest). */
    before: Type.Optional(Offset),
    /** Return the oldest messages with an offset strictly above this one (to fill a gap). */
    after: Type.Optional(Offset),
    /** Page size (default and maximum are configuration). */
    limit: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  strict,
);
export const PresenceCommand = Type.Object({ type: Type.Literal('presence'), ref: Ref, room: Room }, strict);
export const TypingCommand = Type.Object(
  { type: Type.Literal('typing'), ref: Type.Optional(Ref), room: Room },
  strict,
);
export const PingCommand = Type.Object({ type: Type.Literal('ping'), ref: Ref }, strict);
/** Replaces the connection's token before it expires (verified-token mode). */
export const RefreshCommand = Type.Object(
  { type: Type.Literal('refresh'), ref: Ref, token: Type.String({ minLength: 1, maxLength: 8192 }) },
  strict,
);

/** Every command schema, keyed by its `type`. */
export const CommandSchemas = {
  join: JoinCommand,
  leave: LeaveCommand,
  send: SendCommand,
  history: HistoryCommand,
  presence: PresenceCommand,
  typing: TypingCommand,
  ping: PingCommand,
  refresh: RefreshCommand,
} as const;

export type CommandType = keyof typeof CommandSchemas;
export type CommandOf<T extends CommandType> = Static<(typeof CommandSchemas)[T]>;
/** Any client command. */
export type Command = { [T in CommandType]: CommandOf<T> }[CommandType];

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
