import type { Role } from '../../client/wire/domain.js';
import { lastOf } from '../../client/wire/last-message.js';
import {
  type BanSummary,
  defaultNotificationLevel,
  type FollowedThread,
  type FollowedThreadCounts,
  type InvitationSummary,
  type InviteLinkSummary,
  type MemberSummary,
  type NotificationLevel,
  type PinSummary,
  type PublicRoomsCursor,
  type RemovalReason,
  type RoomInvitationSummary,
  type RoomSummary,
  type SavedSummary,
  type SentInvitationSummary,
  type SentInvitationsCursor,
  type WebhookSummary,
} from '../../client/wire/rooms.js';
import { checkedDisplayName, displayNameRule, hasUnsafeNameCharacters } from '../auth/display-name.js';
import { type RoomRules, roomAllowed } from '../auth/identity.js';
import { type Config, invitationTtlOf, scheduleMaxAheadOf } from '../config/config.js';
import type { ChatMessage, MemberEvent, SystemEvent, UserInfo, UserNotice } from '../engine/types.js';
import type { FailureReporter } from '../hub/failures.js';
import type { RoomLog } from '../log/room-log.js';
import { type ErrorCode, ReplyError } from '../protocol/error-codes.js';
import { checkRoomName } from '../protocol/rules.js';
import { checkLaterTime } from '../schedule/later-time.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { keysetPage } from './keyset-page.js';
import type { MembershipCache } from './membership-cache.js';
import {
  type Actor,
  decide,
  invitationLive,
  isMuted,
  RANK,
  type RoomAction,
  type Target,
} from './permissions.js';
import { PinBoard } from './pin-board.js';
import {
  type BanRecord,
  directKeyOf,
  type InvitationRecord,
  type InvitationScope,
  type MemberRecord,
  type RoomDirectory,
  type RoomPatch,
  type RoomRecord,
} from './room-directory.js';
import { type InviteLinkOptions, RoomInviteLinks } from './room-invite-links.js';
import { RoomWebhooks, webhookPath, webhookSender } from './room-webhooks.js';
import { SavedMessages } from './saved-messages.js';
import { ThreadFollows } from './thread-follows.js';

/** Read markers an instance holds and has not stored yet (see ReadMarkers.unstored). */
export interface UnstoredMarkers {
  unstored(userId: string, room: string): number | undefined;
}

/** Who acts: the user of a connection, or the server API acting as a server admin. */
export interface Caller {
  user: UserInfo;
  /** Server-wide admin (a token claim, or the server API): may moderate any room. */
  admin: boolean;
  /**
   * The rooms the caller's token lets them open (its `rooms` claim); absent: any. The caller cannot create, accept
   * or start a room outside them: it would be theirs without their being able to open it.
   */
  rooms?: RoomRules;
}

/** Refuses a room the caller's token does not let them open (`forbidden`). */
function checkAllowed(caller: Caller, room: string): void {
  if (!roomAllowed(caller.rooms, room))
    throw new ReplyError('forbidden', `your token does not allow room '${room}'`);
}

/** Each member of a union without its `kind` (a plain `Omit` would merge the members into one). */
type WithoutKind<E> = E extends unknown ? Omit<E, 'kind'> : never;

/** An unlogged membership change, as announced on the room's channel (see {@link MemberEvent}). */
export type MemberChange = WithoutKind<MemberEvent>;

/** What the room service is built from. */
export interface RoomServiceDeps {
  directory: RoomDirectory;
  cache: MembershipCache;
  log: RoomLog;
  config: Config;
  clock: Clock;
  ids: IdGenerator;
  /** Sends a notice to every connection of the user, on every instance. */
  notify(userId: string, notice: UserNotice): Promise<void>;
  /** Announces an unlogged membership change on the room's channel (see {@link MemberChange}). */
  announce(change: MemberChange): Promise<void>;
  /** Reports a failure of work done after the fact (who follows a thread a reply was stored in). */
  report: FailureReporter;
}

/** People in a group direct room, the creator included. */
export const MAX_DIRECT_PEOPLE = 8;

/**
 * The server as the author of what it does by itself (a new owner when the last one went) and of what the server
 * API does and publishes without naming a sender.
 */
export const SYSTEM_USER: UserInfo = { id: 'system', name: 'System' };

/** The start of every direct room's id (see {@link isDirectId}). */
const DIRECT_PREFIX = 'dm-';

const refuse = (code: ErrorCode): never => {
  throw new ReplyError(code);
};

/** A readable notice of a system event, for clients that do not know its type. */
function noticeText(actor: UserInfo, event: SystemEvent): string {
  const who = event.user?.name || event.user?.id || '';
  const by = actor.name || actor.id;
  switch (event.type) {
    case 'created':
      return `${by} created the room`;
    case 'joined':
      return `${who} joined`;
    case 'left':
      return `${who} left`;
    case 'added':
      return `${by} added ${who}`;
    case 'kicked':
      return `${by} removed ${who}${event.reason ? `: ${event.reason}` : ''}`;
    case 'banned':
      return `${by} banned ${who}${event.reason ? `: ${event.reason}` : ''}`;
    case 'unbanned':
      return `${by} lifted the ban of ${who}`;
    case 'muted':
      return `${by} muted ${who}`;
    case 'unmuted':
      return `${by} unmuted ${who}`;
    case 'role':
      return `${by} made ${who} ${event.role === 'member' ? 'a member' : `an ${event.role}`}`;
    case 'renamed':
      return `${by} renamed the room to ${event.name}`;
    case 'topic':
      return `${by} set the topic: ${event.topic}`;
    case 'archived':
      return `${by} archived the room`;
    case 'unarchived':
      return `${by} unarchived the room`;
    case 'pinned':
      return `${by} pinned a message`;
    case 'unpinned':
      return `${by} unpinned a message`;
    case 'webhook_added':
      return `${by} added the webhook ${event.name}`;
    case 'webhook_removed':
      return `${by} removed the webhook ${event.name}`;
  }
}

/** A readable id made from a room's display name: letters and digits, lower case, dashes between words. */
function slugOf(name: string, maxLength: number): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  // "DM with Bob" must not become a direct room's id (the suffix follows a hyphen: "dm" alone would too).
  const free = slug === 'dm' || isDirectId(slug) ? `room-${slug}` : slug;
  return free.slice(0, Math.max(0, maxLength - 9)).replace(/-+$/, '') || 'room';
}

/**
 * Whether a room id is of the kind direct rooms have. The prefix is theirs alone: a token's `"dm-*"` rule allows
 * starting direct rooms, and must not also allow public rooms or open channels named like them.
 */
export function isDirectId(room: string): boolean {
  return room.startsWith(DIRECT_PREFIX);
}

/**
 * Group chat's operations: rooms created, changed and listed, membership and moderation. Every operation checks
 * permissions with {@link decide} over the standings in the membership cache, writes the directory, then records
 * what happened in the room's log as a system event (so history and resume replay it, and every instance holding
 * the room hears of it and forgets the standings it cached) and tells the users concerned on their own channel.
 * The protocol handlers and the server API both call it; neither decides anything itself.
 */
export class RoomService {
  /** How long a pending invitation lasts (0: until used or withdrawn). */
  private readonly invitationTtlMs: number;

  /** The rooms' pinned messages. */
  private readonly pinBoard: PinBoard;
  /** What each user saved for themselves. */
  private readonly savedMessages: SavedMessages;
  /** The threads each user follows. */
  private readonly follows: ThreadFollows;
  /** The rooms' incoming webhooks. */
  private readonly webhooks: RoomWebhooks;
  /** The rooms' invite links. */
  private readonly links: RoomInviteLinks;

