/** Domain types of the engine (broker, presence, room log) and the hub; the wire types are client/wire's. */

import type { ChatMessage, UserInfo } from '../../client/wire/domain.js';

export type {
  ChatMessage,
  Role,
  StreamPosition,
  SystemEvent,
  SystemEventType,
  UserInfo,
} from '../../client/wire/domain.js';

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
