/**
 * Group chat's wire vocabulary: rooms as a user sees them in their room list, invitations and members. Part of the
 * wire vocabulary (no dependency outside `client/wire/`).
 */
import type { ChatMessage, Role, SystemEvent, UserInfo } from './domain.js';

/** public: anyone may join; private: by invitation; direct: a conversation of fixed people (1:1 or a group). */
export type RoomKind = 'public' | 'private' | 'direct';

/**
 * What of a room a member wants to be notified of: every message, only those that mention them, or nothing. The
 * server keeps it per member and tells every device; clients act on it (the server sends every message alike).
 */
export type NotificationLevel = 'all' | 'mentions' | 'none';

/** The level of a member who never chose one: every message of a direct room, mentions elsewhere. */
export function defaultNotificationLevel(kind: RoomKind): NotificationLevel {
  return kind === 'direct' ? 'all' : 'mentions';
}

/** The newest message of a room, as its room list entry shows it. */
export interface LastMessage {
  id: string;
  offset: number;
  epoch: string;
  ts: number;
  from: UserInfo;
  /** The start of the text (at most 200 characters). */
  preview: string;
  /** Present when the newest entry is a system event. */
  event?: SystemEvent;
  /** The users the message mentions. */
  mentions?: string[];
  /** The message mentions everyone in the room (see ChatMessage.mentionsRoom). */
  mentionsRoom?: true;
  /** How many files the message carries (a photo sent alone has an empty preview). */
  files?: number;
  /**
   * The message forwards another (see ChatMessage.forwarded); a forward that says nothing of its own previews the
   * forwarded message's text.
   */
  forwarded?: true;
  /**
   * Present when the message is a reply in a thread (its root's offset): an `activity` frame tells of one so that a
   * mention in it is counted; it is no preview of the room and no unread message of it, unless `broadcast`.
   */
  thread?: number;
  /** The reply was also sent to the room (see ChatMessage.broadcast): a message of the room as well. */
  broadcast?: true;
}

/** A room as listed: what it is and, in the room list, where the user stands in it. */
export interface RoomSummary {
  id: string;
  kind: RoomKind;
  /** Display name ('' for a direct room: clients name it after its members). */
  name: string;
  topic: string;
  memberCount: number;
  /** True once archived: read-only, out of the public list. */
  archived: boolean;
  /** Whether joins and leaves appear in the room's history. */
  announceJoins: boolean;
  /** The user's role (room list entries only). */
  role?: Role;
  /** True while the user is muted in the room (room list entries only). */
  muted?: boolean;
  /** What the user wants to be notified of in the room (room list entries only; see NotificationLevel). */
  notifications?: NotificationLevel;
  /** True while the room is one of the user's favorites (room list entries and a member's `room` answers). */
  favorite?: boolean;
  /**
   * True while the user keeps the room out of their room list (`hide`): nothing newer than its newest message when
   * they hid it has been posted since (room list entries only). Clients show it again when a message comes.
   */
  hidden?: boolean;
  /** A direct room's people (it has at most a few). */
  members?: UserInfo[];
  /** A direct room: how far each other person has read, by user id (those who share read receipts). */
  seen?: Record<string, number>;
  /** The newest message or event, when the room has one. */
  last?: LastMessage;
  /**
   * When the room last saw activity (its newest message, or when the user joined): the room list's order. Outside
   * the room list (no `last`): when the room was made, or the user joined.
   */
  activity: number;
  /** The user's read marker: every message at or before this offset is read (room list entries only). */
  readOffset?: number;
  /** Chat messages after the read marker (room list entries only). */
  unread?: number;
  /** Of those, the ones that mention the user (room list entries only). */
  mentions?: number;
}

/** A pending invitation of the user. */
export interface InvitationSummary {
  room: RoomSummary;
  invitedBy: string;
  invitedAt: number;
  /** When it expires by itself (ms since the Unix epoch; absent when invitations do not expire): no event says so. */
  expiresAt?: number;
}