  constructor(private readonly deps: RoomServiceDeps) {
    this.invitationTtlMs = invitationTtlOf(deps.config);
    this.pinBoard = new PinBoard({
      directory: deps.directory,
      log: deps.log,
      clock: deps.clock,
      maxPins: deps.config.maxPinsPerRoom,
    });
    this.savedMessages = new SavedMessages({
      directory: deps.directory,
      log: deps.log,
      clock: deps.clock,
      maxSaved: deps.config.maxSavedPerUser,
    });
    this.follows = new ThreadFollows({
      directory: deps.directory,
      log: deps.log,
      clock: deps.clock,
      maxFollowed: deps.config.maxFollowedThreadsPerUser,
      isMember: async (room, userId) => (await deps.cache.actor(room, userId, false)).member !== undefined,
      notify: (userId, notice) => deps.notify(userId, notice),
    });
    this.webhooks = new RoomWebhooks({
      directory: deps.directory,
      clock: deps.clock,
      ids: deps.ids,
      maxPerRoom: deps.config.maxWebhooksPerRoom,
    });
    this.links = new RoomInviteLinks({
      directory: deps.directory,
      clock: deps.clock,
      ids: deps.ids,
      maxPerRoom: deps.config.maxInviteLinksPerRoom,
    });
  }

  /** The caller's standing in the room, as the permission checks see it. */
  private async actorIn(caller: Caller, room: string): Promise<Actor & { room?: RoomRecord }> {
    return this.deps.cache.actor(room, caller.user.id, caller.admin);
  }

  /** The room, or `no_room`. */
  private async existing(caller: Caller, room: string): Promise<Actor & { room: RoomRecord }> {
    const actor = await this.actorIn(caller, room);
    if (!actor.room) throw new ReplyError('no_room', `no room '${room}'`);
    return actor as Actor & { room: RoomRecord };
  }

  private async target(room: string, userId: string, role?: Role): Promise<Target> {
    const standing = await this.deps.cache.actor(room, userId, false);
    const target: Target = { userId, banned: standing.banned };
    if (standing.member) target.member = standing.member;
    if (role) target.role = role;
    return target;
  }

  private check(action: RoomAction, actor: Actor & { room: RoomRecord }, target?: Target): void {
    const decision = decide(action, actor.room, actor, this.deps.clock.now(), target);
    if (!decision.ok) throw new ReplyError(decision.code, decision.why);
  }

  /** Records a system event in the room's log (delivered to members like a message). */
  private async record(room: string, actor: UserInfo, event: SystemEvent): Promise<void> {
    const { ids, clock, log } = this.deps;
    await log.append({
      room,
      id: ids.messageId(),
      from: actor,
      text: noticeText(actor, event),
      ts: clock.now(),
      cid: `sys:${ids.messageId()}`,
      event,
    });
  }

  /** A user as a system event names them: their name when known. */
  private async userInfo(room: string, userId: string, known?: MemberRecord): Promise<UserInfo> {
    const member = known ?? (await this.deps.directory.member(room, userId));
    return { id: userId, name: member?.name ?? userId };
  }

  private async checkRoomLimit(userId: string, who = 'a user'): Promise<void> {
    const max = this.deps.config.maxRoomsPerUser;
    if ((await this.deps.directory.roomCount(userId)) >= max) {
      throw new ReplyError('room_limit', `${who} may belong to at most ${max} rooms`);
    }
  }

  private checkTitle(name: string): string {
    const title = name.trim();
    const max = this.deps.config.maxRoomTitleLength;
    // A room's name is shown in lists as a user's is: the display-name rule keeps it from reading as another.
    if (title.length === 0 || title.length > max || hasUnsafeNameCharacters(title)) {
      throw new ReplyError(
        'bad_request',
        `a room's name must be 1-${max} characters, without control or bidirectional formatting characters`,
      );
    }
    return title;
  }

  private checkTopic(topic: string, what = 'topic'): string {
    const max = this.deps.config.maxTopicLength;
    if (topic.length > max) throw new ReplyError('bad_request', `${what} must be at most ${max} characters`);
    return topic.trim();
  }

  /**
   * `join` of a room by a connection: a member enters; a public room (or a private one the user is invited to)
   * makes them a member first. A name that is no room is an open channel, as every room was before rooms were
   * stored: anyone may join it and nothing is kept of who did (so a client joining a million names costs nothing
   * once it left them). `create_room` with that id makes it a room.
   * @param resuming a `join` with `since`: it re-enters a room the user belongs to, and never makes them a member
   *   again. Without this, a client whose user left the room on another device, or was kicked, while it was away
   *   would undo that by reconnecting (the SDK resumes its rooms by itself).
   * @returns whether the user just became a member
   */
  async enter(caller: Caller, room: string, resuming = false): Promise<boolean> {
    const actor = await this.actorIn(caller, room);
    if (!actor.room) {
      // Direct rooms are made by `direct` only: such a name that is no room is not an open channel either.
      if (isDirectId(room)) throw new ReplyError('no_room', `no room '${room}'`);
      return false;
    }
    if (actor.member) {
      this.check('read', actor as Actor & { room: RoomRecord });
      return false;
    }
    if (resuming) {
      if (actor.banned && !caller.admin) throw new ReplyError('banned', 'banned from this room');
      throw new ReplyError(
        'not_member',
        'no longer a member of this room: join it without since to join again',
      );
    }
    this.check('join', actor as Actor & { room: RoomRecord });
    await this.checkRoomLimit(caller.user.id);
    try {
      await this.join(caller, actor.room, actor.invited);
    } catch (error) {
      // Another connection of the user (another device, on this instance or another) made them a member at the
      // same moment: this one enters as a member would.
      if (error instanceof ReplyError && error.code === 'already_member') return false;
      throw error;
    }
    return true;
  }

  /**
   * Makes a user a member (invited by `invitedBy`, if anyone), records it (`event`: logged; without: the room's
   * own rule for joins) and tells the user's devices.
   * @returns the room as the user now sees it, or undefined when they were a member already
   */
  private async admit(
    record: RoomRecord,
    user: UserInfo,
    role: Role,
    options: { invitedBy?: string; by?: UserInfo; event?: SystemEvent } = {},
  ): Promise<RoomSummary | undefined> {
    const { directory, clock, cache } = this.deps;
    const member: MemberRecord = {
      room: record.id,
      userId: user.id,
      name: user.name,
      role,
      joinedAt: clock.now(),
    };
    if (options.invitedBy !== undefined) member.invitedBy = options.invitedBy;
    if (!(await directory.addMember(member))) return undefined;
    cache.invalidate(record.id, user.id);
    if (options.event) await this.record(record.id, options.by ?? user, options.event);
    else await this.announceJoin(record, user);
    const summary = this.summary((await directory.get(record.id)) ?? record, member);
    await this.deps.notify(user.id, { type: 'room_added', room: summary });
    return summary;
  }

  /** Adds the caller as a member by their own doing (a public room, or an invitation they hold). */
  private async join(caller: Caller, record: RoomRecord, invited: boolean): Promise<RoomSummary> {
    const invitation = invited ? await this.deps.directory.invitation(record.id, caller.user.id) : undefined;
    const invitedBy = invitation ? { invitedBy: invitation.invitedBy } : {};
    const summary = await this.admit(record, caller.user, 'member', invitedBy);
    if (!summary) throw new ReplyError('already_member');
    if (invitation) await this.deps.notify(caller.user.id, { type: 'invitation_removed', room: record.id });
    return summary;
  }

  private async announceJoin(record: RoomRecord, user: UserInfo): Promise<void> {
    if (record.announceJoins) await this.record(record.id, user, { type: 'joined', user });
    else await this.deps.announce({ room: record.id, user: user.id, change: 'joined' });
  }

  /**
   * Checks that the caller may send to the room (a member, not muted, not banned, room not archived).
   * @returns true for a stored room (the caller is a member), false for an open channel (nobody belongs to it)
   */
  async checkSend(caller: Caller, room: string): Promise<boolean> {
    const actor = await this.actorIn(caller, room);
    // An open channel (see enter): anyone who joined it may send.
    if (!actor.room) return false;
    this.check('send', actor as Actor & { room: RoomRecord });
    return true;
  }

