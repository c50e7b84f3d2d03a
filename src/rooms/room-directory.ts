/**
 * Rooms as things that exist, and who belongs to them: the storage contract of group chat. The directory only
 * stores and answers; who may do what is decided above it (permissions), and what happens live (events, fan-out)
 * too. Every operation that changes several records does so atomically: a room is created with its first
 * members, a join clears the user's invitation, a ban removes the membership and the invitation.
 *
 * Times are milliseconds since the Unix epoch, given by the caller (the injected clock). User and room ids are
 * opaque strings. Implementations: memory (`memory-room-directory.ts`); each runs the conformance suite in
 * `test/conformance/room-directory.suite.ts`.
 */

/** public: anyone may join; private: by invitation; direct: a conversation of fixed people (1:1 or a group). */
export type RoomKind = 'public' | 'private' | 'direct';

export type { NotificationLevel } from '../../client/wire/rooms.js';
export type { Role } from '../engine/types.js';

import type { UserStatus } from '../../client/wire/domain.js';
import type { NotificationLevel } from '../../client/wire/rooms.js';
import type { Role } from '../engine/types.js';

/** A room as stored. */
export interface RoomRecord {
  id: string;
  kind: RoomKind;
  /** Display name (a rename changes this, never the id). */
  name: string;
  topic: string;
  createdBy: string;
  createdAt: number;
  /** Set once archived: read-only, out of the public list. */
  archivedAt?: number;
  /**
   * For direct rooms: the sorted, de-duplicated participant ids joined by a newline. Unique: one conversation per
   * set of people.
   */
  directKey?: string;
  /** Members now (kept with every join and leave, so that a room list never counts rows). */
  memberCount: number;
  /**
   * Whether joins and leaves are recorded in the room's log as system events (moderation and room changes always
   * are); a busy public room may turn it off.
   */
  announceJoins: boolean;
}

/** A membership as stored. */
export interface MemberRecord {
  room: string;
  userId: string;
  /** Their display name as last seen (absent when never seen, e.g. added by id through the server API). */
  name?: string;
  role: Role;
  joinedAt: number;
  /** Who invited or added them (absent when they joined a public room themselves, or created it). */
  invitedBy?: string;
  /** Set while muted: may read, may not send. */
  mutedAt?: number;
  /** When a mute ends by itself (absent: until lifted). */
  muteExpiresAt?: number;
  /** Their read marker: every message of the room at or before this offset is read (0: none). */
  readOffset?: number;
  /** What they want to be notified of in the room (absent: never chosen, the room kind's default). */
  notifications?: NotificationLevel;
  /** Set (true) while the room is one of their favorites, listed apart and first. */
  favorite?: true;
  /**
   * The room's newest offset when they hid it from their room list (absent: shown). It stays out of their list
   * until something newer is posted in it: nothing is written when that happens, the list compares.
   */
  hiddenAt?: number;
}

/** A read marker to store: `userId` has read `room` up to `offset`. */
export interface ReadMarkerRecord {
  room: string;
  userId: string;
  offset: number;
}

/** A read marker that moved, and whether its room is a direct one (whose people see each other's "seen"). */
export interface MovedMarker extends ReadMarkerRecord {
  direct: boolean;
}

/** A pending invitation. */
export interface InvitationRecord {
  room: string;
  userId: string;
  invitedBy: string;
  invitedAt: number;
}

/** Whose invitations: a room's, an inviter's, or a user's. */
export type InvitationScope = { room: string } | { inviter: string } | { user: string };

/** A ban: the user is out of the room and may neither rejoin nor read it. */
export interface BanRecord {
  room: string;
  userId: string;
  reason: string;
  bannedBy: string;
  bannedAt: number;
  /** When the ban ends by itself (absent: until lifted). */
  expiresAt?: number;
  /** The user's display name when banned ('' when not known): the ban's lifting names them by it. */
  name?: string;
}

/** A pinned message of a room. */
export interface PinRecord {
  room: string;
  /** The message's offset in the room's log. */
  offset: number;
  /** The message's id: the pin is of that message (a log that began again has other messages at its offsets). */
  messageId: string;
  /** Who pinned it, as they were named then. */
  pinnedBy: { id: string; name: string };
  pinnedAt: number;
}

/** A message a user saved for themselves. */
export interface SavedRecord {
  userId: string;
  room: string;
  /** The message's offset in the room's log. */
  offset: number;
  /** The message's id (as a pin keeps it: a log that began again has other messages at its offsets). */
  messageId: string;
  savedAt: number;
  /** When to remind the user of it (`remind`), until it came due. */
  remindAt?: number;
  /** When its reminder came due (it then keeps `remindAt`), until the user sets another or none. */
  remindedAt?: number;
}

