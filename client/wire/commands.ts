/**
 * The commands a client sends (protocol v1), and the frame that answers each. The server validates them with
 * schemas of its own (src/protocol/messages.ts), checked at compile time to match these types.
 */
import type { Role, StreamPosition, UserStatus } from './domain.js';
import type {
  ActedFrame,
  BansFrame,
  DoneFrame,
  DraftsFrame,
  EditsFrame,
  HistoryFrame,
  InvitationsFrame,
  InviteLinkFrame,
  InviteLinksFrame,
  InvitePreviewFrame,
  JoinedFrame,
  LeftFrame,
  LinkPreviewFrame,
  MembersFrame,
  PinsFrame,
  PongFrame,
  PresenceStateFrame,
  PublicRoomsFrame,
  RefreshedFrame,
  RoomFrame,
  RoomsFrame,
  SavedFrame,
  ScheduledFrame,
  ScheduledMessagesFrame,
  SearchFrame,
  SentFrame,
  SentInvitationsFrame,
  SettingsFrame,
  StatusesFrame,
  StatusFrame,
  ThreadCountsFrame,
  ThreadsFrame,
  UploadReadyFrame,
  WebhookFrame,
  WebhooksFrame,
} from './frames.js';
import type { NotificationLevel, PublicRoomsCursor, SentInvitationsCursor } from './rooms.js';

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
  /** The offset of the message this one replies to (in this room, at most the room's newest). */
  replyTo?: number;
  /**
   * Sends the message as a reply in the thread of the chat message at this offset (its root: not a system event,
   * an action, a deleted message or itself a thread reply; `no_message` otherwise).
   */
  thread?: number;
  /** With `thread`: the reply is also sent to the room, shown in its timeline as well (Slack's "Also send to"). */
  broadcast?: boolean;
  /** The ids of the users the text mentions (`@Name`), at most 20. */
  mentions?: string[];
  /**
   * The text mentions everyone in the room (`@room`): a mention of every member. In a room of members only (not an
   * open channel, not a reply kept to its thread); above `roomMentionMaxMembers` members, only its admins and owners.
   */
  mentionsRoom?: boolean;
  /**
   * Files uploaded for this room by the sender (`upload`) and not yet sent, by id, at most `maxFilesPerMessage`;
   * with files, `text` may be empty.
   */
  files?: string[];
  /**
   * Forwards the chat message at `offset` of the joined room `room` (not a system event, an action or a deleted
   * message; `no_message` otherwise): the message sent carries a copy of it ({@link ChatMessage.forwarded}), and
   * `text` may be empty. Forwarding a forward that says nothing of its own passes on the message it carries.
   */
  forward?: { room: string; offset: number };
}
/** Moves the user's read marker of a joined room forward (not answered unless `ref` is given: then `done`). */
export interface ReadCommand {
  type: 'read';
  ref?: number;
  room: string;
  /** Every message at or before this offset is read (clamped to the room's newest). */
  offset: number;
}
/** Marks the message at `offset` and every one after it unread for the user: the read marker moves back before it. */
export interface UnreadCommand {
  type: 'unread';
  ref: number;
  room: string;
  offset: number;
}
/** Reads the user's settings, changing those given. */
export interface SettingsCommand {
  type: 'settings';
  ref: number;
  /** Whether the other people of one's direct rooms see how far one has read (on by default). */
  readReceipts?: boolean;
}
/** Replaces the text of one's own message. */
export interface EditCommand {
  type: 'edit';
  ref: number;
  room: string;
  /** The message's offset. */
  offset: number;
  text: string;
}
/** Deletes a message (one's own; anyone's for a room's owner or admin, or a server admin). */
export interface DeleteCommand {
  type: 'delete';
  ref: number;
  room: string;
  offset: number;
}
/** Adds a reaction to a message (nothing changes when it is there already). */
export interface ReactCommand {
  type: 'react';
  ref: number;
  room: string;
  offset: number;
  emoji: string;
}
/** Removes one's reaction from a message (nothing changes when it is not there). */
export interface UnreactCommand {
  type: 'unreact';
  ref: number;
  room: string;
  offset: number;
  emoji: string;
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
  /** Only the replies of the thread whose root is at this offset (the root itself is not among them). */
  thread?: number;
}
export interface PresenceCommand {
  type: 'presence';
  ref: number;
  room: string;
  /** Users with an id after this one: the previous page's `next`. */
  after?: string;
  /** Page size: default and maximum `presencePageMax` (50). */
  limit?: number;
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

/** The user's room list and invitations. */
export interface RoomsCommand {
  type: 'rooms';
  ref: number;
}
/** Creates a room; the creator is its owner. */
export interface CreateRoomCommand {
  type: 'create_room';
  ref: number;
  name: string;
  /** Default public. */
  kind?: 'public' | 'private';
  topic?: string;
  /** The room's id (a room name); default: made from the name, unique. */
  id?: string;
}
/** Renames, sets the topic, archives or unarchives a room, or changes whether joins are announced. */
export interface UpdateRoomCommand {
  type: 'update_room';
  ref: number;
  room: string;
  name?: string;
  topic?: string;
  archived?: boolean;
  announceJoins?: boolean;
}
/** A page of public rooms, by name. */
export interface PublicRoomsCommand {
  type: 'public_rooms';
  ref: number;
  after?: PublicRoomsCursor;
  limit?: number;
}
/** A page of a room's members, by user id. */
export interface MembersCommand {
  type: 'members';
  ref: number;
  room: string;
  after?: string;
  limit?: number;
}
/** A page of a room's bans in force, by user id (its moderators). */
export interface BansCommand {
  type: 'bans';
  ref: number;
  room: string;
  after?: string;
  limit?: number;
}
/** A page of the pending invitations the user gave, in every room, by room id then invited user id. */
export interface SentInvitationsCommand {
  type: 'sent_invitations';
  ref: number;
  after?: SentInvitationsCursor;
  limit?: number;
}
/** Pins a message of a room, or unpins it (members not muted; nothing changes when it already is, or is not). */
export interface PinCommand {
  type: 'pin' | 'unpin';
  ref: number;
  room: string;
  offset: number;
}
/** A room's pinned messages (those who may read the room). */
export interface PinsCommand {
  type: 'pins';
  ref: number;
  room: string;
  /** How many of the list to pass over: the previous answer's `next`. */
  skip?: number;
}
/**
 * Makes an invite link to a room (those who may invite to it): whoever has its code becomes a member with
 * `join_link`, until it is revoked, `expiresInMs` passed or `maxUses` people used it.
 */
export interface CreateInviteLinkCommand {
  type: 'create_invite_link';
  ref: number;
  room: string;
  expiresInMs?: number;
  maxUses?: number;
}
/** A room's invite links (those who may invite to it). */
export interface InviteLinksCommand {
  type: 'invite_links';
  ref: number;
  room: string;
}
/** Revokes an invite link (who made it, or the room's admins and owners). */
export interface RevokeInviteLinkCommand {
  type: 'revoke_invite_link';
  ref: number;
  room: string;
  code: string;
}
/** Becomes a member of an invite link's room. */
export interface JoinLinkCommand {
  type: 'join_link';
  ref: number;
  code: string;
}
/** What an invite link lets into (the room, who made the link), before joining with it: nothing changes. */
export interface InvitePreviewCommand {
  type: 'invite_preview';
  ref: number;
  code: string;
}
/** A room's incoming webhooks (its owners and admins). */
export interface WebhooksCommand {
  type: 'webhooks';
  ref: number;
  room: string;
}
/** Adds an incoming webhook to a room (its owners and admins): answered with its address, shown this once. */
export interface CreateWebhookCommand {
  type: 'create_webhook';
  ref: number;
  room: string;
  /** The sender's name of its messages (the display-name rule). */
  name: string;
}
/** Removes a room's incoming webhook (its owners and admins): its address posts no more. */
export interface DeleteWebhookCommand {
  type: 'delete_webhook';
  ref: number;
  room: string;
  /** The webhook's id. */
  webhook: string;
}
/**
 * Announces a file to send in a room the connection joined (a member who may send there): answered `upload_ready`,
 * after which the client sends the file's `size` bytes as binary frames; then `uploaded`. One upload at a time per
 * connection.
 */
export interface UploadCommand {
  type: 'upload';
  ref: number;
  room: string;
  /** The file's name (at most 255 characters). */
  name: string;
  /** Its exact size in bytes: 1 to `maxFileBytes`. */
  size: number;
  /** Its media type as the client knows it (e.g. `application/pdf`); images are recognised by their bytes. */
  mime?: string;
}
/**
 * Sets what the user says of themselves (an empty `status` clears it): kept for the user on every device, told to
 * the members of every room the user belongs to. Answered `status`.
 */
export interface SetStatusCommand {
  type: 'set_status';
  ref: number;
  status: UserStatus;
}
/** The statuses of some users (at most 100 ids): those who have one in force. */
export interface StatusesCommand {
  type: 'statuses';
  ref: number;
  users: string[];
}
/** The preview of a page a message links to (title, description, site, image), fetched by the server. */
export interface LinkPreviewCommand {
  type: 'link_preview';
  ref: number;
  /** An http(s) address, at most 2,048 characters, without a user name or password. */
  url: string;
}
/** Abandons the connection's upload in progress (its bytes so far are dropped): answered `done`. */
export interface CancelUploadCommand {
  type: 'cancel_upload';
  ref: number;
}
/** Saves a message for oneself, or unsaves it (a private list, in every room the user may read). */
export interface SaveCommand {
  type: 'save' | 'unsave';
  ref: number;
  room: string;
  offset: number;
}
/**
 * Sets when to remind the user of a message (saved first when it is not), or with no `at` takes the reminder off
 * (the message stays saved): answered `done`. When it comes due, every device of theirs hears `reminder`.
 */
export interface RemindCommand {
  type: 'remind';
  ref: number;
  room: string;
  offset: number;
  /** When (ms since the Unix epoch): after now, at most `scheduleMaxAheadDays` ahead. */
  at?: number;
}
/** The user's saved messages, the most recently saved first. */
export interface SavedCommand {
  type: 'saved';
  ref: number;
  /** How many of the list to pass over: the previous answer's `next`. */
  skip?: number;
}
/**
 * Schedules a message to be sent to a room later, at `at`: a room of members the user may send to now (checked
 * again when it is sent). The fields after `at` are `send`'s.
 */
export interface ScheduleCommand {
  type: 'schedule';
  ref: number;
  room: string;
  text: string;
  /** When to send it (ms since the Unix epoch): after now, at most `scheduleMaxAheadDays` ahead. */
  at: number;
  replyTo?: number;
  mentions?: string[];
  mentionsRoom?: boolean;
}
/**
 * Moves one of the user's scheduled messages to another time (after now), or without `at` to now ("send now"; "try
 * again" after a failure), pending again if it had failed: answered `scheduled` with it.
 */
export interface RescheduleCommand {
  type: 'reschedule';
  ref: number;
  id: string;
  at?: number;
}
/** Removes one of the user's scheduled messages (pending or failed): answered `done`. */
export interface UnscheduleCommand {
  type: 'unschedule';
  ref: number;
  id: string;
}
/**
 * Keeps what the user typed in a room's message box and has not sent (`text`; empty: none), for every device of
 * theirs: each that listed rooms hears of it (`draft`). Not answered unless `ref` is given (then `done`).
 */
export interface SetDraftCommand {
  type: 'set_draft';
  ref?: number;
  room: string;
  text: string;
}
/** The user's drafts, the most recently set first. */
export interface DraftsCommand {
  type: 'drafts';
  ref: number;
  /** How many of the list to pass over: the previous answer's `next`. */
  skip?: number;
}
/** The user's scheduled messages, the soonest first. */
export interface ScheduledMessagesCommand {
  type: 'scheduled_messages';
  ref: number;
  /** How many of the list to pass over: the previous answer's `next`. */
  skip?: number;
}
/**
 * Follows a thread (its replies are counted for the user, and their devices hear of each), or stops following it.
 * Every device of the user hears of it (`thread_state`).
 */
export interface FollowThreadCommand {
  type: 'follow_thread';
  ref: number;
  room: string;
  /** The thread's root (its offset). */
  thread: number;
  follow: boolean;
}
/** Every reply of a followed thread at or before `offset` is read (on every device: `thread_state`). */
export interface ReadThreadCommand {
  type: 'read_thread';
  ref?: number;
  room: string;
  thread: number;
  offset: number;
}
/** The threads the user follows, in every room they may read, the one with the newest reply first. */
export interface ThreadsCommand {
  type: 'threads';
  ref: number;
  /** How many of the list to pass over: the previous answer's `next`. */
  skip?: number;
}
/**
 * The counts of every thread the user follows, without their roots (no message is read): what a client needs at
 * connect for its badges; `threads` lists them with their roots.
 */
export interface ThreadCountsCommand {
  type: 'thread_counts';
  ref: number;
  /** How many of the list to pass over: the previous answer's `next`. */
  skip?: number;
}
/** Sets what the user wants to be notified of in a room, on every device (members). */
export interface NotificationsCommand {
  type: 'notifications';
  ref: number;
  room: string;
  level: NotificationLevel;
}
/** Makes a room one of the user's favorites, or no longer, on every device (members). */
export interface FavoriteCommand {
  type: 'favorite';
  ref: number;
  room: string;
  favorite: boolean;
}
/**
 * Keeps a room out of the user's room list until something newer is posted in it (`hidden: true`), or shows it
 * again, on every device (members).
 */
export interface HideCommand {
  type: 'hide';
  ref: number;
  room: string;
  hidden: boolean;
}
/** A page of a room's pending invitations, by invited user id (those who may invite to the room). */
export interface InvitationsCommand {
  type: 'invitations';
  ref: number;
  room: string;
  after?: string;
  limit?: number;
}
/**
 * Finds messages by their words: every word of `query` the start of a word of the message, newest first; in
 * `room`, or in every room the user belongs to. The filters narrow it: sent by `from` (a user id), carrying a file
 * or a link (`has`), sent at or after `since` and before `until` (ms since the Unix epoch); a search needs a word or
 * a filter. `before` is the previous page's `next`.
 */
export interface SearchCommand {
  type: 'search';
  ref: number;
  query?: string;
  room?: string;
  from?: string;
  has?: 'file' | 'link';
  since?: number;
  until?: number;
  before?: string;
  limit?: number;
}
/** The texts a message of a joined room had, its first and each edit's, oldest first. */
export interface EditsCommand {
  type: 'edits';
  ref: number;
  room: string;
  offset: number;
}
/** Invites a user (by id) to a room. */
export interface InviteCommand {
  type: 'invite';
  ref: number;
  room: string;
  user: string;
}
/** Withdraws a pending invitation (the one who gave it, or the room's admins and owners). */
export interface UninviteCommand {
  type: 'uninvite';
  ref: number;
  room: string;
  user: string;
}
/** Accepts an invitation: the user becomes a member. */
export interface AcceptCommand {
  type: 'accept';
  ref: number;
  room: string;
}
/** Declines an invitation. */
export interface DeclineCommand {
  type: 'decline';
  ref: number;
  room: string;
}
/** Ends the user's membership of a room (on every device). `leave` only closes this connection's view of it. */
export interface LeaveRoomCommand {
  type: 'leave_room';
  ref: number;
  room: string;
}
/** Removes a member; they may rejoin (a public room) or be invited again. */
export interface KickCommand {
  type: 'kick';
  ref: number;
  room: string;
  user: string;
  reason?: string;
}
/** Bans a user: out of the room, and may neither rejoin nor read it until unbanned or `until`. */
export interface BanCommand {
  type: 'ban';
  ref: number;
  room: string;
  user: string;
  reason?: string;
  /** When the ban ends by itself (ms since the Unix epoch). */
  until?: number;
}
export interface UnbanCommand {
  type: 'unban';
  ref: number;
  room: string;
  user: string;
}
/** Mutes a member: they may read, not send. */
export interface MuteCommand {
  type: 'mute';
  ref: number;
  room: string;
  user: string;
  /** When the mute ends by itself (ms since the Unix epoch). */
  until?: number;
}
export interface UnmuteCommand {
  type: 'unmute';
  ref: number;
  room: string;
  user: string;
}
/** Gives a member a role (up to one's own). */
export interface SetRoleCommand {
  type: 'set_role';
  ref: number;
  room: string;
  user: string;
  role: Role;
}
/** The direct room of the user and these people (the same room every time): 1:1 or a group of up to 8 in all. */
export interface DirectCommand {
  type: 'direct';
  ref: number;
  /** The other people; a name is shown until they are seen. */
  users: Array<{ id: string; name?: string }>;
}

/** Any command a client sends. */
export type ClientCommand =
  | JoinCommand
  | LeaveCommand
  | SendCommand
  | ReadCommand
  | UnreadCommand
  | SettingsCommand
  | EditCommand
  | DeleteCommand
  | ReactCommand
  | UnreactCommand
  | HistoryCommand
  | PresenceCommand
  | TypingCommand
  | PingCommand
  | RefreshCommand
  | RoomsCommand
  | CreateRoomCommand
  | UpdateRoomCommand
  | PublicRoomsCommand
  | MembersCommand
  | BansCommand
  | InvitationsCommand
  | SentInvitationsCommand
  | NotificationsCommand
  | FavoriteCommand
  | HideCommand
  | PinCommand
  | PinsCommand
  | CreateInviteLinkCommand
  | InviteLinksCommand
  | RevokeInviteLinkCommand
  | JoinLinkCommand
  | InvitePreviewCommand
  | WebhooksCommand
  | CreateWebhookCommand
  | DeleteWebhookCommand
  | UploadCommand
  | CancelUploadCommand
  | SetStatusCommand
  | StatusesCommand
  | LinkPreviewCommand
  | SaveCommand
  | SavedCommand
  | RemindCommand
  | ScheduleCommand
  | RescheduleCommand
  | UnscheduleCommand
  | ScheduledMessagesCommand
  | SetDraftCommand
  | DraftsCommand
  | FollowThreadCommand
  | ReadThreadCommand
  | ThreadsCommand
  | ThreadCountsCommand
  | SearchCommand
  | EditsCommand
  | InviteCommand
  | UninviteCommand
  | AcceptCommand
  | DeclineCommand
  | LeaveRoomCommand
  | KickCommand
  | BanCommand
  | UnbanCommand
  | MuteCommand
  | UnmuteCommand
  | SetRoleCommand
  | DirectCommand;

/** The frame that answers each command (typing is not answered). */
export interface ReplyByCommand {
  join: JoinedFrame;
  leave: LeftFrame;
  send: SentFrame;
  unread: DoneFrame;
  settings: SettingsFrame;
  edit: ActedFrame;
  delete: ActedFrame;
  react: ActedFrame;
  unreact: ActedFrame;
  history: HistoryFrame;
  presence: PresenceStateFrame;
  ping: PongFrame;
  refresh: RefreshedFrame;
  rooms: RoomsFrame;
  create_room: RoomFrame;
  update_room: RoomFrame;
  public_rooms: PublicRoomsFrame;
  members: MembersFrame;
  bans: BansFrame;
  invitations: InvitationsFrame;
  sent_invitations: SentInvitationsFrame;
  notifications: DoneFrame;
  favorite: DoneFrame;
  hide: DoneFrame;
  pin: DoneFrame;
  unpin: DoneFrame;
  pins: PinsFrame;
  create_invite_link: InviteLinkFrame;
  invite_links: InviteLinksFrame;
  revoke_invite_link: DoneFrame;
  join_link: RoomFrame;
  invite_preview: InvitePreviewFrame;
  webhooks: WebhooksFrame;
  create_webhook: WebhookFrame;
  delete_webhook: DoneFrame;
  upload: UploadReadyFrame;
  cancel_upload: DoneFrame;
  set_status: StatusFrame;
  statuses: StatusesFrame;
  link_preview: LinkPreviewFrame;
  save: DoneFrame;
  unsave: DoneFrame;
  saved: SavedFrame;
  remind: DoneFrame;
  schedule: ScheduledFrame;
  reschedule: ScheduledFrame;
  unschedule: DoneFrame;
  scheduled_messages: ScheduledMessagesFrame;
  set_draft: DoneFrame;
  drafts: DraftsFrame;
  follow_thread: DoneFrame;
  threads: ThreadsFrame;
  thread_counts: ThreadCountsFrame;
  search: SearchFrame;
  edits: EditsFrame;
  invite: DoneFrame;
  uninvite: DoneFrame;
  accept: RoomFrame;
  decline: DoneFrame;
  leave_room: DoneFrame;
  kick: DoneFrame;
  ban: DoneFrame;
  unban: DoneFrame;
  mute: DoneFrame;
  unmute: DoneFrame;
  set_role: DoneFrame;
  direct: RoomFrame;
}

/** Commands that get a reply. */
export type RequestType = keyof ReplyByCommand;

/** Removes `ref` from each member of a union (a plain Omit would merge the union into one type). */
type WithoutRef<C> = C extends unknown ? Omit<C, 'ref'> : never;

/** A command that gets a reply, as the client hands it over (its `ref` is assigned when it is sent). */
export type ClientRequest = WithoutRef<Extract<ClientCommand, { type: RequestType }>>;