  /**
   * Checks that the caller may mention everyone in the room (`mentionsRoom`), once `send` was allowed: in a room of
   * members (an open channel has none to count it), any member while the room has at most `roomMentionMaxMembers`
   * members; above that, its admins and owners (and server admins): a mention of thousands is theirs to make.
   */
  async checkRoomMention(caller: Caller, room: string): Promise<void> {
    const actor = await this.actorIn(caller, room);
    if (!actor.room)
      throw new ReplyError('bad_request', 'mentionsRoom: an open channel has no members to mention');
    const moderator =
      actor.serverAdmin || (actor.member !== undefined && RANK[actor.member.role] >= RANK.admin);
    if (moderator) return;
    // The count as stored now (a cached standing keeps the room as it was when cached): one read per such mention.
    const members = (await this.deps.directory.get(room))?.memberCount ?? 0;
    if (members > this.deps.config.roomMentionMaxMembers) {
      throw new ReplyError(
        'forbidden',
        `only the room's admins and owners may mention all of its ${members} members`,
      );
    }
  }

  /**
   * Checks that the caller may edit or react to (`send`) or delete messages in the room; for a delete, says whether
   * they may delete anyone's (a moderator) or only their own. In an open channel, whoever joined it may act on
   * their own messages, and a server admin on anyone's.
   */
  async checkAct(caller: Caller, room: string, kind: 'send' | 'delete'): Promise<{ moderator: boolean }> {
    const actor = await this.actorIn(caller, room);
    if (!actor.room) return { moderator: caller.admin };
    const judged = actor as Actor & { room: RoomRecord };
    if (kind === 'send') {
      this.check('send', judged);
      return { moderator: false };
    }
    const now = this.deps.clock.now();
    if (decide('delete-any', judged.room, judged, now).ok) return { moderator: true };
    this.check('delete-own', judged);
    return { moderator: false };
  }

  /** Whether the user shares read receipts, after setting it when `on` is given. */
  async receipts(userId: string, on?: boolean): Promise<boolean> {
    const { directory } = this.deps;
    if (on !== undefined) await directory.setReceipts(userId, on);
    return !(await directory.receiptsOff([userId])).has(userId);
  }

  /** Creates a room whose owner is the caller. */
  async create(
    caller: Caller,
    input: { name: string; kind?: 'public' | 'private'; topic?: string; id?: string },
  ): Promise<RoomSummary> {
    const { config, directory, clock, ids } = this.deps;
    const name = this.checkTitle(input.name);
    const topic = this.checkTopic(input.topic ?? '');
    await this.checkRoomLimit(caller.user.id);
    const id = input.id !== undefined ? checkRoomName(input.id, config) : undefined;
    if (id !== undefined && isDirectId(id)) {
      throw new ReplyError('invalid_room', `ids starting with ${DIRECT_PREFIX} are direct rooms'`);
    }
    for (let attempt = 0; ; attempt += 1) {
      const roomId =
        id ??
        `${slugOf(name, config.maxRoomNameLength)}-${ids
          .epoch()
          .toLowerCase()
          .replace(/[^a-z0-9]/g, '0')}`;
      checkAllowed(caller, roomId);
      const createdAt = clock.now();
      const { room, created } = await directory.create({
        id: roomId,
        kind: input.kind ?? 'public',
        name,
        topic,
        createdBy: caller.user.id,
        createdAt,
        members: [{ userId: caller.user.id, role: 'owner', name: caller.user.name }],
      });
      if (created) {
        this.deps.cache.invalidate(room.id);
        await this.record(room.id, caller.user, { type: 'created', name });
        const owner = { room: room.id, userId: caller.user.id, role: 'owner' as const, joinedAt: createdAt };
        const summary = this.summary(room, owner);
        await this.deps.notify(caller.user.id, { type: 'room_added', room: summary });
        return summary;
      }
      if (id !== undefined) throw new ReplyError('room_exists', `a room '${id}' exists`);
      if (attempt >= 3) throw new ReplyError('internal', 'could not find a free room id');
    }
  }

  /** Renames, sets the topic, (un)archives, or changes whether joins are announced. */
  async update(
    caller: Caller,
    room: string,
    change: { name?: string; topic?: string; archived?: boolean; announceJoins?: boolean },
  ): Promise<RoomSummary> {
    const actor = await this.existing(caller, room);
    const patch: RoomPatch = {};
    const events: SystemEvent[] = [];
    const now = this.deps.clock.now();
    if (change.archived === false && actor.room.archivedAt !== undefined) {
      this.check('unarchive', actor);
      patch.archivedAt = null;
      events.push({ type: 'unarchived' });
    }
    const editing =
      change.name !== undefined || change.topic !== undefined || change.announceJoins !== undefined;
    // Unarchiving and editing in one command: the edit is judged on the room as it will be.
    const judged =
      patch.archivedAt === null ? { ...actor, room: { ...actor.room, archivedAt: undefined } } : actor;
    if (editing) this.check('edit-room', judged as Actor & { room: RoomRecord });
    if (change.name !== undefined) {
      patch.name = this.checkTitle(change.name);
      if (patch.name !== actor.room.name) events.push({ type: 'renamed', name: patch.name });
    }
    if (change.topic !== undefined) {
      patch.topic = this.checkTopic(change.topic);
      if (patch.topic !== actor.room.topic) events.push({ type: 'topic', topic: patch.topic });
    }
    if (change.announceJoins !== undefined) patch.announceJoins = change.announceJoins;
    if (change.archived === true && actor.room.archivedAt === undefined) {
      this.check('archive', judged as Actor & { room: RoomRecord });
      patch.archivedAt = now;
      events.push({ type: 'archived' });
    }
    const updated = (await this.deps.directory.update(room, patch)) ?? refuse('no_room');
    this.deps.cache.invalidate(room);
    for (const event of events) await this.record(room, caller.user, event);
    // A change without a system event (only announceJoins) still reaches the instances caching the room.
    if (events.length === 0 && updated.announceJoins !== actor.room.announceJoins) {
      await this.deps.announce({ room, change: 'settings' });
    }
    return this.summary(updated, actor.member);
  }

  /** Invites a user: they see the invitation on every device and may accept or decline it. */
  async invite(caller: Caller, room: string, userId: string): Promise<void> {
    const actor = await this.existing(caller, room);
    const target = await this.target(room, userId);
    if (target.member) throw new ReplyError('already_member', `${userId} is a member already`);
    this.check('invite', actor, target);
    const { directory } = this.deps;
    const pending = await directory.invitation(room, userId);
    // Invited already: nothing changes. An expired invitation is none: it goes, and the new one is counted afresh.
    if (pending && this.live(pending)) return;
    if (pending) await directory.removeInvitation(room, userId);
    await this.checkInvitationLimits(caller, room, userId);
    const invitedAt = this.deps.clock.now();
    // False when an invitation of the same user was given meanwhile (or they joined): nothing more to tell.
    const fresh = await directory.invite({ room, userId, invitedBy: caller.user.id, invitedAt });
    if (!fresh) return;
    this.deps.cache.invalidate(room, userId);
    // No system event: the other instances holding the room learn of it here (they may have cached "not invited").
    await this.deps.announce({ room, user: userId, change: 'invitation' });
    await this.deps.notify(userId, {
      type: 'invited',
      invitation: {
        room: this.summary(actor.room, undefined),
        invitedBy: caller.user.id,
        invitedAt,
        ...this.expiry(invitedAt),
      },
    });
  }

