/**
 * Protocol v1: the client commands, validated at the boundary with TypeBox schemas. The server frames and the rest
 * of the wire vocabulary are client/wire's. docs/protocol.md is the prose description of both; keep them in step.
 */
import { type Static, Type } from '@sinclair/typebox';

import type { ClientCommand } from '../../client/wire/commands.js';
import { USER_ID_MAX_LENGTH, USER_ID_PATTERN } from '../../client/wire/rules.js';
import { SEARCH_MAX_CURSOR_LENGTH, SEARCH_MAX_QUERY_LENGTH } from '../../client/wire/search-words.js';

export { PROTOCOL_VERSION } from '../../client/wire/domain.js';
export type * from '../../client/wire/frames.js';

const Ref = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Room = Type.String();
const Offset = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** A user id (as tokens and the server API name users). */
const UserId = Type.String({ minLength: 1, maxLength: USER_ID_MAX_LENGTH, pattern: USER_ID_PATTERN });
const strict = { additionalProperties: false } as const;
/** A file's id, as `upload` made it. */
const FileId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

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
    replyTo: Type.Optional(Offset),
    /** The offset of the thread's root: the message is a reply in that thread. */
    thread: Type.Optional(Offset),
    /** With `thread`: the reply is also sent to the room (its timeline, unread counts and preview). */
    broadcast: Type.Optional(Type.Boolean()),
    /** The users the text mentions (`@Name`), by id: counted and shown to them. */
    mentions: Type.Optional(Type.Array(UserId, { maxItems: 20 })),
    /** The text mentions everyone in the room (`@room`): checked by the handler. */
    mentionsRoom: Type.Optional(Type.Boolean()),
    /** Files uploaded for the message (the configured maximum is checked by the handler). */
    files: Type.Optional(Type.Array(FileId, { minItems: 1, maxItems: 100 })),
    /** A chat message of a joined room to pass on: a copy of it goes with this one. */
    forward: Type.Optional(Type.Object({ room: Room, offset: Offset }, strict)),
  },
  strict,
);
export const ReadCommand = Type.Object(
  { type: Type.Literal('read'), ref: Type.Optional(Ref), room: Room, offset: Offset },
  strict,
);
export const UnreadCommand = Type.Object(
  // The first unread message: at least the room's first.
  {
    type: Type.Literal('unread'),
    ref: Ref,
    room: Room,
    offset: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  },
  strict,
);
export const SettingsCommand = Type.Object(
  { type: Type.Literal('settings'), ref: Ref, readReceipts: Type.Optional(Type.Boolean()) },
  strict,
);
export const EditCommand = Type.Object(
  { type: Type.Literal('edit'), ref: Ref, room: Room, offset: Offset, text: Type.String() },
  strict,
);
export const DeleteCommand = Type.Object(
  { type: Type.Literal('delete'), ref: Ref, room: Room, offset: Offset },
  strict,
);
/** An emoji, or a short name such as `:party:`: up to 32 UTF-16 units, no white space or control character. */
const Emoji = Type.String({ minLength: 1, maxLength: 32, pattern: '^[^\\s\\x00-\\x1f\\x7f]+$' });
export const ReactCommand = Type.Object(
  { type: Type.Literal('react'), ref: Ref, room: Room, offset: Offset, emoji: Emoji },
  strict,
);
export const UnreactCommand = Type.Object(
  { type: Type.Literal('unreact'), ref: Ref, room: Room, offset: Offset, emoji: Emoji },
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
    /** Only the replies of the thread whose root is at this offset. */
    thread: Type.Optional(Offset),
  },
  strict,
);
export const PresenceCommand = Type.Object(
  {
    type: Type.Literal('presence'),
    ref: Ref,
    room: Room,
    /** Users with an id after this one (the previous page's `next`). */
    after: Type.Optional(UserId),
    limit: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  strict,
);
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

/** A user id as identities give them (token `sub`s, anonymous ids): no separator can hide in one. */
const Limit = Type.Optional(Type.Integer({ minimum: 1 }));
/** Free text whose length the handler checks against the configured limit (the frame size bounds it here). */
const Text = Type.String();
const Until = Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }));
const onRoom = <T extends string>(type: T) =>
  Type.Object({ type: Type.Literal(type), ref: Ref, room: Room }, strict);
const onMember = <T extends string>(type: T) =>
  Type.Object({ type: Type.Literal(type), ref: Ref, room: Room, user: UserId }, strict);

