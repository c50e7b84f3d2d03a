/**
 * A room's invite links: codes that make whoever has one a member of the room (a private room's door, handed out
 * as a link), until revoked, expired or used their most times. Who may make, list, revoke and use them is decided
 * above this (RoomService, permissions.ts); the directory counts each use atomically.
 */
import type { InviteLinkSummary } from '../../client/wire/rooms.js';
import type { UserInfo } from '../engine/types.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { InviteLinkRecord, RoomDirectory } from './room-directory.js';

export interface RoomInviteLinksDeps {
  directory: RoomDirectory;
  clock: Clock;
  ids: IdGenerator;
  /** Most links one room may have (`--max-invite-links-per-room`). */
  maxPerRoom: number;
}

/** What a new link is made with: when it ends (from now) and how many may use it; absent, neither bounds it. */
export interface InviteLinkOptions {
  expiresInMs?: number;
  maxUses?: number;
}

/** A link as its room's members list it. */
export function linkSummary(link: InviteLinkRecord): InviteLinkSummary {
  const summary: InviteLinkSummary = {
    code: link.code,
    createdBy: link.createdBy,
    createdAt: link.createdAt,
    uses: link.uses,
  };
  if (link.expiresAt !== undefined) summary.expiresAt = link.expiresAt;
  if (link.maxUses !== undefined) summary.maxUses = link.maxUses;
  return summary;
}

const NO_LINK = () => new ReplyError('no_invite_link', 'no such invite link (revoked, or never made)');

export class RoomInviteLinks {
  constructor(private readonly deps: RoomInviteLinksDeps) {}

  /**
   * Makes a link to the room: `invite_link_limit` when the room has `maxPerRoom` already (the links past their end
   * or their uses are removed first: they let nobody in). The code is 192 random bits.
   */
  async add(room: string, by: UserInfo, options: InviteLinkOptions): Promise<InviteLinkSummary> {
    const { directory, clock, ids, maxPerRoom } = this.deps;
    const now = clock.now();
    const links = await directory.inviteLinks(room);
    const spent = links.filter((link) => !lets(link, now));
    for (const link of spent) await directory.removeInviteLink(room, link.code);
    if (links.length - spent.length >= maxPerRoom) {
      throw new ReplyError('invite_link_limit', `this room has ${maxPerRoom} invite links: revoke one first`);
    }
    const link: InviteLinkRecord = {
      code: ids.secret(),
      room,
      createdBy: { id: by.id, name: by.name },
      createdAt: now,
      uses: 0,
    };
    if (options.expiresInMs !== undefined) link.expiresAt = now + options.expiresInMs;
    if (options.maxUses !== undefined) link.maxUses = options.maxUses;
    if (!(await directory.addInviteLink(link))) throw new ReplyError('no_room', `no room '${room}'`);
    return linkSummary(link);
  }

  /** The room's links, oldest first (those past their end or uses too, as such: a list shows why). */
  async list(room: string): Promise<InviteLinkSummary[]> {
    return (await this.deps.directory.inviteLinks(room)).map(linkSummary);
  }

  /** The link with this code, or `no_invite_link`. */
  async find(code: string): Promise<InviteLinkRecord> {
    const link = await this.deps.directory.inviteLink(code);
    if (!link) throw NO_LINK();
    return link;
  }

  /**
   * Refuses a link that lets nobody in any more (`no_invite_link`, saying expired or used up): what a preview
   * checks, counting no use.
   */
  checkLets(link: InviteLinkRecord): void {
    const now = this.deps.clock.now();
    if (lets(link, now)) return;
    const expired = link.expiresAt !== undefined && link.expiresAt <= now;
    throw new ReplyError(
      'no_invite_link',
      expired ? 'this invite link has expired' : 'this invite link was used its most times',
    );
  }

  /** Revokes the room's link `code` (nobody joins with it from now on), or `no_invite_link`. */
  async remove(room: string, code: string): Promise<void> {
    if (!(await this.deps.directory.removeInviteLink(room, code))) throw NO_LINK();
  }

  /** Counts a use of the link, or refuses one past its end or its uses (`no_invite_link`, saying which). */
  async use(link: InviteLinkRecord): Promise<void> {
    const now = this.deps.clock.now();
    if (await this.deps.directory.useInviteLink(link.code, now)) return;
    const expired = link.expiresAt !== undefined && link.expiresAt <= now;
    throw new ReplyError(
      'no_invite_link',
      expired ? 'this invite link has expired' : 'this invite link was used its most times (or revoked)',
    );
  }
}

/** Whether a link still lets someone in at `now`. */
function lets(link: InviteLinkRecord, now: number): boolean {
  return (
    (link.expiresAt === undefined || link.expiresAt > now) &&
    (link.maxUses === undefined || link.uses < link.maxUses)
  );
}