/** A pending invitation to a room, as those who may invite list them (`invitations`). */
export interface RoomInvitationSummary {
  /** The invited user's id (an invitation names nobody else: they may never have signed in). */
  user: string;
  /** Who invited them (user id): they, and the room's admins and owners, may withdraw it (`uninvite`). */
  invitedBy: string;
  invitedAt: number;
  /** When it expires by itself (absent when invitations do not expire). */
  expiresAt?: number;
}

/** A pending invitation the user gave, as they list them in every room (`sent_invitations`). */
export interface SentInvitationSummary {
  /** The room's id (its name is in the room list while the user belongs to it). */
  room: string;
  /** The invited user's id. */
  user: string;
  invitedAt: number;
  /** When it expires by itself (absent when invitations do not expire). */
  expiresAt?: number;
}

/** The cursor of the invitations a user gave (the last one of the previous page). */
export interface SentInvitationsCursor {
  room: string;
  user: string;
}

/** A message pinned in a room (`pins`): the message as it is now, who pinned it and when. */
export interface PinSummary {
  message: ChatMessage;
  pinnedBy: UserInfo;
  pinnedAt: number;
}

/** A message the user saved (`saved`): the message as it is now, and when they saved it. */
export interface SavedSummary {
  message: ChatMessage;
  savedAt: number;
  /** When the user is to be reminded of it (`remind`). */
  remindAt?: number;
  /** When that reminder came due (a `reminder` was told to their devices then). */
  remindedAt?: number;
}

/** A thread the user follows, as their list of threads shows it. */
export interface FollowedThread {
  /** The thread's root as it is now (its `replies` say how many, when the newest came, who replied). */
  root: ChatMessage;
  /** The newest reply the user has read (the root's offset when none). */
  read: number;
  /** Replies after `read` (a deleted one counts: its tombstone stays in the thread). */
  unread: number;
  /** Of those, the ones that mention the user. */
  mentions: number;
}

/** How a followed thread stands for the user, without its root (answers `thread_counts`; as `thread_state` says). */
export interface FollowedThreadCounts {
  room: string;
  /** The thread's root (its offset). */
  thread: number;
  read: number;
  unread: number;
  mentions: number;
}

/** A room's member, as the members list shows them. */
export interface MemberSummary {
  /** The name is the one last seen ('' when never seen: show the id). */
  user: UserInfo;
  role: Role;
  joinedAt: number;
  invitedBy?: string;
  /** Present while muted: when the mute ends (0: until lifted). */
  mutedUntil?: number;
}

/** A ban in force, as a room's moderators list it (`bans`). */
export interface BanSummary {
  /** The name is the one the user had when banned ('' when not known: show the id). */
  user: UserInfo;
  /** Who banned them (user id). */
  bannedBy: string;
  bannedAt: number;
  /** The reason given, if any. */
  reason?: string;
  /** When the ban ends by itself (absent: until lifted). */
  until?: number;
}

/** An invite link of a room, as those who may invite list it (`invite_links`). */
export interface InviteLinkSummary {
  /** In the link: the bundled chat's is `{origin}/?join={code}`. */
  code: string;
  /** Who made it, as they were named then. */
  createdBy: UserInfo;
  createdAt: number;
  /** When it stops letting anyone in (absent: until revoked). */
  expiresAt?: number;
  /** How many may join with it (absent: any number). */
  maxUses?: number;
  /** How many joined with it. */
  uses: number;
}

/** An incoming webhook of a room, as its moderators list it (`webhooks`): never its secret. */
export interface WebhookSummary {
  id: string;
  /** The sender's name of its messages. */
  name: string;
  /** Who added it, as they were named then. */
  createdBy: UserInfo;
  createdAt: number;
}

/** The cursor of the public room list (the last room of the previous page). */
export interface PublicRoomsCursor {
  name: string;
  id: string;
}

/**
 * Why a room left the user's room list, or this connection: `forbidden` when a token refresh no longer allows it
 * (the membership stays; another token may allow it).
 */
export type RemovalReason = 'left' | 'kicked' | 'banned' | 'forbidden';