  /**
   * The three bounds of pending invitations, checked before the write (invitations given at the same moment on
   * several instances may pass them by as many). Per invited user: the room list carries every pending invitation,
   * so without it anyone could grow anyone's list. Per room and per inviter: any user id can be invited (Parley has
   * no directory of users to check it against), so without them one member could store invitations of made-up ids
   * at the command rate for good; the room's bound keeps its list for its moderators short, the inviter's keeps one
   * user from filling every room they are in (and a room's bound from being filled by one person).
   */
  private async checkInvitationLimits(caller: Caller, room: string, userId: string): Promise<void> {
    const { directory, config } = this.deps;
    const bounds: Array<{ scope: InvitationScope; max: number; refusal: string }> = [
      {
        scope: { user: userId },
        max: config.maxInvitationsPerUser,
        refusal: `${userId} has ${config.maxInvitationsPerUser} pending invitations`,
      },
      {
        scope: { inviter: caller.user.id },
        // Server admins (a token claim: trusted, like the server API) bring whole teams in.
        max: caller.admin ? Number.POSITIVE_INFINITY : config.maxInvitationsPerInviter,
        refusal: `you have given ${config.maxInvitationsPerInviter} pending invitations: withdraw some first`,
      },
      {
        scope: { room },
        max: config.maxInvitationsPerRoom,
        refusal: `this room has ${config.maxInvitationsPerRoom} pending invitations: withdraw some first`,
      },
    ];
    const counts = await Promise.all(bounds.map(({ scope }) => directory.invitationCount(scope)));
    for (const [i, { scope, max, refusal }] of bounds.entries()) {
      const count = counts[i] as number;
      // Expired invitations are counted until they are removed, which is done where a bound is about to refuse.
      if (count >= max && count - (await this.removeExpired(scope)) >= max) {
        throw new ReplyError('invitation_limit', refusal);
      }
    }
  }

  /** Whether a pending invitation is still in force (`--invitation-ttl-days`). */
  private live(invitation: InvitationRecord): boolean {
    return invitationLive(invitation.invitedAt, this.deps.clock.now(), this.invitationTtlMs);
  }

  /** When an invitation given at `invitedAt` expires, as its summaries say it (nothing when they do not expire). */
  private expiry(invitedAt: number): { expiresAt?: number } {
    return this.invitationTtlMs > 0 ? { expiresAt: invitedAt + this.invitationTtlMs } : {};
  }

  /** Removes the expired invitations of a scope; how many went (none when invitations do not expire). */
  private async removeExpired(scope: InvitationScope): Promise<number> {
    if (this.invitationTtlMs <= 0) return 0;
    return this.deps.directory.removeExpiredInvitations(this.deps.clock.now() - this.invitationTtlMs, scope);
  }

  /** Withdraws a pending invitation: it leaves the invited user's room list on every device. */
  async uninvite(caller: Caller, room: string, userId: string): Promise<void> {
    const { directory } = this.deps;
    const actor = await this.existing(caller, room);
    const stored = await directory.invitation(room, userId);
    const invitation = stored && this.live(stored) ? stored : undefined;
    // Who is invited is for those who may list the room's invitations: anyone else, but for their own, gets the
    // refusal of listing, the same whether there is an invitation or not.
    if (invitation?.invitedBy !== caller.user.id) this.check('list-invitations', actor);
    if (!invitation) throw new ReplyError('not_invited', `${userId} has no invitation to this room`);
    this.check('uninvite', actor, { userId, invitedBy: invitation.invitedBy });
    // Withdrawn already (by another moderator, or declined meanwhile): the same answer as finding none.
    if (!(await directory.removeInvitation(room, userId))) {
      throw new ReplyError('not_invited', `${userId} has no invitation to this room`);
    }
    this.deps.cache.invalidate(room, userId);
    await this.deps.announce({ room, user: userId, change: 'invitation' });
    await this.deps.notify(userId, { type: 'invitation_removed', room });
  }

  /** A page of a room's pending invitations, by invited user id, for those who may invite to it. */
  async invitations(
    caller: Caller,
    room: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ invitations: RoomInvitationSummary[]; next?: string }> {
    const actor = await this.existing(caller, room);
    this.check('list-invitations', actor);
    const { items, next } = await keysetPage(
      after,
      limit,
      (page) => this.deps.directory.invitationsTo(room, page),
      (invitation) => invitation,
      (invitation) => invitation.userId,
    );
    // Expired ones are left out (a page may then be short; `next` goes on from the last one read).
    const invitations = items
      .filter((invitation) => this.live(invitation))
      .map(({ userId, invitedBy, invitedAt }) => ({
        user: userId,
        invitedBy,
        invitedAt,
        ...this.expiry(invitedAt),
      }));
    return next === undefined ? { invitations } : { invitations, next };
  }

  /**
   * A page of the pending invitations the caller gave, in every room (also those they have left, where they may
   * still withdraw them), by room id then invited user id. Their own, so nothing to check; no room's name, which
   * the caller may no longer be allowed to read.
   */
  async sentInvitations(
    caller: Caller,
    after: SentInvitationsCursor | undefined,
    limit: number,
  ): Promise<{ invitations: SentInvitationSummary[]; next?: SentInvitationsCursor }> {
    const { items, next } = await keysetPage(
      after,
      limit,
      (page) => this.deps.directory.invitationsBy(caller.user.id, page),
      (invitation) => invitation,
      (invitation) => ({ room: invitation.room, user: invitation.userId }),
    );
    // As in a room's page, expired ones are left out (a page may then be short and still have a `next`).
    const invitations = items
      .filter((invitation) => this.live(invitation))
      .map(({ room, userId, invitedAt }) => ({ room, user: userId, invitedAt, ...this.expiry(invitedAt) }));
    return next === undefined ? { invitations } : { invitations, next };
  }

  /**
   * Adds a user to a room with a role, by a server admin (the server API): no invitation needed, announced as
   * `added`. False when they were a member already.
   */
  async add(caller: Caller, room: string, user: UserInfo, role: Role = 'member'): Promise<boolean> {
    if (!caller.admin) throw new ReplyError('forbidden', 'only a server admin adds members directly');
    const actor = await this.existing(caller, room);
    if (actor.room.kind === 'direct') throw new ReplyError('direct_room');
    const target = await this.target(room, user.id);
    if (target.banned) throw new ReplyError('banned', `${user.id} is banned from this room`);
    if (target.member) return false;
    await this.checkRoomLimit(user.id);
    const added = await this.admit(actor.room, user, role, {
      invitedBy: caller.user.id,
      by: caller.user,
      event: { type: 'added', user },
    });
    return added !== undefined;
  }

  /** A room as it is now, or `no_room`. */
  async get(room: string): Promise<RoomSummary> {
    const record = await this.deps.directory.get(room);
    if (!record) throw new ReplyError('no_room', `no room '${room}'`);
    return record.kind === 'direct'
      ? this.summaryWithMembers(record, undefined)
      : this.summary(record, undefined);
  }

  /** Accepts an invitation. */
  async accept(caller: Caller, room: string): Promise<RoomSummary> {
    const actor = await this.existing(caller, room);
    if (actor.member) throw new ReplyError('already_member');
    if (!actor.invited && !actor.banned) throw new ReplyError('not_invited', 'no invitation to this room');
    this.check('join', actor);
    checkAllowed(caller, room);
    await this.checkRoomLimit(caller.user.id);
    return this.join(caller, actor.room, true);
  }

  /** Declines an invitation. */
  async decline(caller: Caller, room: string): Promise<void> {
    if (!(await this.deps.directory.removeInvitation(room, caller.user.id))) {
      throw new ReplyError('not_invited', 'no invitation to this room');
    }
    this.deps.cache.invalidate(room, caller.user.id);
    await this.deps.announce({ room, user: caller.user.id, change: 'invitation' });
    await this.deps.notify(caller.user.id, { type: 'invitation_removed', room });
  }

  /**
   * Sets what the caller wants to be notified of in a room (a member, in any room, archived ones too), and tells
   * every device of theirs that listed its rooms. The room kind's default is stored as no choice, so that a changed
   * default reaches those who never chose. The cached standing carries the level (summaries are made from it), so
   * every instance holding the room forgets it.
   */
  async setNotifications(caller: Caller, room: string, level: NotificationLevel): Promise<void> {
    const actor = await this.existing(caller, room);
    this.check('own-settings', actor);
    const stored = level === defaultNotificationLevel(actor.room.kind) ? undefined : level;
    await this.ownSetting(caller, room, (directory) =>
      directory.setNotifications(room, caller.user.id, stored),
    );
    await this.deps.notify(caller.user.id, { type: 'notifications', room, level });
  }