/** A thread a user follows: they hear of its replies, and its unread replies are counted for them. */
export interface ThreadFollowRecord {
  userId: string;
  room: string;
  /** The root's offset in the room's log. */
  root: number;
  /** The root's id (as a pin keeps it: a log that began again has other messages at its offsets). */
  rootId: string;
  /** The newest reply the user has read (the root's offset when none). */
  readOffset: number;
  followedAt: number;
  /** When the thread's newest reply came, or when it was followed if later: the order of the user's list. */
  lastAt: number;
}

/** An incoming webhook of a room: an integration that posts messages into it (see RoomService.createWebhook). */
export interface WebhookRecord {
  /** Random, unique; in the hook's address. */
  id: string;
  room: string;
  /** The sender's name of its messages. */
  name: string;
  /** SHA-256 of the secret in the hook's address, hex: the secret itself is shown once and kept nowhere. */
  secretSha256: string;
  /** Who made it, as they were named then. */
  createdBy: { id: string; name: string };
  createdAt: number;
}

/** An invite link of a room: whoever has its code may become a member (see RoomService.createInviteLink). */
export interface InviteLinkRecord {
  /** Random, unique; in the link. */
  code: string;
  room: string;
  /** Who made it, as they were named then. */
  createdBy: { id: string; name: string };
  createdAt: number;
  /** When it stops letting anyone in (absent: until revoked). */
  expiresAt?: number;
  /** How many may join with it (absent: any number). */
  maxUses?: number;
  /** How many joined with it. */
  uses: number;
}

/** What a new room is created with. */
export interface NewRoom {
  id: string;
  kind: RoomKind;
  name: string;
  topic?: string;
  createdBy: string;
  createdAt: number;
  directKey?: string;
  /** See {@link RoomRecord.announceJoins}; default true. */
  announceJoins?: boolean;
  /**
   * Its first members (the creator as owner, or a direct room's participants), stored with the room. Each user
   * once: a list that names someone twice is refused (an error), nothing written.
   */
  members: Array<{ userId: string; role: Role; name?: string }>;
}

/** A change to a room; `archivedAt: null` unarchives. */
export interface RoomPatch {
  name?: string;
  topic?: string;
  announceJoins?: boolean;
  archivedAt?: number | null;
  /**
   * `null`: the direct room is no longer the conversation of the people it was made for (one of them left it), so
   * `direct` of those people makes a new one.
   */
  directKey?: null;
}

/** A keyset page: the items after `after` (exclusive), at most `limit`. */
export interface PageRequest<Cursor> {
  after?: Cursor;
  limit: number;
}

/** The cursor of the invitations a user gave, which are ordered by room id, then invited user id. */
export interface InvitationCursor {
  room: string;
  user: string;
}

/** The cursor of the public room list, which is ordered by name, then id. */
export interface RoomCursor {
  name: string;
  id: string;
}

/** The direct key of a set of participants (see {@link RoomRecord.directKey}). */
export function directKeyOf(userIds: readonly string[]): string {
  return [...new Set(userIds)].sort().join('\n');
}

export interface RoomDirectory {
  /**
   * Creates a room with its first members. When the id is taken, or (for a direct room) a room with the same
   * `directKey` exists, nothing is written and that room comes back with `created: false`.
   */
  create(room: NewRoom): Promise<{ room: RoomRecord; created: boolean }>;
  /** The room, or undefined. */
  get(id: string): Promise<RoomRecord | undefined>;
  /** The direct room of exactly these participants, or undefined. */
  direct(directKey: string): Promise<RoomRecord | undefined>;
  /** Applies a change; the room as it is now, or undefined when there is no such room. */
  update(id: string, patch: RoomPatch): Promise<RoomRecord | undefined>;
  /** Public rooms that are not archived, ordered by name then id (keyset paging). */
  publicRooms(page: PageRequest<RoomCursor>): Promise<RoomRecord[]>;
  /** A page of every room (private, direct and archived ones too), ordered by id: what an operator lists. */
  allRooms(page: PageRequest<string>): Promise<RoomRecord[]>;

