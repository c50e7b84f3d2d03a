/**
 * Who may do what in a room: one pure function over what is known about the room, the actor and the target, so
 * that every instance decides the same way from its cache, and the permission matrix is tested in one place.
 *
 * The rules, in order:
 * 1. A banned user may do nothing in the room, not even read it (a server admin is never banned out).
 * 2. An archived room is read-only: only unarchiving (and reading, leaving, withdrawing invitations) is left.
 * 3. Roles rank owner > admin > member. Acting on another member (kick, mute, ban, role) needs a higher rank than
 *    theirs, and a role can only be given up to one's own. A server admin acts as above every role.
 * 4. Direct rooms have fixed people: nobody joins, invites, moderates or renames them.
 * 5. Invitations: those who may invite list a room's pending ones; who gave one (member or not), or a moderator,
 *    withdraws it.
 * 6. Webhooks post into a room as integrations: its moderators add them (not in an archived room), list and remove
 *    them (archived rooms included, like bans); a direct room has none.
 * 7. Messages: editing, reacting and pinning are sending (a muted member may do none of them; a server admin pins
 *    in any room); a member deletes their own messages (muted or not), a room's owner or admin anyone's. Which
 *    message is whose, the log checks.
 */
import type { MemberRecord, Role, RoomRecord } from './room-directory.js';

/** What can be done in a room. */
export type RoomAction =
  | 'read'
  | 'list-bans'
  | 'list-invitations'
  | 'list-webhooks'
  | 'add-webhook'
  | 'join'
  | 'leave'
  | 'own-settings'
  | 'send'
  | 'pin'
  | 'delete-own'
  | 'delete-any'
  | 'invite'
  | 'uninvite'
  | 'kick'
  | 'mute'
  | 'ban'
  | 'unban'
  | 'set-role'
  | 'edit-room'
  | 'archive'
  | 'unarchive';

/** Why an action is refused; each is an error code of the protocol. */
export type RefusalCode =
  | 'banned'
  | 'archived'
  | 'not_member'
  | 'not_invited'
  | 'already_member'
  | 'muted'
  | 'forbidden'
  | 'direct_room';

/** The actor: their membership (if any) and their standing in this room at `now`. */
export interface Actor {
  userId: string;
  member?: MemberRecord;
  /** Whether a ban from this room is in force. */
  banned: boolean;
  /** Whether they hold a pending invitation to this room. */
  invited: boolean;
  /** Server-wide admin (a token claim): may moderate any room. */
  serverAdmin: boolean;
}

/** Whom an action is aimed at (kick, mute, ban, unban, set-role, invite, uninvite), and the role to give. */
export interface Target {
  userId: string;
  member?: MemberRecord;
  /** Whether a ban from this room is in force for them (a banned user cannot be invited until unbanned). */
  banned?: boolean;
  role?: Role;
  /** Who gave their pending invitation (uninvite): its giver may withdraw it. */
  invitedBy?: string;
}

/** A refusal's `why` says, for a `forbidden`, what the actor lacks (the reply error's message). */
export type Decision = { ok: true } | { ok: false; code: RefusalCode; why?: string };

/** The roles' ranks, higher above lower (also the order of RoomDirectory.senior). */
export const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };
/** A server admin outranks every role. */
const SERVER_ADMIN_RANK = 4;

const allow: Decision = { ok: true };
const refuse = (code: RefusalCode, why?: string): Decision =>
  why ? { ok: false, code, why } : { ok: false, code };

/** Why a `forbidden` was answered, in the words of the protocol's table of who may do what. */
const NOBODY = 'the command names nobody';
const RANK_TOO_LOW = 'their role is not below yours';

/** The refusal of a moderator's action to someone who is no moderator: a member lacks the role, others membership. */
const notModerator = (member: MemberRecord | undefined): Decision =>
  member ? refuse('forbidden', 'needs the admin or owner role in this room') : refuse('not_member');

/** Whether an invitation given at `invitedAt` still holds at `now` (`ttlMs` 0: invitations do not expire). */
export function invitationLive(invitedAt: number, now: number, ttlMs: number): boolean {
  return ttlMs <= 0 || invitedAt > now - ttlMs;
}

/** True while a member's mute is in force at `now`. */
export function isMuted(member: MemberRecord, now: number): boolean {
  return member.mutedAt !== undefined && (member.muteExpiresAt === undefined || member.muteExpiresAt > now);
}

function rankOf(actor: Actor): number {
  if (actor.serverAdmin) return SERVER_ADMIN_RANK;
  return actor.member ? RANK[actor.member.role] : 0;
}

/** Moderation of another user: needs a rank above the target's (0 for a non-member). */
function outranks(actor: Actor, target: Target | undefined): Decision {
  if (!target) return refuse('forbidden', NOBODY);
  if (target.userId === actor.userId) return refuse('forbidden', 'nobody does this to themselves');
  if (!actor.member && !actor.serverAdmin) return refuse('not_member');
  const theirs = target.member ? RANK[target.member.role] : 0;
  return rankOf(actor) > theirs ? allow : refuse('forbidden', RANK_TOO_LOW);
}