  /**
   * Makes a room one of the caller's favorites, or no longer (a member, in any room, archived ones too), and tells
   * every device of theirs that listed its rooms. Like the notification level, the cached standing carries it.
   */
  async setFavorite(caller: Caller, room: string, favorite: boolean): Promise<void> {
    this.check('own-settings', await this.existing(caller, room));
    await this.ownSetting(caller, room, (directory) => directory.setFavorite(room, caller.user.id, favorite));
    await this.deps.notify(caller.user.id, { type: 'favorite', room, favorite });
  }

  /**
   * Hides a room from the caller's room list until something newer than its newest message is posted in it (a
   * direct room cannot be left, and a conversation that is over would stay listed for good), or shows it again;
   * told to every device of theirs that listed its rooms.
   */
  async hide(caller: Caller, room: string, hidden: boolean): Promise<void> {
    this.check('own-settings', await this.existing(caller, room));
    await this.storeHidden(caller, room, hidden);
  }

  /** Stores and tells `hide` for a member whose standing was checked. */
  private async storeHidden(caller: Caller, room: string, hidden: boolean): Promise<void> {
    const at = hidden ? (await this.deps.log.position(room)).offset : undefined;
    await this.ownSetting(caller, room, (directory) => directory.setHidden(room, caller.user.id, at));
    await this.deps.notify(caller.user.id, { type: 'hide', room, hidden });
  }

  /**
   * Stores one of the caller's own settings of a room (`not_member` when the membership is gone), then has every
   * instance that holds the room forget the caller's cached standing, which carries these settings.
   */
  private async ownSetting(
    caller: Caller,
    room: string,
    store: (directory: RoomDirectory) => Promise<boolean>,
  ): Promise<void> {
    if (!(await store(this.deps.directory))) throw new ReplyError('not_member');
    this.deps.cache.invalidate(room, caller.user.id);
    await this.deps.announce({ room, user: caller.user.id, change: 'standing' });
  }

  /**
   * Pins a chat message of the room for everyone in it (pinning is sending: a member not muted, the room not
   * archived; and a server admin's, in any room), logged as a `pinned` event; nothing changes when it is pinned
   * already.
   */
  async pin(caller: Caller, room: string, offset: number): Promise<void> {
    this.check('pin', await this.existing(caller, room));
    if (await this.pinBoard.pin(room, offset, caller.user)) {
      await this.record(room, caller.user, { type: 'pinned', target: offset });
    }
  }

  /** Unpins a message (the same rule as pinning), logged as an `unpinned` event; nothing changes when it was not. */
  async unpin(caller: Caller, room: string, offset: number): Promise<void> {
    this.check('pin', await this.existing(caller, room));
    if (await this.pinBoard.unpin(room, offset)) {
      await this.record(room, caller.user, { type: 'unpinned', target: offset });
    }
  }

  /**
   * A room's pinned messages from the `skip`th on, for those who may read it: the most recently pinned first, as many
   * as fit in `budget` bytes (`next`: the `skip` of the rest).
   */
  async pins(
    caller: Caller,
    room: string,
    skip: number,
    budget: number,
    onRead?: (messages: number) => void,
  ): Promise<{ pins: PinSummary[]; next?: number }> {
    this.check('read', await this.existing(caller, room));
    return this.pinBoard.list(room, skip, budget, onRead);
  }

  /**
   * Makes an invite link to the room, for those who may invite to it (any member of a public room; a private room's
   * admins and owners; not a direct or archived room): whoever has its code becomes a member with `join_link`.
   */
  async createInviteLink(
    caller: Caller,
    room: string,
    options: InviteLinkOptions,
  ): Promise<InviteLinkSummary> {
    this.check('invite', await this.existing(caller, room));
    return this.links.add(room, caller.user, options);
  }

  /** The room's invite links, oldest first, for those who may invite to it (archived rooms too). */
  async inviteLinks(caller: Caller, room: string): Promise<InviteLinkSummary[]> {
    this.check('list-invitations', await this.existing(caller, room));
    return this.links.list(room);
  }

  /** Revokes an invite link: who made it (member or not), or the room's admins and owners. */
  async revokeInviteLink(caller: Caller, room: string, code: string): Promise<void> {
    const actor = await this.existing(caller, room);
    const link = await this.deps.directory.inviteLink(code);
    const ours = link?.room === room ? link : undefined;
    // The rule first: someone who may not revoke it learns nothing of whether a code is a link.
    this.check('uninvite', actor, { userId: '', invitedBy: ours?.createdBy.id ?? '' });
    if (!ours) throw new ReplyError('no_invite_link', `no invite link '${code}' to this room`);
    await this.links.remove(room, code);
  }

  /**
   * What an invite link lets into, for a confirmation before joining with it: the room as public lists show it, who
   * made the link and when it ends; nothing changes and no use is counted. Refused as {@link joinByLink} would
   * refuse the join (`no_invite_link`, `banned`, `archived`, a room the token does not allow); a member already
   * is told so (then joining only opens the room).
   */
  async previewLink(
    caller: Caller,
    code: string,
  ): Promise<{ room: RoomSummary; invitedBy: UserInfo; expiresAt?: number; member: boolean }> {
    const link = await this.links.find(code);
    const actor = await this.existing(caller, link.room);
    const member = actor.member !== undefined;
    if (!member) {
      this.links.checkLets(link);
      if (actor.banned && !caller.admin) throw new ReplyError('banned');
      if (actor.room.archivedAt !== undefined) throw new ReplyError('archived');
      checkAllowed(caller, link.room);
    }
    return {
      room: this.summary(actor.room, undefined),
      invitedBy: link.createdBy,
      ...(link.expiresAt !== undefined ? { expiresAt: link.expiresAt } : {}),
      member,
    };
  }

  /**
   * Joins the room of an invite link: the caller becomes a member (a use of the link counted), as the link's maker
   * invited them. A member already gets the room as it is (no use counted). Refused as a join is: `banned`,
   * `archived`, a room the token does not allow, `room_limit`; and `no_invite_link` for a code that lets nobody in.
   */
  async joinByLink(caller: Caller, code: string): Promise<RoomSummary> {
    const link = await this.links.find(code);
    const actor = await this.existing(caller, link.room);
    if (actor.member) return this.summary(actor.room, actor.member);
    if (actor.banned && !caller.admin) throw new ReplyError('banned');
    if (actor.room.archivedAt !== undefined) throw new ReplyError('archived');
    checkAllowed(caller, link.room);
    await this.checkRoomLimit(caller.user.id);
    await this.links.use(link);
    const summary = await this.admit(actor.room, caller.user, 'member', { invitedBy: link.createdBy.id });
    if (!summary)
      return this.summary(actor.room, await this.deps.directory.member(link.room, caller.user.id));
    if (actor.invited)
      await this.deps.notify(caller.user.id, { type: 'invitation_removed', room: link.room });
    return summary;
  }

  /**
   * Adds an incoming webhook to the room (its owners and admins, a server admin; not in a direct or archived room),
   * named as its messages' sender under the display-name rule, logged as a `webhook_added` event: the webhook, and
   * its address's path, which holds the secret and is shown this once.
   */
  async createWebhook(
    caller: Caller,
    room: string,
    name: string,
  ): Promise<{ webhook: WebhookSummary; path: string }> {
    this.check('add-webhook', await this.existing(caller, room));
    const max = this.deps.config.maxNameLength;
    const title = checkedDisplayName(name, max);
    if (title === undefined)
      throw new ReplyError('bad_request', `a webhook's name must be ${displayNameRule(max)}`);
    const { webhook, secret } = await this.webhooks.add(room, title, caller.user);
    await this.record(room, caller.user, { type: 'webhook_added', name: webhook.name });
    return { webhook, path: webhookPath(webhook.id, secret) };
  }