export const RoomsCommand = Type.Object({ type: Type.Literal('rooms'), ref: Ref }, strict);
export const CreateRoomCommand = Type.Object(
  {
    type: Type.Literal('create_room'),
    ref: Ref,
    name: Text,
    kind: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('private')])),
    topic: Type.Optional(Text),
    id: Type.Optional(Room),
  },
  strict,
);
export const UpdateRoomCommand = Type.Object(
  {
    type: Type.Literal('update_room'),
    ref: Ref,
    room: Room,
    name: Type.Optional(Text),
    topic: Type.Optional(Text),
    archived: Type.Optional(Type.Boolean()),
    announceJoins: Type.Optional(Type.Boolean()),
  },
  strict,
);
export const PublicRoomsCommand = Type.Object(
  {
    type: Type.Literal('public_rooms'),
    ref: Ref,
    after: Type.Optional(Type.Object({ name: Type.String({ maxLength: 10_000 }), id: Room }, strict)),
    limit: Limit,
  },
  strict,
);
export const MembersCommand = Type.Object(
  { type: Type.Literal('members'), ref: Ref, room: Room, after: Type.Optional(UserId), limit: Limit },
  strict,
);
export const BansCommand = Type.Object(
  { type: Type.Literal('bans'), ref: Ref, room: Room, after: Type.Optional(UserId), limit: Limit },
  strict,
);
export const InvitationsCommand = Type.Object(
  { type: Type.Literal('invitations'), ref: Ref, room: Room, after: Type.Optional(UserId), limit: Limit },
  strict,
);
export const SentInvitationsCommand = Type.Object(
  {
    type: Type.Literal('sent_invitations'),
    ref: Ref,
    after: Type.Optional(Type.Object({ room: Room, user: UserId }, strict)),
    limit: Limit,
  },
  strict,
);
export const NotificationsCommand = Type.Object(
  {
    type: Type.Literal('notifications'),
    ref: Ref,
    room: Room,
    level: Type.Union([Type.Literal('all'), Type.Literal('mentions'), Type.Literal('none')]),
  },
  strict,
);
export const FavoriteCommand = Type.Object(
  { type: Type.Literal('favorite'), ref: Ref, room: Room, favorite: Type.Boolean() },
  strict,
);
export const HideCommand = Type.Object(
  { type: Type.Literal('hide'), ref: Ref, room: Room, hidden: Type.Boolean() },
  strict,
);
/** A command on one message of a room: pin, unpin, save, unsave. */
/** A page of one of the user's own lists: `skip` is the previous answer's `next`. */
const userListCommand = <T extends 'saved' | 'scheduled_messages' | 'drafts' | 'threads' | 'thread_counts'>(
  type: T,
) =>
  Type.Object(
    {
      type: Type.Literal(type),
      ref: Ref,
      skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    },
    strict,
  );
const messageCommand = <T extends 'pin' | 'unpin' | 'save' | 'unsave'>(type: T) =>
  Type.Object({ type: Type.Literal(type), ref: Ref, room: Room, offset: Offset }, strict);