  /** The membership, or undefined. */
  member(room: string, userId: string): Promise<MemberRecord | undefined>;
  /**
   * Adds a member (and clears their invitation to the room, if any). False, changing nothing, when they are
   * already a member or the room does not exist.
   */
  addMember(member: MemberRecord): Promise<boolean>;
  /** Removes a member; false when they were not one. */
  removeMember(room: string, userId: string): Promise<boolean>;
  /** Changes a member's role; false when they are not a member. */
  setRole(room: string, userId: string, role: Role): Promise<boolean>;
  /** Mutes (with `at` and an optional end) or unmutes (undefined) a member; false when they are not a member. */
  setMute(
    room: string,
    userId: string,
    mute: { at: number; expiresAt?: number } | undefined,
  ): Promise<boolean>;
  /**
   * Sets what a member wants to be notified of in the room (undefined: back to the room kind's default); false when
   * they are not a member.
   */
  setNotifications(room: string, userId: string, level: NotificationLevel | undefined): Promise<boolean>;
  /** Makes a room one of a member's favorites, or no longer; false when they are not a member. */
  setFavorite(room: string, userId: string, favorite: boolean): Promise<boolean>;
  /**
   * Hides a room from a member's list up to the room's offset `at` (see {@link MemberRecord.hiddenAt}), or shows it
   * again (undefined); false when they are not a member.
   */
  setHidden(room: string, userId: string, at: number | undefined): Promise<boolean>;
  /** A room's members, ordered by user id (keyset paging). */
  members(room: string, page: PageRequest<string>): Promise<MemberRecord[]>;
  /**
   * The room's senior member: the highest role (owner, admin, member), then the earliest to join, then the lowest
   * user id; undefined in a room without members. When a room's last owner goes, this member takes it over.
   */
  senior(room: string): Promise<MemberRecord | undefined>;
  /** How many rooms the user belongs to (the per-user limit's check, without reading the rooms). */
  roomCount(userId: string): Promise<number>;
  /** Every membership of a user, with its room, ordered by room id. */
  roomsOf(userId: string): Promise<Array<{ room: RoomRecord; member: MemberRecord }>>;
  /**
   * Moves read markers forward, all at once (a batch): a marker only ever advances, and only members have one.
   * Returns the markers that moved (where the user is a member and the offset is past their marker).
   */
  markRead(markers: ReadonlyArray<ReadMarkerRecord>): Promise<MovedMarker[]>;
  /**
   * Moves a member's read marker back to `offset` (the messages after it are unread again: "mark as unread"): only
   * back, and only a member's. The marker as it is now when it moved; undefined when it was at or before `offset`
   * already, or the user is no member.
   */
  markUnread(marker: ReadMarkerRecord): Promise<MovedMarker | undefined>;
  /** Of these users, those who turned read receipts off (everyone else shares them: the default). */
  receiptsOff(userIds: readonly string[]): Promise<Set<string>>;
  /** Turns a user's read receipts on or off. */
  setReceipts(userId: string, on: boolean): Promise<void>;
  /** Sets what a user says of themselves (undefined: none). */
  setStatus(userId: string, status: UserStatus | undefined): Promise<void>;
  /** The statuses of these users who have one, as set (whether still in force is the caller's to decide). */
  statuses(userIds: readonly string[]): Promise<Map<string, UserStatus>>;

  /** Pins a message; false, changing nothing, when it is pinned already (or the room does not exist). */
  pin(pin: PinRecord): Promise<boolean>;
  /** Unpins a message; false when it was not pinned. */
  unpin(room: string, offset: number): Promise<boolean>;
  /** A room's pins, the most recently pinned first (at most `--max-pins-per-room` of them: read whole). */
  pins(room: string): Promise<PinRecord[]>;

  /**
   * Saves a message for a user (without a reminder: {@link setReminder} sets one); false, changing nothing, when they
   * saved it already.
   */
  save(saved: SavedRecord): Promise<boolean>;
  /** Unsaves a message of a user's; false when it was not saved. */
  unsave(userId: string, room: string, offset: number): Promise<boolean>;
  /** A user's saved messages, the most recently saved first (at most `--max-saved-per-user`: read whole). */
  saved(userId: string): Promise<SavedRecord[]>;
  /**
   * Sets when to remind a user of a message they saved (undefined: no reminder), forgetting that an earlier one came
   * due; false, changing nothing, when they have not saved it.
   */
  setReminder(userId: string, room: string, offset: number, remindAt: number | undefined): Promise<boolean>;
  /**
   * Up to `limit` saved messages whose reminder is due at `now` and did not come due yet, the soonest first, each
   * marked come due at `now` in the same atomic step: two instances asking at once never get the same one.
   */
  dueReminders(now: number, limit: number): Promise<SavedRecord[]>;

