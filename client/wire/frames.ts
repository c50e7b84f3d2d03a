/** The frames the server sends (protocol v1); docs/protocol.md describes each with an example. */
import type {
  ChatMessage,
  Draft,
  FileRef,
  LinkPreview,
  MessageVersion,
  ScheduledMessage,
  StreamPosition,
  UserInfo,
  UserStatus,
} from './domain.js';
import type { ErrorCode } from './error-codes.js';
import type {
  BanSummary,
  FollowedThread,
  FollowedThreadCounts,
  InvitationSummary,
  InviteLinkSummary,
  LastMessage,
  MemberSummary,
  NotificationLevel,
  PinSummary,
  PublicRoomsCursor,
  RemovalReason,
  RoomInvitationSummary,
  RoomSummary,
  SavedSummary,
  SentInvitationSummary,
  SentInvitationsCursor,
  WebhookSummary,
} from './rooms.js';

/** Limits the server announces in `welcome`, so clients can check input before sending. */
export interface AnnouncedLimits {
  maxTextLength: number;
  maxRoomsPerConnection: number;
  maxRoomNameLength: number;
  historyPageMax: number;
  /** Users a join's presence lists at most, and the largest `presence` page. */
  presencePageMax: number;
  /** The largest file an `upload` may announce; 0 when this server takes no files. */
  maxFileBytes: number;
  /** The most files one message may carry. */
  maxFilesPerMessage: number;
  /** Whether this server makes link previews (`link_preview`; absent from servers before them: none). */
  linkPreviews?: boolean;
  /** Members a room may have for any member to mention them all (`mentionsRoom`); above, only its admins may. */
  roomMentionMaxMembers?: number;
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
  /**
   * Users currently in the room (one entry per user, however many connections they have): all of them when
   * `presenceCount` is at most `presencePageMax` (50), otherwise that many of them, the joining user among them.
   * Page through everyone with the `presence` command.
   */
  presence: UserInfo[];
  /** How many users the room has. */
  presenceCount: number;
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
/** An edit, delete, react or unreact was applied (or changed nothing). */
export interface ActedFrame {
  type: 'acted';
  ref: number;
  room: string;
  /** The action's entry in the room's log (also delivered to the room); absent when nothing changed. */
  action?: ChatMessage;
  /** The message acted on, as it is now. */
  message: ChatMessage;
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
/** A page of a room's users by user id (answers `presence`); `next` is the cursor of the next page, if any. */
export interface PresenceStateFrame {
  type: 'presence_state';
  ref: number;
  room: string;
  users: UserInfo[];
  /** How many users the room has. */
  count: number;
  next?: string;
}
export interface MessageFrame extends ChatMessage {
  type: 'message';
}
export interface PresenceDiffFrame {
  type: 'presence_diff';
  room: string;
  joins: UserInfo[];
  leaves: UserInfo[];
  /** The room's user count after this diff. */
  count?: number;
}
/** In a direct room: another person of the room has read every message up to `offset` (their "seen"). */
export interface SeenFrame {
  type: 'seen';
  room: string;
  /** Who read (a user id). */
  user: string;
  offset: number;
}
/** Answers `settings`: the user's settings as they are now. */
export interface SettingsFrame {
  type: 'settings';
  ref: number;
  /** Whether the other people of the user's direct rooms see how far they have read. */
  readReceipts: boolean;
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

/** The user's rooms, newest activity first, and pending invitations (answers `rooms`). */
export interface RoomsFrame {
  type: 'rooms';
  ref: number;
  rooms: RoomSummary[];
  invitations: InvitationSummary[];
}
/** One room as it is now (answers `create_room`, `update_room`, `accept`, `direct`). */
export interface RoomFrame {
  type: 'room';
  ref: number;
  room: RoomSummary;
}
/** A page of public rooms by name (answers `public_rooms`); `next` is the cursor of the next page, if any. */
export interface PublicRoomsFrame {
  type: 'public_rooms';
  ref: number;
  rooms: RoomSummary[];
  next?: PublicRoomsCursor;
}
/** A page of a room's members by user id (answers `members`); `next` is the cursor of the next page, if any. */
export interface MembersFrame {
  type: 'members';
  ref: number;
  room: string;
  members: MemberSummary[];
  next?: string;
}
/** A page of a room's bans in force by user id (answers `bans`); `next` is the cursor of the next page, if any. */
export interface BansFrame {
  type: 'bans';
  ref: number;
  room: string;
  bans: BanSummary[];
  next?: string;
}
/**
 * A page of a room's pending invitations by invited user id (answers `invitations`); `next` is the cursor of the
 * next page, if any.
 */
export interface InvitationsFrame {
  type: 'invitations';
  ref: number;
  room: string;
  invitations: RoomInvitationSummary[];
  next?: string;
}
/**
 * A page of the pending invitations the user gave, in every room, by room id then invited user id (answers
 * `sent_invitations`); `next` is the cursor of the next page, if any.
 */
export interface SentInvitationsFrame {
  type: 'sent_invitations';
  ref: number;
  invitations: SentInvitationSummary[];
  next?: SentInvitationsCursor;
}
/** An invite link made (answers `create_invite_link`). */
export interface InviteLinkFrame {
  type: 'invite_link';
  ref: number;
  room: string;
  link: InviteLinkSummary;
}
/**
 * What an invite link lets into (answers `invite_preview`): the room as public lists show it (its name, kind, topic
 * and member count; no member's details), who made the link, when it ends, and whether the caller is a member
 * already (then `join_link` only opens it).
 */
export interface InvitePreviewFrame {
  type: 'invite_preview';
  ref: number;
  room: RoomSummary;
  invitedBy: UserInfo;
  expiresAt?: number;
  member: boolean;
}
/** A room's invite links, oldest first (answers `invite_links`). */
export interface InviteLinksFrame {
  type: 'invite_links';
  ref: number;
  room: string;
  links: InviteLinkSummary[];
}
/** A room's incoming webhooks, oldest first (answers `webhooks`). */
export interface WebhooksFrame {
  type: 'webhooks';
  ref: number;
  room: string;
  webhooks: WebhookSummary[];
}
/**
 * A webhook added (answers `create_webhook`): `path` is its address on any instance (`/hooks/{id}/{secret}`, put
 * after the server's origin), which holds its secret and is shown this once.
 */
export interface WebhookFrame {
  type: 'webhook';
  ref: number;
  room: string;
  webhook: WebhookSummary;
  path: string;
}
/**
 * A room's pinned messages, the most recently pinned first (answers `pins`): as many as one reply holds; `next`,
 * when more follow, is the `skip` that asks for them.
 */
export interface PinsFrame {
  type: 'pins';
  ref: number;
  room: string;
  pins: PinSummary[];
  next?: number;
}
/**
 * Answers `upload`: send the file's bytes now, in order, as binary frames of at most `chunkBytes` each (the
 * server's largest frame); once `size` bytes have come, `uploaded` follows, with the same `ref`.
 */
export interface UploadReadyFrame {
  type: 'upload_ready';
  ref: number;
  room: string;
  /** The file's id (also in `uploaded`). */
  file: string;
  chunkBytes: number;
}
/**
 * A user's status: the answer to `set_status` (with `ref`), to every device of the user (after `rooms`), and to the
 * connections that joined a room the user belongs to (with `room`). An empty `status` is none.
 */
export interface StatusFrame {
  type: 'status';
  ref?: number;
  room?: string;
  user: string;
  status: UserStatus;
}
/** The statuses in force of the users asked for, by user id (users without one are left out). */
export interface StatusesFrame {
  type: 'statuses';
  ref: number;
  statuses: Record<string, UserStatus>;
}
/** The answer to `link_preview`: the page's preview, or none (`preview` absent) when it has none to show. */
export interface LinkPreviewFrame {
  type: 'link_preview';
  ref: number;
  /** The address asked for, as asked. */
  url: string;
  preview?: LinkPreview;
}
/** The file's bytes have all come and are stored: send it with a message (`send`'s `files`). */
export interface UploadedFrame {
  type: 'uploaded';
  ref: number;
  room: string;
  file: FileRef;
}
/**
 * The user's saved messages, in every room, the most recently saved first (answers `saved`): as many as one reply
 * holds; `next`, when more follow, is the `skip` that asks for them.
 */
export interface SavedFrame {
  type: 'saved';
  ref: number;
  saved: SavedSummary[];
  next?: number;
}
/**
 * The threads the user follows (answers `threads`), the one with the newest reply first: as many as one reply holds;
 * `next`, when more follow, is the `skip` that asks for them.
 */
export interface ThreadsFrame {
  type: 'threads';
  ref: number;
  threads: FollowedThread[];
  next?: number;
}
/**
 * The counts of the threads the user follows (answers `thread_counts`), the one with the newest reply first, in rooms
 * they may read: as many as one reply holds; `next`, when more follow, is the `skip` that asks for them.
 */
export interface ThreadCountsFrame {
  type: 'thread_counts';
  ref: number;
  threads: FollowedThreadCounts[];
  next?: number;
}
/**
 * A thread the user follows changed for them, on every device that asked for its room list: they followed it or
 * stopped (`following`), read it (`read`, the newest reply read), or a reply came (`unread` and `mentions` are the
 * counts after `read`). When `following` is false the counts are 0.
 */
export interface ThreadStateFrame {
  type: 'thread_state';
  room: string;
  /** The thread's root (its offset). */
  thread: number;
  following: boolean;
  read: number;
  unread: number;
  mentions: number;
}
/**
 * Messages found by their words (answers `search`), newest first, each as it is now (as `history` gives them);
 * `next`, when more may follow, is the `before` of the next page.
 */
export interface SearchFrame {
  type: 'search';
  ref: number;
  messages: ChatMessage[];
  next?: string;
}
/**
 * The texts a message had (answers `edits`), oldest first: its first, then each edit's; one when it was never edited,
 * none when it was deleted. `partial`: older texts are not listed (edited before the server kept first texts, more
 * than `historyPageMax` of them, or cut to fit the reply).
 */
export interface EditsFrame {
  type: 'edits';
  ref: number;
  room: string;
  offset: number;
  versions: MessageVersion[];
  partial?: true;
}
/**
 * A reminder the user set (`remind`) came due, on every device (their own channel, as `read`): the saved message as
 * it is now. The saved list keeps it, with `remindedAt`.
 */
export interface ReminderFrame {
  type: 'reminder';
  room: string;
  offset: number;
  remindAt: number;
  message: ChatMessage;
}
/** A message scheduled (answers `schedule` and `reschedule`). */
export interface ScheduledFrame {
  type: 'scheduled';
  ref: number;
  scheduled: ScheduledMessage;
}
/**
 * The user's drafts (answers `drafts`), the most recently set first: as many as one reply holds; `next`, when more
 * follow, is the `skip` that asks for them.
 */
export interface DraftsFrame {
  type: 'drafts';
  ref: number;
  drafts: Draft[];
  next?: number;
}
/**
 * A draft of the user's was set or cleared on one of their devices (to every connection of theirs that listed rooms):
 * `text` empty when it was cleared (sent, or emptied). `at` orders the changes: an older one than the draft a device
 * holds is no news.
 */
export interface DraftFrame {
  type: 'draft';
  room: string;
  text: string;
  at: number;
}
/**
 * The user's scheduled messages (answers `scheduled_messages`), the soonest first, failed ones among them: as many as
 * one reply holds; `next`, when more follow, is the `skip` that asks for them.
 */
export interface ScheduledMessagesFrame {
  type: 'scheduled_messages';
  ref: number;
  scheduled: ScheduledMessage[];
  next?: number;
}
/**
 * One of the user's scheduled messages changed, on every device (their own channel, as `read`): `scheduled` is it as
 * it is now (just scheduled or rescheduled, or failed); without it, it is gone: removed, or sent (`sent`: the message it
 * became).
 */
export interface ScheduleChangedFrame {
  type: 'schedule_changed';
  id: string;
  room: string;
  scheduled?: ScheduledMessage;
  sent?: { id: string; offset: number };
}
/**
 * A membership or moderation command succeeded (invite, uninvite, decline, leave_room, kick, ban, unban, mute, unmute,
 * set_role, notifications).
 */
export interface DoneFrame {
  type: 'done';
  ref: number;
  room: string;
}
/** The user now belongs to a room (created it, joined it, was added, accepted an invitation): on every device. */
export interface RoomAddedFrame {
  type: 'room_added';
  room: RoomSummary;
}
/**
 * The user's read marker of a room moved (read on any device, or a message sent): every message at or before
 * `offset` is read; `unread` and `mentions` are the room's counts after it. To every connection of the user that
 * asked for its room list.
 */
export interface ReadFrame {
  type: 'read';
  room: string;
  offset: number;
  unread: number;
  mentions: number;
}
/** The user no longer belongs to a room; their connections are out of it. */
export interface RoomRemovedFrame {
  type: 'room_removed';
  room: string;
  reason: RemovalReason;
  /** Who kicked or banned them. */
  by?: UserInfo;
  /** The reason the one who kicked or banned them gave, as they wrote it. */
  message?: string;
  /** A ban's end, when it ends by itself (ms since the Unix epoch). */
  until?: number;
}
/**
 * What the user wants to be notified of in a room changed (on any of their devices): to every connection of the
 * user that asked for its room list, the one that changed it too.
 */
export interface NotificationsFrame {
  type: 'notifications';
  room: string;
  level: NotificationLevel;
}
/** A room became one of the user's favorites, or no longer (on any of their devices), told like `notifications`. */
export interface FavoriteFrame {
  type: 'favorite';
  room: string;
  favorite: boolean;
}
/**
 * The user hid a room from their room list, or showed it again (on any of their devices, or by asking for its
 * `direct` room), told like `notifications`.
 */
export interface HideFrame {
  type: 'hide';
  room: string;
  hidden: boolean;
}
/** The user was invited to a room. */
export interface InvitedFrame {
  type: 'invited';
  invitation: InvitationSummary;
}
/** An invitation of the user is gone (accepted, declined, or the user was banned). */
export interface InvitationRemovedFrame {
  type: 'invitation_removed';
  room: string;
}
/**
 * A room of the user's room list that this connection has not joined saw a message or an event (to connections
 * that asked for the room list). A rename, a topic or an archive arrives here as the event of `last`.
 */
export interface ActivityFrame {
  type: 'activity';
  room: string;
  last: LastMessage;
}

/**
 * A message of a listed room was edited or deleted (to connections that list the room without having joined it):
 * when `offset` is the room list entry's `last.offset`, its preview is now `preview` (empty: deleted).
 */
export interface PreviewFrame {
  type: 'preview';
  room: string;
  offset: number;
  preview: string;
}

/** Any frame the server sends. */
export type ServerFrame =
  | RoomsFrame
  | RoomFrame
  | PublicRoomsFrame
  | MembersFrame
  | BansFrame
  | InvitationsFrame
  | SentInvitationsFrame
  | PinsFrame
  | WebhooksFrame
  | WebhookFrame
  | InviteLinkFrame
  | InvitePreviewFrame
  | InviteLinksFrame
  | UploadReadyFrame
  | UploadedFrame
  | StatusFrame
  | StatusesFrame
  | LinkPreviewFrame
  | SavedFrame
  | ThreadsFrame
  | ThreadCountsFrame
  | ThreadStateFrame
  | SearchFrame
  | EditsFrame
  | ReminderFrame
  | ScheduledFrame
  | ScheduledMessagesFrame
  | ScheduleChangedFrame
  | DraftsFrame
  | DraftFrame
  | PreviewFrame
  | DoneFrame
  | RoomAddedFrame
  | RoomRemovedFrame
  | ReadFrame
  | InvitedFrame
  | InvitationRemovedFrame
  | NotificationsFrame
  | FavoriteFrame
  | HideFrame
  | ActivityFrame
  | WelcomeFrame
  | JoinedFrame
  | LeftFrame
  | SentFrame
  | ActedFrame
  | HistoryFrame
  | PresenceStateFrame
  | MessageFrame
  | PresenceDiffFrame
  | TypingFrame
  | SeenFrame
  | SettingsFrame
  | PositionFrame
  | RefreshedFrame
  | PongFrame
  | ErrorFrame;