  /** The room's incoming webhooks, oldest first, without their secrets (its moderators; archived rooms too). */
  async listWebhooks(caller: Caller, room: string): Promise<WebhookSummary[]> {
    this.check('list-webhooks', await this.existing(caller, room));
    return this.webhooks.list(room);
  }

  /** Removes a webhook of the room (the rule of listing them), logged as a `webhook_removed` event. */
  async deleteWebhook(caller: Caller, room: string, id: string): Promise<void> {
    this.check('list-webhooks', await this.existing(caller, room));
    const removed = await this.webhooks.remove(room, id);
    await this.record(room, caller.user, { type: 'webhook_removed', name: removed.name });
  }

  /**
   * Posts a message through a webhook's address: `no_webhook` unless `id` and `secret` name one, `archived` while
   * its room is. The message is from the webhook (`webhook:<id>`, its name), charged to a rate bucket of its own
   * (`--user-messages-per-sec`, as a user's), delivered like any other.
   */
  async postByWebhook(id: string, secret: string, text: string): Promise<ChatMessage> {
    const hook = await this.webhooks.verify(id, secret);
    const from = webhookSender(hook);
    const { room } = await this.actorIn({ user: from, admin: false }, hook.room);
    if (!room) throw new ReplyError('no_webhook', 'no webhook at this address (its room is gone)');
    if (room.archivedAt !== undefined) throw new ReplyError('archived', 'the room is archived: read-only');
    const { ids, clock, log } = this.deps;
    const { message } = await log.append({
      room: room.id,
      id: ids.messageId(),
      from,
      text,
      ts: clock.now(),
      cid: `hook:${ids.messageId()}`,
      budget: from.id,
    });
    return message;
  }

  /** Saves a message of a room the caller may read, for the caller alone (`saved`); again changes nothing. */
  async save(caller: Caller, room: string, offset: number): Promise<void> {
    this.check('read', await this.existing(caller, room));
    await this.savedMessages.save(caller.user.id, room, offset);
  }

  /**
   * Sets when to remind the caller of a message of a room they may read (saving it first when it is not), or with
   * no `at` takes the reminder off: `at` after now, at most `--schedule-max-ahead-days` ahead.
   */
  async remind(caller: Caller, room: string, offset: number, at: number | undefined): Promise<void> {
    const { clock, config } = this.deps;
    if (at !== undefined) checkLaterTime('at', at, clock.now(), scheduleMaxAheadOf(config));
    this.check('read', await this.existing(caller, room));
    await this.savedMessages.remind(caller.user.id, room, offset, at);
  }

  /**
   * One round of reminders: up to `limit` due now, each come due once (whichever instance asks) and told to every
   * device of its user (`reminder`) with its message as it is now, if they may still read its room. Resolves to how
   * many were told.
   */
  async remindDue(limit: number): Promise<number> {
    let told = 0;
    for (const { saved, message } of await this.savedMessages.dueReminders(this.deps.clock.now(), limit)) {
      if (!(await this.mayRead({ user: { id: saved.userId, name: '' }, admin: false }, saved.room))) continue;
      await this.deps.notify(saved.userId, {
        type: 'reminder',
        room: saved.room,
        offset: saved.offset,
        remindAt: saved.remindAt as number,
        message,
      });
      told += 1;
    }
    return told;
  }

  /** Unsaves a message: the caller's own list, also of a room they may no longer read. */
  async unsave(caller: Caller, room: string, offset: number): Promise<void> {
    await this.savedMessages.unsave(caller.user.id, room, offset);
  }

  /**
   * The caller's saved messages from the `skip`th on, the most recently saved first, as many as fit in `budget`
   * bytes (`next`: the `skip` of the rest); those of rooms they may no longer read are left out (and kept).
   */
  async saved(
    caller: Caller,
    skip: number,
    budget: number,
    onRead?: (messages: number) => void,
  ): Promise<{ saved: SavedSummary[]; next?: number }> {
    return this.savedMessages.list(
      caller.user.id,
      skip,
      budget,
      (room) => this.mayRead(caller, room),
      onRead,
    );
  }

  /**
   * A reply was stored in a thread of a room (`root` as the reply left it): who follows the thread from now on, and
   * every follower told (see ThreadFollows.replied). Nothing for an open channel (no room is kept: no list shows it).
   * A failure is reported, not thrown: the reply is stored, and its sender is answered so.
   */
  async threadReplied(reply: ChatMessage, root: ChatMessage): Promise<void> {
    try {
      if (!(await this.deps.cache.actor(reply.room, reply.from.id, false)).room) return;
      await this.follows.replied(reply, root);
    } catch (error) {
      this.deps.report('follow a thread', error, { room: reply.room, thread: root.offset });
    }
  }

  /** Follows a thread of a room the caller may read, by hand (every device hears of it: `thread_state`). */
  async followThread(caller: Caller, room: string, root: number): Promise<void> {
    this.check('read', await this.existing(caller, room));
    await this.follows.follow(caller.user.id, room, root);
  }

  /** Stops following a thread: the caller's own list, also of a room they may no longer read. */
  async unfollowThread(caller: Caller, room: string, root: number): Promise<void> {
    await this.follows.unfollow(caller.user.id, room, root);
  }

  /** Moves the caller's read marker of a thread they follow forward (nothing when they do not follow it). */
  async readThread(caller: Caller, room: string, root: number, offset: number): Promise<void> {
    await this.follows.read(caller.user.id, room, root, offset);
  }

  /**
   * The caller's followed threads from the `skip`th on, the one with the newest reply first, as many as fit in
   * `budget` bytes (`next`: the `skip` of the rest); those of rooms they may no longer read are left out (and kept).
   */
  async threads(
    caller: Caller,
    skip: number,
    budget: number,
    onRead?: (messages: number) => void,
  ): Promise<{ threads: FollowedThread[]; next?: number }> {
    return this.follows.list(caller.user.id, skip, budget, (room) => this.mayRead(caller, room), onRead);
  }

  /**
   * The counts of the caller's followed threads (no root read), from the `skip`th on, as many as fit in `budget`
   * bytes; those of rooms they may no longer read are left out.
   */
  async threadCounts(
    caller: Caller,
    skip: number,
    budget: number,
  ): Promise<{ threads: FollowedThreadCounts[]; next?: number }> {
    return this.follows.counts(caller.user.id, skip, budget, (room) => this.mayRead(caller, room));
  }

  /** Whether the caller may read a room (its messages, its pins, its threads). */
  private async mayRead(caller: Caller, room: string): Promise<boolean> {
    const actor = await this.actorIn(caller, room);
    return actor.room !== undefined && decide('read', actor.room, actor, this.deps.clock.now()).ok;
  }

  /** A message was deleted: its pin, if it had one, goes with it (the delete's entry is the room's news). */
  async messageDeleted(room: string, offset: number): Promise<void> {
    await this.pinBoard.unpin(room, offset);
  }

  /** Ends the caller's membership. */
  async leave(caller: Caller, room: string): Promise<void> {
    const actor = await this.existing(caller, room);
    this.check('leave', actor);
    const direct = actor.room.kind === 'direct';
    // A group conversation can be left, as in any chat (and nobody can be kept in rooms others made for them); a
    // conversation of two cannot: it would be nobody's.
    if (direct && actor.room.memberCount <= 2) {
      throw new ReplyError('direct_room', 'a direct room of two cannot be left');
    }
    if (!(await this.deps.directory.removeMember(room, caller.user.id))) throw new ReplyError('not_member');
    if (direct) await this.deps.directory.update(room, { directKey: null });
    this.deps.cache.invalidate(room, caller.user.id);
    if (actor.room.announceJoins) await this.record(room, caller.user, { type: 'left', user: caller.user });
    else await this.deps.announce({ room, user: caller.user.id, change: 'left' });
    // Its people changed: every instance forgets the room as it cached it (the count the rule above reads).
    if (direct) await this.deps.announce({ room, change: 'settings' });
    await this.keepAnOwner(actor.room, actor.member);
  }

