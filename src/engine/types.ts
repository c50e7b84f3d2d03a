/** Domain types of the engine (broker, presence, room log) and the hub; the wire types are client/wire's. */

import type { ChatMessage, StreamPosition, UserInfo, UserStatus } from '../../client/wire/domain.js';
import type {
  DraftFrame,
  FavoriteFrame,
  HideFrame,
  InvitationRemovedFrame,
  InvitedFrame,
  NotificationsFrame,
  ReadFrame,
  ReminderFrame,
  RoomAddedFrame,
  ScheduleChangedFrame,
  StatusFrame,
  ThreadStateFrame,
} from '../../client/wire/frames.js';
import type { LiveEvent } from '../cluster/operator-views.js';

export type {
  ChatMessage,
  MessageAction,
  Reaction,
  Role,
  StreamPosition,
  SystemEvent,
  SystemEventType,
  UserInfo,
} from '../../client/wire/domain.js';

/** What a publisher hands to the engine; the engine assigns `offset` and `epoch`. */
export type MessageDraft = Omit<ChatMessage, 'offset' | 'epoch'> & {
  /**
   * The message-rate bucket the message is charged to, when not its sender's: the server API's messages are
   * charged per room (`api:<room>`), so one backend announcing in many rooms is not one user's 10 a second, and
   * no user's budget pays for them. Never stored.
   */
  budget?: string;
};

/** The rate bucket a draft is charged to; undefined for a system event (a moderator's action costs no token). */
export function rateKeyOf(draft: MessageDraft): string | undefined {
  return draft.event ? undefined : (draft.budget ?? draft.from.id);
}

/**
 * The message a draft becomes at `position`: its fields in one order, the optional ones only when the draft has them,
 * and never the draft's `budget`. Built field by field rather than by spreading the draft, so every message has the
 * same layout in memory (the hot path reads it once per format per fan-out).
 */
export function storedMessage(draft: MessageDraft, position: StreamPosition): ChatMessage {
  const message: ChatMessage = {
    room: draft.room,
    id: draft.id,
    offset: position.offset,
    epoch: position.epoch,
    from: draft.from,
    text: draft.text,
    ts: draft.ts,
    cid: draft.cid,
  };
  if (draft.event !== undefined) message.event = draft.event;
  if (draft.action !== undefined) message.action = draft.action;
  if (draft.mentions !== undefined) message.mentions = draft.mentions;
  if (draft.mentionsRoom) message.mentionsRoom = true;
  if (draft.replyTo !== undefined) message.replyTo = draft.replyTo;
  if (draft.thread !== undefined) message.thread = draft.thread;
  if (draft.broadcast) message.broadcast = true;
  if (draft.files !== undefined) message.files = draft.files;
  if (draft.forwarded !== undefined) message.forwarded = draft.forwarded;
  return message;
}

/**
 * Everything that a broker delivers to the hub for one room: chat messages (in offset order) and ephemeral
 * signals (presence changes, typing) that are never stored.
 */
export type RoomEvent =
  | { kind: 'message'; room: string; message: ChatMessage }
  | {
      kind: 'presence';
      room: string;
      joins: UserInfo[];
      leaves: UserInfo[];
      /** The room's user count when the diff was made (members show it beside a partial list). */
      count?: number;
    }
  | { kind: 'typing'; room: string; user: UserInfo }
  /** A member's status changed (see UserStatuses): to the room's members who joined it. */
  | { kind: 'status'; room: string; user: string; status: UserStatus }
  /** In a direct room, how far one of its people has read (unless they turned read receipts off). */
  | { kind: 'seen'; room: string; user: string; offset: number }
  | MemberEvent
  | UserEvent
  | ControlEvent;

/**
 * A change of a room that is not kept in its log, which every instance holding the room must still hear because
 * it caches standings (docs/architecture.md): a join or leave of a room that does not announce them, an invitation
 * made, declined or withdrawn, a member's own choice the cached standing carries (`standing`: what they are
 * notified of), a change the cached room record must drop (`announceJoins` alone, a group direct room's people).
 * Instances holding the room forget the user's cached standing (every standing of the room for `settings`); a leave
 * takes the user's connections out.
 */
export type MemberEvent =
  | { kind: 'member'; room: string; user: string; change: 'joined' | 'left' | 'invitation' | 'standing' }
  | { kind: 'member'; room: string; change: 'settings' };

/**
 * A notice for every connection of one user, on their own channel ({@link userChannel}), which an instance hears
 * while it has a connection of that user that asked for its room list.
 */
export interface UserEvent {
  kind: 'user';
  /** The user's channel. */
  room: string;
  user: string;
  notice: UserNotice;
}

/** What a user's connections are told on their channel. */
export type UserNotice =
  | RoomAddedFrame
  | InvitedFrame
  | InvitationRemovedFrame
  | ReadFrame
  | ThreadStateFrame
  | NotificationsFrame
  | FavoriteFrame
  | HideFrame
  | StatusFrame
  | ScheduleChangedFrame
  | ReminderFrame
  | DraftFrame;

/** The channel of a user's notices: a reserved room name (client room names start with a letter or digit). */
export function userChannel(userId: string): string {
  return `_user:${userId}`;
}

/**
 * A cluster-wide instruction to every node, sent on the reserved {@link CONTROL_ROOM} (which no client can join:
 * room names start with a letter or digit).
 */
export type ControlEvent = DisconnectUserEvent | ClusterQueryEvent | ClusterAnswerEvent | FeedEvent;

/** Every node closes the connections of a user. */
export interface DisconnectUserEvent {
  kind: 'control';
  room: typeof CONTROL_ROOM;
  action: 'disconnect_user';
  /** The user whose connections every node closes. */
  user: string;
  reason: string;
}

/** A question to every node (an operator's listing); each answers with a {@link ClusterAnswerEvent}. */
export interface ClusterQueryEvent {
  kind: 'control';
  room: typeof CONTROL_ROOM;
  action: 'query';
  /** Unique per question; the answers name it. */
  id: string;
  /** The node that asks (the answers go to it). */
  from: string;
  query: { type: 'connections'; after?: string; search?: string; limit: number };
}

/** One node's answer to a {@link ClusterQueryEvent}. */
export interface ClusterAnswerEvent {
  kind: 'control';
  room: typeof CONTROL_ROOM;
  action: 'answer';
  id: string;
  /** The node that asked. */
  to: string;
  from: string;
  answer: unknown;
}

/** A batch of a node's live events for the dashboards watching (see the event feed). */
export interface FeedEvent {
  kind: 'control';
  room: typeof CONTROL_ROOM;
  action: 'feed' | 'watch';
  from: string;
  /** `feed`: the node's events since its last batch, and how many it dropped to stay within its budget. */
  events?: LiveEvent[];
  dropped?: number;
}

/** The room every node subscribes to for {@link ControlEvent}s. */
export const CONTROL_ROOM = '_control';