/** Whether `actor` may do `action` in `room` (to `target`) at `now`. */
export function decide(
  action: RoomAction,
  room: RoomRecord,
  actor: Actor,
  now: number,
  target?: Target,
): Decision {
  if (actor.banned && !actor.serverAdmin) return refuse('banned');
  const member = actor.member;
  const moderator = actor.serverAdmin || (member !== undefined && RANK[member.role] >= RANK.admin);

  if (action === 'read') {
    return member || room.kind === 'public' || actor.serverAdmin ? allow : refuse('not_member');
  }
  // One's own membership: leaving it, or one's settings of the room (notifications, favorite, hidden; archived and
  // direct rooms too).
  if (action === 'leave' || action === 'own-settings') return member ? allow : refuse('not_member');
  // Who is banned is for those who may lift it, archived rooms included (reading; the lifting waits for unarchiving).
  // So are a room's integrations (listing and removing them also while archived: cleaning up).
  if (action === 'list-bans' || action === 'list-webhooks') {
    if (room.kind === 'direct') return refuse('direct_room');
    return moderator ? allow : notModerator(member);
  }
  // Pending invitations are for those who may give them (they take room: withdrawing is how a room at its bound
  // makes some again), archived rooms included, like bans.
  if (action === 'list-invitations') {
    if (room.kind === 'direct') return refuse('direct_room');
    if (!member && !actor.serverAdmin) return refuse('not_member');
    return room.kind === 'public' || moderator
      ? allow
      : refuse('forbidden', 'only admins and owners invite to a private room');
  }
  // Whoever gave an invitation may take it back, even after leaving the room or in an archived one (it counts against
  // the invitations they may give); the room's moderators may take back anyone's.
  if (action === 'uninvite') {
    if (room.kind === 'direct') return refuse('direct_room');
    if (moderator || (target !== undefined && target.invitedBy === actor.userId)) return allow;
    return member
      ? refuse('forbidden', 'only its inviter, admins and owners withdraw an invitation')
      : refuse('not_member');
  }
  if (action === 'unarchive') {
    if (room.kind === 'direct') return refuse('direct_room');
    return moderator ? allow : notModerator(member);
  }
  if (room.archivedAt !== undefined) return refuse('archived');

  switch (action) {
    case 'join':
      if (member) return refuse('already_member');
      if (room.kind === 'direct') return refuse('direct_room');
      return room.kind === 'public' || actor.invited || actor.serverAdmin ? allow : refuse('not_invited');
    case 'pin':
      // Pinning is sending, and a server admin's moderation (the server API pins announcements) in any room.
      if (actor.serverAdmin) return allow;
      if (!member) return refuse('not_member');
      return isMuted(member, now) ? refuse('muted') : allow;
    case 'send':
      if (!member) return refuse('not_member');
      return isMuted(member, now) ? refuse('muted') : allow;
    case 'add-webhook':
      if (room.kind === 'direct') return refuse('direct_room');
      return moderator ? allow : notModerator(member);
    case 'delete-own':
      return member ? allow : refuse('not_member');
    case 'delete-any':
      return moderator ? allow : notModerator(member);
    case 'invite':
      if (room.kind === 'direct') return refuse('direct_room');
      if (!member && !actor.serverAdmin) return refuse('not_member');
      // Anyone in a public room may bring people in; a private room's door is kept by its moderators.
      if (room.kind === 'private' && !moderator)
        return refuse('forbidden', 'only admins and owners invite to a private room');
      if (target?.member) return refuse('already_member');
      return target?.banned ? refuse('forbidden', 'they are banned from this room: unban them first') : allow;
    case 'kick':
    case 'mute':
      if (room.kind === 'direct') return refuse('direct_room');
      if (!target?.member) return target ? refuse('not_member') : refuse('forbidden', NOBODY);
      return moderator ? outranks(actor, target) : notModerator(member);
    case 'ban':
    case 'unban':
      if (room.kind === 'direct') return refuse('direct_room');
      return moderator ? outranks(actor, target) : notModerator(member);
    case 'set-role': {
      if (room.kind === 'direct') return refuse('direct_room');
      if (!target?.member) return target ? refuse('not_member') : refuse('forbidden', NOBODY);
      if (!moderator) return notModerator(member);
      const granted = outranks(actor, target);
      if (!granted.ok) return granted;
      // Up to one's own role: an admin may make admins, only an owner (or a server admin) owners.
      return target.role && RANK[target.role] <= rankOf(actor)
        ? allow
        : refuse('forbidden', 'not a role above your own');
    }
    case 'edit-room':
    case 'archive':
      if (room.kind === 'direct') return refuse('direct_room');
      return moderator ? allow : notModerator(member);
  }
}