  /**
   * After an owner left or was removed: when no owner is left, the senior member (the longest-standing admin, else
   * member) becomes one, so that a room never ends up with nobody to invite, moderate or rename it. Direct rooms
   * have no owners.
   */
  private async keepAnOwner(room: RoomRecord, gone: MemberRecord | undefined): Promise<void> {
    if (room.kind === 'direct' || gone?.role !== 'owner') return;
    const next = await this.deps.directory.senior(room.id);
    if (!next || next.role === 'owner') return;
    if (!(await this.deps.directory.setRole(room.id, next.userId, 'owner'))) return;
    this.deps.cache.invalidate(room.id, next.userId);
    const user = await this.userInfo(room.id, next.userId, next);
    await this.record(room.id, SYSTEM_USER, { type: 'role', user, role: 'owner' });
  }

  /**
   * After an owner was demoted (only a server-wide admin can: owners act on lower roles only): when no owner is
   * left, they are made an owner again and the change is refused, so that a room never ends up with nobody to
   * invite, moderate or rename it. Checked after the write, so two admins demoting the last two owners at once
   * cannot both pass.
   */
  private async refuseOwnerless(room: RoomRecord, demoted: string): Promise<void> {
    if (room.kind === 'direct' || (await this.deps.directory.senior(room.id))?.role === 'owner') return;
    await this.deps.directory.setRole(room.id, demoted, 'owner');
    this.deps.cache.invalidate(room.id, demoted);
    // No event is logged for a refused change: other instances that read the role in between forget it this way.
    await this.deps.announce({ room: room.id, change: 'settings' });
    throw new ReplyError('forbidden', "the room's last owner: make another member an owner first");
  }

  /** Removes a member (they may come back: rejoin a public room, or be invited again). */
  async kick(caller: Caller, room: string, userId: string, reason = ''): Promise<void> {
    const actor = await this.existing(caller, room);
    const target = await this.target(room, userId);
    this.check('kick', actor, target);
    const why = this.checkTopic(reason, 'a reason');
    const user = await this.userInfo(room, userId, target.member);
    if (!(await this.deps.directory.removeMember(room, userId))) throw new ReplyError('not_member');
    this.deps.cache.invalidate(room, userId);
    await this.record(room, caller.user, { type: 'kicked', user, ...(why ? { reason: why } : {}) });
    await this.keepAnOwner(actor.room, target.member);
  }

  /** Bans a user (a member or not): out of the room, no rejoining or reading until unbanned or `until`. */
  async ban(caller: Caller, room: string, userId: string, reason = '', until?: number): Promise<void> {
    const actor = await this.existing(caller, room);
    const target = await this.target(room, userId);
    this.check('ban', actor, target);
    const why = this.checkTopic(reason, 'a reason');
    const now = this.deps.clock.now();
    if (until !== undefined && until <= now) throw new ReplyError('bad_request', 'until is in the past');
    const user = await this.userInfo(room, userId, target.member);
    // The name goes with the ban: the member row that holds it goes, and the ban's lifting names the user.
    const ban = { room, userId, reason: why, bannedBy: caller.user.id, bannedAt: now, name: user.name };
    await this.deps.directory.ban(until !== undefined ? { ...ban, expiresAt: until } : ban);
    this.deps.cache.invalidate(room, userId);
    const event: SystemEvent = { type: 'banned', user };
    if (why) event.reason = why;
    if (until !== undefined) event.until = until;
    await this.record(room, caller.user, event);
    await this.deps.notify(userId, { type: 'invitation_removed', room });
    await this.keepAnOwner(actor.room, target.member);
  }

  async unban(caller: Caller, room: string, userId: string): Promise<void> {
    const actor = await this.existing(caller, room);
    this.check('unban', actor, await this.target(room, userId));
    const lifted = await this.deps.directory.unban(room, userId);
    if (!lifted) throw new ReplyError('bad_request', 'not banned');
    this.deps.cache.invalidate(room, userId);
    const user = lifted.name ? { id: userId, name: lifted.name } : await this.userInfo(room, userId);
    await this.record(room, caller.user, { type: 'unbanned', user });
  }

  async mute(caller: Caller, room: string, userId: string, until?: number): Promise<void> {
    const actor = await this.existing(caller, room);
    const target = await this.target(room, userId);
    this.check('mute', actor, target);
    const now = this.deps.clock.now();
    if (until !== undefined && until <= now) throw new ReplyError('bad_request', 'until is in the past');
    await this.deps.directory.setMute(
      room,
      userId,
      until !== undefined ? { at: now, expiresAt: until } : { at: now },
    );
    this.deps.cache.invalidate(room, userId);
    const user = await this.userInfo(room, userId, target.member);
    await this.record(room, caller.user, { type: 'muted', user, ...(until !== undefined ? { until } : {}) });
  }

  async unmute(caller: Caller, room: string, userId: string): Promise<void> {
    const actor = await this.existing(caller, room);
    const target = await this.target(room, userId);
    this.check('mute', actor, target);
    await this.deps.directory.setMute(room, userId, undefined);
    this.deps.cache.invalidate(room, userId);
    await this.record(room, caller.user, {
      type: 'unmuted',
      user: await this.userInfo(room, userId, target.member),
    });
  }

  async setRole(caller: Caller, room: string, userId: string, role: Role): Promise<void> {
    const actor = await this.existing(caller, room);
    const target = await this.target(room, userId, role);
    this.check('set-role', actor, target);
    if (target.member?.role === role) return;
    await this.deps.directory.setRole(room, userId, role);
    this.deps.cache.invalidate(room, userId);
    if (target.member?.role === 'owner') await this.refuseOwnerless(actor.room, userId);
    await this.record(room, caller.user, {
      type: 'role',
      user: await this.userInfo(room, userId, target.member),
      role,
    });
  }

  /**
   * The direct room of the caller and these people: the same room every time for the same people, created on
   * first use with everyone a member (1:1, or a group of up to {@link MAX_DIRECT_PEOPLE}).
   */
  async direct(caller: Caller, others: Array<{ id: string; name?: string }>): Promise<RoomSummary> {
    const { directory, clock, ids } = this.deps;
    const people = new Map<string, string | undefined>([[caller.user.id, caller.user.name]]);
    for (const other of others) if (!people.has(other.id)) people.set(other.id, other.name);
    if (people.size < 2) throw new ReplyError('bad_request', 'a direct room needs someone else');
    if (people.size > MAX_DIRECT_PEOPLE) {
      throw new ReplyError('bad_request', `a direct room has at most ${MAX_DIRECT_PEOPLE} people`);
    }
    const directKey = directKeyOf([...people.keys()]);
    const existing = await directory.direct(directKey);
    if (existing) {
      const member = await directory.member(existing.id, caller.user.id);
      // Asking for the conversation again opens it: hidden from the caller's list, it is shown again (a member:
      // their membership was just read).
      if (member?.hiddenAt !== undefined) {
        await this.storeHidden(caller, existing.id, false);
        delete member.hiddenAt;
      }
      return this.summaryWithMembers(existing, member);
    }
    const id = `${DIRECT_PREFIX}${ids.messageId()}`;
    checkAllowed(caller, id);
    // Everyone in it becomes a member: the limit holds for each (else anyone could grow another's room list).
    for (const userId of people.keys()) {
      await this.checkRoomLimit(userId, userId === caller.user.id ? 'a user' : userId);
    }
    const { room, created } = await directory.create({
      id,
      kind: 'direct',
      name: '',
      createdBy: caller.user.id,
      createdAt: clock.now(),
      directKey,
      members: [...people].map(([userId, name]) => ({
        userId,
        role: 'member' as const,
        ...(name !== undefined ? { name } : {}),
      })),
    });
    this.deps.cache.invalidate(room.id);
    // Everyone in a direct room is a member; the room made just now by another instance was announced there.
    const summary: RoomSummary = {
      ...(await this.summaryWithMembers(room, undefined)),
      role: 'member',
      notifications: defaultNotificationLevel('direct'),
    };
    if (created)
      for (const userId of people.keys())
        await this.deps.notify(userId, { type: 'room_added', room: summary });
    return summary;
  }

