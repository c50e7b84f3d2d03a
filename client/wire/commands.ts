/**
 * The commands a client sends (protocol v1), and the frame that answers each. The server validates them with
 * schemas of its own (src/protocol/messages.ts), checked at compile time to match these types.
 */
import type { StreamPosition } from './domain.js';
import type {
  HistoryFrame,
  JoinedFrame,
  LeftFrame,
  PongFrame,
  PresenceStateFrame,
  RefreshedFrame,
  SentFrame,
} from './frames.js';

export interface JoinCommand {
  type: 'join';
  ref: number;
  room: string;
  /** Last position the client saw in this room; asks the server to resume from it. */
  since?: StreamPosition;
}
export interface LeaveCommand {
  type: 'leave';
  ref: number;
  room: string;
}
export interface SendCommand {
  type: 'send';
  ref: number;
  room: string;
  text: string;
  /** Client message id: unique per sender and room; a retry with the same id publishes nothing new. */
  cid: string;
}
export interface HistoryCommand {
  type: 'history';
  ref: number;
  room: string;
  /** Messages with an offset below this one (default: the newest). */
  before?: number;
  /** The oldest messages with an offset above this one (to fill a gap). */
  after?: number;
  limit?: number;
}
export interface PresenceCommand {
  type: 'presence';
  ref: number;
  room: string;
}
export interface TypingCommand {
  type: 'typing';
  ref?: number;
  room: string;
}
export interface PingCommand {
  type: 'ping';
  ref: number;
}
export interface RefreshCommand {
  type: 'refresh';
  ref: number;
  token: string;
}

/** Any command a client sends. */
export type ClientCommand =
  | JoinCommand
  | LeaveCommand
  | SendCommand
  | HistoryCommand
  | PresenceCommand
  | TypingCommand
  | PingCommand
  | RefreshCommand;

/** The frame that answers each command (typing is not answered). */
export interface ReplyByCommand {
  join: JoinedFrame;
  leave: LeftFrame;
  send: SentFrame;
  history: HistoryFrame;
  presence: PresenceStateFrame;
  ping: PongFrame;
  refresh: RefreshedFrame;
}

/** Commands that get a reply. */
export type RequestType = keyof ReplyByCommand;

/** Removes `ref` from each member of a union (a plain Omit would merge the union into one type). */
type WithoutRef<C> = C extends unknown ? Omit<C, 'ref'> : never;

/** A command that gets a reply, as the client hands it over (its `ref` is assigned when it is sent). */
export type ClientRequest = WithoutRef<Extract<ClientCommand, { type: RequestType }>>;