export const PinCommand = messageCommand('pin');
export const UnmessageCommand = messageCommand('unpin');
export const PinsCommand = Type.Object(
  {
    type: Type.Literal('pins'),
    ref: Ref,
    room: Room,
    skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  strict,
);
/** An invite link's code, as made (base64url). */
const LinkCode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/** What a new invite link is made with (the protocol's command and the server API's body): both optional. */
export const InviteLinkOptionFields = {
  // A minute to a year and a day.
  expiresInMs: Type.Optional(Type.Integer({ minimum: 60_000, maximum: 366 * 24 * 3_600_000 })),
  maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
};
export const CreateInviteLinkCommand = Type.Object(
  { type: Type.Literal('create_invite_link'), ref: Ref, room: Room, ...InviteLinkOptionFields },
  strict,
);
export const InviteLinksCommand = Type.Object(
  { type: Type.Literal('invite_links'), ref: Ref, room: Room },
  strict,
);
export const RevokeInviteLinkCommand = Type.Object(
  { type: Type.Literal('revoke_invite_link'), ref: Ref, room: Room, code: LinkCode },
  strict,
);
export const JoinLinkCommand = Type.Object(
  { type: Type.Literal('join_link'), ref: Ref, code: LinkCode },
  strict,
);
export const InvitePreviewCommand = Type.Object(
  { type: Type.Literal('invite_preview'), ref: Ref, code: LinkCode },
  strict,
);
export const WebhooksCommand = Type.Object({ type: Type.Literal('webhooks'), ref: Ref, room: Room }, strict);
export const CreateWebhookCommand = Type.Object(
  // The display-name rule (length, characters) is the service's: a name that breaks it is bad_request.
  { type: Type.Literal('create_webhook'), ref: Ref, room: Room, name: Type.String({ maxLength: 1024 }) },
  strict,
);
export const DeleteWebhookCommand = Type.Object(
  {
    type: Type.Literal('delete_webhook'),
    ref: Ref,
    room: Room,
    webhook: Type.String({ minLength: 1, maxLength: 64 }),
  },
  strict,
);
export const UploadCommand = Type.Object(
  {
    type: Type.Literal('upload'),
    ref: Ref,
    room: Room,
    name: Type.String({ minLength: 1, maxLength: 255 }),
    size: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    mime: Type.Optional(Type.String({ maxLength: 255 })),
  },
  strict,
);
/** An emoji of a status: as a reaction's. */
const StatusEmoji = Type.String({ minLength: 1, maxLength: 32, pattern: '^[^\\s\\x00-\\x1f\\x7f]+$' });
/** What a user says of themselves (the server API sets it with the same schema). */
export const UserStatusSchema = Type.Object(
  {
    availability: Type.Optional(Type.Union([Type.Literal('away'), Type.Literal('dnd')])),
    text: Type.Optional(Type.String({ maxLength: 100 })),
    emoji: Type.Optional(StatusEmoji),
    until: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  strict,
);
export const SetStatusCommand = Type.Object(
  { type: Type.Literal('set_status'), ref: Ref, status: UserStatusSchema },
  strict,
);
export const StatusesCommand = Type.Object(
  { type: Type.Literal('statuses'), ref: Ref, users: Type.Array(UserId, { maxItems: 100 }) },
  strict,
);
export const LinkPreviewCommand = Type.Object(
  { type: Type.Literal('link_preview'), ref: Ref, url: Type.String({ minLength: 1, maxLength: 2048 }) },
  strict,
);
export const CancelUploadCommand = Type.Object({ type: Type.Literal('cancel_upload'), ref: Ref }, strict);
export const SaveCommand = messageCommand('save');
export const UnsaveCommand = messageCommand('unsave');
export const SavedCommand = userListCommand('saved');
export const RemindCommand = Type.Object(
  {
    type: Type.Literal('remind'),
    ref: Ref,
    room: Room,
    offset: Offset,
    at: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  strict,
);
export const ScheduleCommand = Type.Object(
  {
    type: Type.Literal('schedule'),
    ref: Ref,
    room: Room,
    text: Type.String(),
    at: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    replyTo: Type.Optional(Offset),
    mentions: Type.Optional(Type.Array(UserId, { maxItems: 20 })),
    mentionsRoom: Type.Optional(Type.Boolean()),
  },
  strict,
);
export const RescheduleCommand = Type.Object(
  {
    type: Type.Literal('reschedule'),
    ref: Ref,
    id: Type.String({ minLength: 1, maxLength: 64 }),
    at: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  strict,
);
export const UnscheduleCommand = Type.Object(
  { type: Type.Literal('unschedule'), ref: Ref, id: Type.String({ minLength: 1, maxLength: 64 }) },
  strict,
);
export const ScheduledMessagesCommand = userListCommand('scheduled_messages');
/** A draft's text is checked against the configured length by the service (as a message's is). */
export const SetDraftCommand = Type.Object(
  { type: Type.Literal('set_draft'), ref: Type.Optional(Ref), room: Room, text: Type.String() },
  strict,
);
export const DraftsCommand = userListCommand('drafts');
/** A thread's root: a message's offset. */
const ThreadRoot = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const FollowThreadCommand = Type.Object(
  { type: Type.Literal('follow_thread'), ref: Ref, room: Room, thread: ThreadRoot, follow: Type.Boolean() },
  strict,
);
export const ReadThreadCommand = Type.Object(
  {
    type: Type.Literal('read_thread'),
    ref: Type.Optional(Ref),
    room: Room,
    thread: ThreadRoot,
    offset: Offset,
  },
  strict,
);
export const ThreadsCommand = userListCommand('threads');
export const ThreadCountsCommand = userListCommand('thread_counts');
export const SearchCommand = Type.Object(
  {
    type: Type.Literal('search'),
    ref: Ref,
    /**
     * The words to find: at most `SEARCH_MAX_WORDS` of them; the handler refuses more, and a search with neither a
     * word nor a filter.
     */
    query: Type.Optional(Type.String({ maxLength: SEARCH_MAX_QUERY_LENGTH })),
    /** Only messages sent by this user. */
    from: Type.Optional(UserId),
    /** Only messages with files, or with a link in their text. */
    has: Type.Optional(Type.Union([Type.Literal('file'), Type.Literal('link')])),
    /** Only messages sent at or after this time (ms since the Unix epoch). */
    since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    /** Only messages sent before this time (ms since the Unix epoch). */
    until: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    room: Type.Optional(Room),
    /** The previous page's `next`. */
    before: Type.Optional(Type.String({ maxLength: SEARCH_MAX_CURSOR_LENGTH })),
    limit: Limit,
  },
  strict,
);
export const EditsCommand = Type.Object(
  { type: Type.Literal('edits'), ref: Ref, room: Room, offset: Offset },
  strict,
);
export const InviteCommand = onMember('invite');
export const UninviteCommand = onMember('uninvite');
export const AcceptCommand = onRoom('accept');
export const DeclineCommand = onRoom('decline');
export const LeaveRoomCommand = onRoom('leave_room');
export const KickCommand = Type.Object(
  { type: Type.Literal('kick'), ref: Ref, room: Room, user: UserId, reason: Type.Optional(Text) },
  strict,
);
export const BanCommand = Type.Object(
  {
    type: Type.Literal('ban'),
    ref: Ref,
    room: Room,
    user: UserId,
    reason: Type.Optional(Text),
    until: Until,
  },
  strict,
);
export const UnbanCommand = onMember('unban');
export const MuteCommand = Type.Object(
  { type: Type.Literal('mute'), ref: Ref, room: Room, user: UserId, until: Until },
  strict,
);
export const UnmuteCommand = onMember('unmute');
export const SetRoleCommand = Type.Object(
  {
    type: Type.Literal('set_role'),
    ref: Ref,
    room: Room,
    user: UserId,
    role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]),
  },
  strict,
);
export const DirectCommand = Type.Object(
  {
    type: Type.Literal('direct'),
    ref: Ref,
    users: Type.Array(
      Type.Object({ id: UserId, name: Type.Optional(Type.String({ maxLength: 256 })) }, strict),
      { minItems: 1, maxItems: 7 },
    ),
  },
  strict,
);

/** Every command schema, keyed by its `type`. */
export const CommandSchemas = {
  join: JoinCommand,
  leave: LeaveCommand,
  send: SendCommand,
  read: ReadCommand,
  unread: UnreadCommand,
  settings: SettingsCommand,
  edit: EditCommand,
  delete: DeleteCommand,
  react: ReactCommand,
  unreact: UnreactCommand,
  history: HistoryCommand,
  presence: PresenceCommand,
  typing: TypingCommand,
  ping: PingCommand,
  refresh: RefreshCommand,
  rooms: RoomsCommand,
  create_room: CreateRoomCommand,
  update_room: UpdateRoomCommand,
  public_rooms: PublicRoomsCommand,
  members: MembersCommand,
  bans: BansCommand,
  invitations: InvitationsCommand,
  sent_invitations: SentInvitationsCommand,
  notifications: NotificationsCommand,
  favorite: FavoriteCommand,
  hide: HideCommand,
  pin: PinCommand,
  unpin: UnmessageCommand,
  pins: PinsCommand,
  create_invite_link: CreateInviteLinkCommand,
  invite_links: InviteLinksCommand,
  revoke_invite_link: RevokeInviteLinkCommand,
  join_link: JoinLinkCommand,
  invite_preview: InvitePreviewCommand,
  webhooks: WebhooksCommand,
  create_webhook: CreateWebhookCommand,
  delete_webhook: DeleteWebhookCommand,
  upload: UploadCommand,
  cancel_upload: CancelUploadCommand,
  set_status: SetStatusCommand,
  statuses: StatusesCommand,
  link_preview: LinkPreviewCommand,
  save: SaveCommand,
  unsave: UnsaveCommand,
  saved: SavedCommand,
  remind: RemindCommand,
  schedule: ScheduleCommand,
  reschedule: RescheduleCommand,
  unschedule: UnscheduleCommand,
  scheduled_messages: ScheduledMessagesCommand,
  set_draft: SetDraftCommand,
  drafts: DraftsCommand,
  follow_thread: FollowThreadCommand,
  read_thread: ReadThreadCommand,
  threads: ThreadsCommand,
  thread_counts: ThreadCountsCommand,
  search: SearchCommand,
  edits: EditsCommand,
  invite: InviteCommand,
  uninvite: UninviteCommand,
  accept: AcceptCommand,
  decline: DeclineCommand,
  leave_room: LeaveRoomCommand,
  kick: KickCommand,
  ban: BanCommand,
  unban: UnbanCommand,
  mute: MuteCommand,
  unmute: UnmuteCommand,
  set_role: SetRoleCommand,
  direct: DirectCommand,
} as const;

export type CommandType = keyof typeof CommandSchemas;
export type CommandOf<T extends CommandType> = Static<(typeof CommandSchemas)[T]>;
/** Any client command. */
export type Command = { [T in CommandType]: CommandOf<T> }[CommandType];

/**
 * The schemas and the wire vocabulary's command types (client/wire/commands.ts) describe the same commands: each
 * must be assignable to the other, or this stops compiling.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const commandsAgree: Same<Command, ClientCommand> = true;
void commandsAgree;