  /**
   * The caller's rooms, newest activity first, and their pending invitations.
   * @param beforeOverview called with the rooms' ids before their newest messages are read
   * @param markers the instance's read markers not stored yet (ReadMarkers): where one of the caller's is newer than
   *   the stored one, the list's `readOffset` and counts take it
   */
  async roomList(
    caller: Caller,
    beforeOverview?: (rooms: string[]) => Promise<void>,
    markers?: UnstoredMarkers,
  ): Promise<{ rooms: RoomSummary[]; invitations: InvitationSummary[] }> {
    const { directory, log } = this.deps;
    const [mine, invited] = await Promise.all([
      directory.roomsOf(caller.user.id),
      directory.invitationsOf(caller.user.id),
    ]);
    await beforeOverview?.(mine.map((m) => m.room.id));
    const markerOf = (room: string, stored = 0) =>
      Math.max(stored, markers?.unstored(caller.user.id, room) ?? 0);
    const overview = await log.overview(
      mine.map(({ room, member }) => ({
        user: caller.user.id,
        room: room.id,
        after: markerOf(room.id, member.readOffset),
      })),
    );
    const rooms = await Promise.all(
      mine.map(async ({ room, member }) => {
        const seen = overview.get(room.id);
        const summary =
          room.kind === 'direct' ? await this.summaryWithMembers(room, member) : this.summary(room, member);
        if (seen?.last) {
          summary.last = lastOf(seen.last);
          summary.activity = Math.max(summary.activity, seen.last.ts);
        }
        // Hidden until something newer than the newest message when it was hidden (the preview's rule: no
        // action, no reply only in a thread) is posted.
        if (member.hiddenAt !== undefined && (seen?.last?.offset ?? 0) <= member.hiddenAt)
          summary.hidden = true;
        summary.readOffset = markerOf(room.id, member.readOffset);
        summary.unread = seen?.unread ?? 0;
        summary.mentions = seen?.mentions ?? 0;
        return summary;
      }),
    );
    rooms.sort((a, b) => b.activity - a.activity || (a.id < b.id ? -1 : 1));
    const invitations = invited
      .filter(({ invitation }) => this.live(invitation))
      .map(({ room, invitation }) => ({
        room: this.summary(room, undefined),
        invitedBy: invitation.invitedBy,
        invitedAt: invitation.invitedAt,
        ...this.expiry(invitation.invitedAt),
      }));
    return { rooms, invitations };
  }

  /** A page of public rooms by name. */
  async publicRooms(
    after: PublicRoomsCursor | undefined,
    limit: number,
  ): Promise<{ rooms: RoomSummary[]; next?: PublicRoomsCursor }> {
    const { items: rooms, next } = await keysetPage(
      after,
      limit,
      (page) => this.deps.directory.publicRooms(page),
      (room) => this.summary(room, undefined),
      (room) => ({ name: room.name, id: room.id }),
    );
    return next === undefined ? { rooms } : { rooms, next };
  }

  /** A page of every room by id, for operators (the server API); pass `next` back as `after`. */
  async allRooms(after: string | undefined, limit: number): Promise<{ rooms: RoomSummary[]; next?: string }> {
    const { items: rooms, next } = await keysetPage(
      after,
      limit,
      (page) => this.deps.directory.allRooms(page),
      (room) => this.summary(room, undefined),
      (room) => room.id,
    );
    return next === undefined ? { rooms } : { rooms, next };
  }

  /**
   * The rooms a search of the caller looks in: `room` alone when they may read it (its members; server admins),
   * else every room they belong to that their token allows (rooms outside its `rooms` claim cannot be opened on
   * this connection, so they are not searched either).
   */
  async searchable(caller: Caller, room?: string): Promise<string[]> {
    if (room !== undefined) {
      checkAllowed(caller, room);
      this.check('read', await this.existing(caller, room));
      return [room];
    }
    const mine = await this.deps.directory.roomsOf(caller.user.id);
    return mine.map(({ room: record }) => record.id).filter((id) => roomAllowed(caller.rooms, id));
  }

  /** A page of a room's members (who may read the room may list its members). */
  async members(
    caller: Caller,
    room: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ members: MemberSummary[]; next?: string }> {
    const actor = await this.existing(caller, room);
    this.check('read', actor);
    const now = this.deps.clock.now();
    const { items: members, next } = await keysetPage(
      after,
      limit,
      (page) => this.deps.directory.members(room, page),
      (member) => memberSummary(member, now),
      (member) => member.userId,
    );
    return next === undefined ? { members } : { members, next };
  }

  /** A page of the room's bans in force, by user id: for its moderators (and server admins), to lift them. */
  async bans(
    caller: Caller,
    room: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ bans: BanSummary[]; next?: string }> {
    const actor = await this.existing(caller, room);
    this.check('list-bans', actor);
    const now = this.deps.clock.now();
    const { items: bans, next } = await keysetPage(
      after,
      limit,
      (page) => this.deps.directory.bans(room, now, page),
      banSummary,
      (ban) => ban.userId,
    );
    return next === undefined ? { bans } : { bans, next };
  }

  /** A room as listed, with the user's standing when they are a member. */
  summary(room: RoomRecord, member: MemberRecord | undefined): RoomSummary {
    const summary: RoomSummary = {
      id: room.id,
      kind: room.kind,
      name: room.name,
      topic: room.topic,
      memberCount: room.memberCount,
      archived: room.archivedAt !== undefined,
      announceJoins: room.announceJoins,
      activity: Math.max(room.createdAt, member?.joinedAt ?? 0),
    };
    if (member) {
      summary.role = member.role;
      if (isMuted(member, this.deps.clock.now())) summary.muted = true;
      summary.notifications = member.notifications ?? defaultNotificationLevel(room.kind);
      if (member.favorite) summary.favorite = true;
    }
    return summary;
  }

  /** A direct room's summary carries its people (at most {@link MAX_DIRECT_PEOPLE}). */
  private async summaryWithMembers(room: RoomRecord, member: MemberRecord | undefined): Promise<RoomSummary> {
    const summary = this.summary(room, member);
    const { directory } = this.deps;
    const people = await directory.members(room.id, { limit: MAX_DIRECT_PEOPLE });
    summary.members = people.map((m) => ({ id: m.userId, name: m.name ?? m.userId }));
    // How far the others have read, for those who share it (shown as "seen").
    const others = people.filter((m) => m.userId !== member?.userId && (m.readOffset ?? 0) > 0);
    if (member && others.length > 0) {
      const off = await directory.receiptsOff(others.map((m) => m.userId));
      const seen = Object.fromEntries(
        others.filter((m) => !off.has(m.userId)).map((m) => [m.userId, m.readOffset as number]),
      );
      if (Object.keys(seen).length > 0) summary.seen = seen;
    }
    return summary;
  }
}

/** A member as the members list shows them. */
export function memberSummary(member: MemberRecord, now: number): MemberSummary {
  const summary: MemberSummary = {
    user: { id: member.userId, name: member.name ?? '' },
    role: member.role,
    joinedAt: member.joinedAt,
  };
  if (member.invitedBy !== undefined) summary.invitedBy = member.invitedBy;
  if (isMuted(member, now)) summary.mutedUntil = member.muteExpiresAt ?? 0;
  return summary;
}

/** A ban as its room's moderators list it. */
function banSummary(ban: BanRecord): BanSummary {
  const summary: BanSummary = {
    user: { id: ban.userId, name: ban.name ?? '' },
    bannedBy: ban.bannedBy,
    bannedAt: ban.bannedAt,
  };
  if (ban.reason !== '') summary.reason = ban.reason;
  if (ban.expiresAt !== undefined) summary.until = ban.expiresAt;
  return summary;
}

/** Why a system event takes a user out of a room, if it does. */
export function removalOf(event: SystemEvent): RemovalReason | undefined {
  if (event.type === 'left' || event.type === 'kicked' || event.type === 'banned') return event.type;
  return undefined;
}
