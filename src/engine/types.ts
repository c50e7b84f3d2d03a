/** Domain types shared by the engine (broker, presence, history), the hub and the wire protocol. */

/** Who a connection belongs to. The id is stable across connections; the name is for display. */
export interface UserInfo {
  id: string;
  name: string;
}

/**
 * A position in a room's message stream. `offset` increases by one for every message published to the room;
 * `epoch` identifies the stream's lifetime: when history is lost (e.g. Redis restarted empty) the epoch changes
 * and offsets restart, so a position from another epoch can never be mistaken for one in this stream.
 */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/** A chat message as published, stored in history and delivered. */
export interface ChatMessage {
  /** The room the message belongs to. */
  room: string;
  /** Server-assigned unique message id. */
  id: string;
  /** Position of the message in the room's stream (1 for the first message of an epoch). */
  offset: number;
  /** Epoch of the room's stream when the message was published. */
  epoch: string;
  /** The sender, as identified by the server (never taken from the client's command). */
  from: UserInfo;
  /** The message text. */
  text: string;
  /** Server timestamp, milliseconds since the Unix epoch. */
  ts: number;
  /** The client message id the sender chose (used for idempotent retries). */
  cid: string;
}

/** What a publisher hands to the engine; the engine assigns `offset` and `epoch`. */
export type MessageDraft = Omit<ChatMessage, 'offset' | 'epoch'>;

/**
 * Everything that a broker delivers to the hub for one room: chat messages (in offset order) and ephemeral
 * signals (presence changes, typing) that are never stored.
 */
export type RoomEvent =
  | { kind: 'message'; room: string; message: ChatMessage }
  | { kind: 'presence'; room: string; joins: UserInfo[]; leaves: UserInfo[] }
  | { kind: 'typing'; room: string; user: UserInfo }
  | ControlEvent;

/**
 * A cluster-wide instruction to every node, sent on the reserved {@link CONTROL_ROOM} (which no client can join:
 * room names start with a letter or digit).
 */
export interface ControlEvent {
  kind: 'control';
  room: typeof CONTROL_ROOM;
  action: 'disconnect_user';
  /** The user whose connections every node closes. */
  user: string;
  reason: string;
}

/** The room every node subscribes to for {@link ControlEvent}s. */
export const CONTROL_ROOM = '_control';