  /**
   * Follows threads (several users, or threads, at once: those a reply makes follow it). A thread followed already
   * keeps its follow, its read marker moved forward to the record's (never back) and its `lastAt` to the later; one
   * of another root id (a log that began again) is followed anew. Then each user who follows more than `max`
   * threads stops following those followed the longest ago. At most one record per user and thread.
   */
  followThreads(records: ReadonlyArray<ThreadFollowRecord>, max: number): Promise<void>;
  /** Stops a user following a thread; false when they did not. */
  unfollowThread(userId: string, room: string, root: number): Promise<boolean>;
  /**
   * A reply came in a thread at `at`: the follows it makes are made as {@link followThreads} makes them (each of this
   * thread, `max` the bound), the other followers' `lastAt` moves to it, and every follower is returned with their
   * read marker (those who follow the root of this id: another id is of a log that began again). One round trip
   * where the backend allows it: a reply costs this one statement, whoever follows.
   */
  threadReplied(
    thread: { room: string; root: number; rootId: string; at: number },
    follows: ReadonlyArray<ThreadFollowRecord>,
    max: number,
  ): Promise<Array<{ userId: string; readOffset: number }>>;
  /** The threads a user follows, the one with the newest reply first (at most `--max-followed-threads-per-user`). */
  followedThreads(userId: string): Promise<ThreadFollowRecord[]>;
  /**
   * Moves a user's read marker of a thread they follow forward to `offset` (never back): `offset` when it moved,
   * undefined when they do not follow the thread or had read it that far already.
   */
  readThread(userId: string, room: string, root: number, offset: number): Promise<number | undefined>;

  /** Adds a room's webhook; false, changing nothing, when the room does not exist or the id is taken. */
  addWebhook(hook: WebhookRecord): Promise<boolean>;
  /** The webhook with this id, or undefined. */
  webhook(id: string): Promise<WebhookRecord | undefined>;
  /** A room's webhooks, oldest first (at most `--max-webhooks-per-room`: read whole). */
  webhooks(room: string): Promise<WebhookRecord[]>;
  /** Removes a room's webhook; false when the room has none with this id. */
  removeWebhook(room: string, id: string): Promise<boolean>;

  /** Adds a room's invite link; false, changing nothing, when the room does not exist or the code is taken. */
  addInviteLink(link: InviteLinkRecord): Promise<boolean>;
  /** The invite link with this code, or undefined. */
  inviteLink(code: string): Promise<InviteLinkRecord | undefined>;
  /** A room's invite links, oldest first (at most `--max-invite-links-per-room`: read whole). */
  inviteLinks(room: string): Promise<InviteLinkRecord[]>;
  /**
   * Counts one use of a link, if it still lets someone in at `now` (not expired, not used its most times), in one
   * atomic step (two people joining at once with the last use: one gets it): the link after the use, or undefined.
   */
  useInviteLink(code: string, now: number): Promise<InviteLinkRecord | undefined>;
  /** Removes (revokes) a room's invite link; false when the room has none with this code. */
  removeInviteLink(room: string, code: string): Promise<boolean>;

  /** Records an invitation; false, changing nothing, when the user is already invited or a member. */
  invite(invitation: InvitationRecord): Promise<boolean>;
  /** The pending invitation, or undefined. */
  invitation(room: string, userId: string): Promise<InvitationRecord | undefined>;
  /**
   * How many pending invitations a user has, a user has given (in every room), or a room has given: what each of
   * the bounds counts (each a bounded range of an index).
   */
  invitationCount(scope: InvitationScope): Promise<number>;
  /** A user's pending invitations, with their rooms, ordered by room id. */
  invitationsOf(userId: string): Promise<Array<{ room: RoomRecord; invitation: InvitationRecord }>>;
  /** A page of a room's pending invitations, ordered by the invited user's id (what its inviters list to withdraw). */
  invitationsTo(room: string, page: PageRequest<string>): Promise<InvitationRecord[]>;
  /**
   * A page of the pending invitations a user gave, in every room, ordered by room id, then invited user id (what
   * they list to withdraw, also in rooms they have left).
   */
  invitationsBy(inviter: string, page: PageRequest<InvitationCursor>): Promise<InvitationRecord[]>;
  /** Removes a pending invitation (declined or withdrawn); false when there was none. */
  removeInvitation(room: string, userId: string): Promise<boolean>;
  /**
   * Removes the invitations given before `before` (expired) to a room, by an inviter, or to a user: the one scope
   * a bound is about to refuse in (each is a bounded range of an index). Returns how many went.
   */
  removeExpiredInvitations(before: number, scope: InvitationScope): Promise<number>;

  /**
   * Bans a user (or changes the reason and end of their ban): removes their membership and invitation in the same
   * step. Says whether they were a member.
   */
  ban(ban: BanRecord): Promise<{ wasMember: boolean }>;
  /** The user's ban from the room if it is in force at `now` (an expired ban is no ban). */
  activeBan(room: string, userId: string, now: number): Promise<BanRecord | undefined>;
  /** Lifts a ban: the ban lifted (expired or not), or undefined when there was none. */
  unban(room: string, userId: string): Promise<BanRecord | undefined>;
  /** A page of the room's bans in force at `now`, ordered by user id (what its moderators list to lift them). */
  bans(room: string, now: number, page: PageRequest<string>): Promise<BanRecord[]>;
}
