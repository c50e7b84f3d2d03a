import type { UserStatus } from '../../client/wire/domain.js';
import { RANK } from './permissions.js';
import type {
  BanRecord,
  InvitationCursor,
  InvitationRecord,
  InvitationScope,
  InviteLinkRecord,
  MemberRecord,
  MovedMarker,
  NewRoom,
  NotificationLevel,
  PageRequest,
  PinRecord,
  ReadMarkerRecord,
  Role,
  RoomCursor,
  RoomDirectory,
  RoomPatch,
  RoomRecord,
  SavedRecord,
  ThreadFollowRecord,
  WebhookRecord,
} from './room-directory.js';

/** The value under `key`, created by `make` when missing. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Map of maps: room → user → record. */
class Table<T extends object> {
  private readonly rows = new Map<string, Map<string, T>>();

  get(room: string, user: string): T | undefined {
    return this.rows.get(room)?.get(user);
  }

  set(room: string, user: string, row: T): void {
    entry(this.rows, room, () => new Map<string, T>()).set(user, row);
  }

  delete(room: string, user: string): boolean {
    const users = this.rows.get(room);
    if (!users?.delete(user)) return false;
    if (users.size === 0) this.rows.delete(room);
    return true;
  }

  of(room: string): Map<string, T> | undefined {
    return this.rows.get(room);
  }

  /** A keyset page of a room's records by user id, copied out, of those `keep` accepts. */
  page(room: string, page: PageRequest<string>, keep: (row: T) => boolean = () => true): T[] {
    const after = page.after;
    return [...(this.rows.get(room)?.entries() ?? [])]
      .filter(([user, row]) => (after === undefined || user > after) && keep(row))
      .sort(([a], [b]) => byString(a, b))
      .slice(0, Math.max(0, page.limit))
      .map(([, row]) => ({ ...row }));
  }
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const copyLink = (link: InviteLinkRecord): InviteLinkRecord => ({
  ...link,
  createdBy: { ...link.createdBy },
});

const copyWebhook = (hook: WebhookRecord): WebhookRecord => ({ ...hook, createdBy: { ...hook.createdBy } });

/** Negative when `a` is the more senior member (see RoomDirectory.senior). */
const bySeniority = (a: MemberRecord, b: MemberRecord) =>
  RANK[b.role] - RANK[a.role] || a.joinedAt - b.joinedAt || byString(a.userId, b.userId);

/**
 * The room directory in process memory: for `--store memory` (tests, throwaway demos). Records are copied in and
 * out, so no caller can change what is stored by holding a reference.
 */
export class MemoryRoomDirectory implements RoomDirectory {
  private readonly rooms = new Map<string, RoomRecord>();
  private readonly directs = new Map<string, string>();
  private readonly membersByRoom = new Table<MemberRecord>();
  /** Users who turned read receipts off. */
  private readonly noReceipts = new Set<string>();
  /** What users say of themselves, by user id. */
  private readonly statusByUser = new Map<string, UserStatus>();
  /** user → rooms they belong to (the reverse index `roomsOf` reads). */
  private readonly roomsByUser = new Map<string, Set<string>>();
  private readonly invitations = new Table<InvitationRecord>();
  /** user → `room\u0000offset` → what they saved. */
  private readonly savedByUser = new Map<string, Map<string, SavedRecord>>();
  /** The saved messages whose reminder is set and has not come due (what a round of reminders looks at). */
  private readonly reminding = new Set<SavedRecord>();
  /** user → `room\u0000root` → a thread they follow. */
  private readonly followsByUser = new Map<string, Map<string, ThreadFollowRecord>>();
  /** `room\u0000root` → the users who follow that thread (the reverse index `threadReplied` reads). */
  private readonly followersByThread = new Map<string, Set<string>>();
  /** room → offset → its pin. */
  private readonly pinsByRoom = new Map<string, Map<number, PinRecord>>();
  /** Invite links by code (a room's few are found by scanning, as its webhooks are). */
  private readonly linksByCode = new Map<string, InviteLinkRecord>();
  /** Webhooks by id (a room's few are found by scanning: at most --max-webhooks-per-room each, listed rarely). */
  private readonly webhooksById = new Map<string, WebhookRecord>();
  private readonly invitationsByUser = new Map<string, Set<string>>();
  /** inviter → the pending invitations they gave. */
  private readonly invitationsGiven = new Map<string, Set<InvitationRecord>>();
  private readonly bansByRoom = new Table<BanRecord>();

  async create(input: NewRoom): Promise<{ room: RoomRecord; created: boolean }> {
    const existing =
      this.rooms.get(input.id) ??
      (input.directKey !== undefined ? this.roomOfDirect(input.directKey) : undefined);
    if (existing) return { room: { ...existing }, created: false };
    if (new Set(input.members.map((m) => m.userId)).size !== input.members.length) {
      throw new Error(`room ${input.id}: a first member is listed twice`);
    }
    const room: RoomRecord = {
      id: input.id,
      kind: input.kind,
      name: input.name,
      topic: input.topic ?? '',
      createdBy: input.createdBy,
      createdAt: input.createdAt,
      memberCount: 0,
      announceJoins: input.announceJoins ?? true,
    };
    if (input.directKey !== undefined) {
      room.directKey = input.directKey;
      this.directs.set(input.directKey, room.id);
    }
    this.rooms.set(room.id, room);
    for (const { userId, role, name } of input.members) {
      const member: MemberRecord = { room: room.id, userId, role, joinedAt: input.createdAt };
      if (name !== undefined) member.name = name;
      if (userId !== input.createdBy) member.invitedBy = input.createdBy;
      this.insertMember(member);
    }
    return { room: { ...room }, created: true };
  }

  async get(id: string): Promise<RoomRecord | undefined> {
    const room = this.rooms.get(id);
    return room && { ...room };
  }

  async direct(directKey: string): Promise<RoomRecord | undefined> {
    const room = this.roomOfDirect(directKey);
    return room && { ...room };
  }

  async update(id: string, patch: RoomPatch): Promise<RoomRecord | undefined> {
    const room = this.rooms.get(id);
    if (!room) return undefined;
    if (patch.name !== undefined) room.name = patch.name;
    if (patch.topic !== undefined) room.topic = patch.topic;
    if (patch.announceJoins !== undefined) room.announceJoins = patch.announceJoins;
    if (patch.archivedAt === null) delete room.archivedAt;
    else if (patch.archivedAt !== undefined) room.archivedAt = patch.archivedAt;
    if (patch.directKey === null && room.directKey !== undefined) {
      this.directs.delete(room.directKey);
      delete room.directKey;
    }
    return { ...room };
  }

  async publicRooms(page: PageRequest<RoomCursor>): Promise<RoomRecord[]> {
    const after = page.after;
    return [...this.rooms.values()]
      .filter((r) => r.kind === 'public' && r.archivedAt === undefined)
      .filter((r) => !after || byString(r.name, after.name) > 0 || (r.name === after.name && r.id > after.id))
      .sort((a, b) => byString(a.name, b.name) || byString(a.id, b.id))
      .slice(0, Math.max(0, page.limit))
      .map((r) => ({ ...r }));
  }

  async allRooms(page: PageRequest<string>): Promise<RoomRecord[]> {
    const after = page.after;
    return [...this.rooms.values()]
      .filter((r) => after === undefined || r.id > after)
      .sort((a, b) => byString(a.id, b.id))
      .slice(0, Math.max(0, page.limit))
      .map((r) => ({ ...r }));
  }

  async member(room: string, userId: string): Promise<MemberRecord | undefined> {
    const member = this.membersByRoom.get(room, userId);
    return member && { ...member };
  }

  async addMember(member: MemberRecord): Promise<boolean> {
    if (!this.rooms.has(member.room) || this.membersByRoom.get(member.room, member.userId)) return false;
    this.insertMember({ ...member });
    this.dropInvitation(member.room, member.userId);
    return true;
  }

  async removeMember(room: string, userId: string): Promise<boolean> {
    if (!this.membersByRoom.delete(room, userId)) return false;
    const rooms = this.roomsByUser.get(userId);
    rooms?.delete(room);
    if (rooms?.size === 0) this.roomsByUser.delete(userId);
    const record = this.rooms.get(room);
    if (record) record.memberCount -= 1;
    return true;
  }

  async markRead(markers: ReadonlyArray<ReadMarkerRecord>): Promise<MovedMarker[]> {
    const moved: MovedMarker[] = [];
    for (const marker of markers) {
      const member = this.membersByRoom.get(marker.room, marker.userId);
      if (!member || (member.readOffset ?? 0) >= marker.offset) continue;
      member.readOffset = marker.offset;
      moved.push({ ...marker, direct: this.rooms.get(marker.room)?.kind === 'direct' });
    }
    return moved;
  }

  async markUnread(marker: ReadMarkerRecord): Promise<MovedMarker | undefined> {
    const member = this.membersByRoom.get(marker.room, marker.userId);
    if (!member || (member.readOffset ?? 0) <= marker.offset) return undefined;
    member.readOffset = marker.offset;
    return { ...marker, direct: this.rooms.get(marker.room)?.kind === 'direct' };
  }

  async receiptsOff(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((id) => this.noReceipts.has(id)));
  }

  async setReceipts(userId: string, on: boolean): Promise<void> {
    if (on) this.noReceipts.delete(userId);
    else this.noReceipts.add(userId);
  }

  async setStatus(userId: string, status: UserStatus | undefined): Promise<void> {
    if (status) this.statusByUser.set(userId, { ...status });
    else this.statusByUser.delete(userId);
  }

  async statuses(userIds: readonly string[]): Promise<Map<string, UserStatus>> {
    const found = new Map<string, UserStatus>();
    for (const id of userIds) {
      const status = this.statusByUser.get(id);
      if (status) found.set(id, { ...status });
    }
    return found;
  }

  async setRole(room: string, userId: string, role: Role): Promise<boolean> {
    const member = this.membersByRoom.get(room, userId);
    if (!member) return false;
    member.role = role;
    return true;
  }

  async setNotifications(
    room: string,
    userId: string,
    level: NotificationLevel | undefined,
  ): Promise<boolean> {
    const member = this.membersByRoom.get(room, userId);
    if (!member) return false;
    if (level === undefined) delete member.notifications;
    else member.notifications = level;
    return true;
  }

  async setFavorite(room: string, userId: string, favorite: boolean): Promise<boolean> {
    const member = this.membersByRoom.get(room, userId);
    if (!member) return false;
    if (favorite) member.favorite = true;
    else delete member.favorite;
    return true;
  }

  async setHidden(room: string, userId: string, at: number | undefined): Promise<boolean> {
    const member = this.membersByRoom.get(room, userId);
    if (!member) return false;
    if (at === undefined) delete member.hiddenAt;
    else member.hiddenAt = at;
    return true;
  }

  async setMute(
    room: string,
    userId: string,
    mute: { at: number; expiresAt?: number } | undefined,
  ): Promise<boolean> {
    const member = this.membersByRoom.get(room, userId);
    if (!member) return false;
    delete member.mutedAt;
    delete member.muteExpiresAt;
    if (mute) {
      member.mutedAt = mute.at;
      if (mute.expiresAt !== undefined) member.muteExpiresAt = mute.expiresAt;
    }
    return true;
  }

  async members(room: string, page: PageRequest<string>): Promise<MemberRecord[]> {
    return this.membersByRoom.page(room, page);
  }

  async senior(room: string): Promise<MemberRecord | undefined> {
    let best: MemberRecord | undefined;
    for (const m of this.membersByRoom.of(room)?.values() ?? []) {
      if (!best || bySeniority(m, best) < 0) best = m;
    }
    return best && { ...best };
  }

  async roomCount(userId: string): Promise<number> {
    return this.roomsByUser.get(userId)?.size ?? 0;
  }

  async roomsOf(userId: string): Promise<Array<{ room: RoomRecord; member: MemberRecord }>> {
    return [...(this.roomsByUser.get(userId) ?? [])].sort(byString).map((id) => ({
      room: { ...(this.rooms.get(id) as RoomRecord) },
      member: { ...(this.membersByRoom.get(id, userId) as MemberRecord) },
    }));
  }

  async invite(invitation: InvitationRecord): Promise<boolean> {
    const { room, userId } = invitation;
    if (!this.rooms.has(room)) return false;
    if (this.membersByRoom.get(room, userId) || this.invitations.get(room, userId)) return false;
    const stored = { ...invitation };
    this.invitations.set(room, userId, stored);
    entry(this.invitationsByUser, userId, () => new Set<string>()).add(room);
    entry(this.invitationsGiven, invitation.invitedBy, () => new Set<InvitationRecord>()).add(stored);
    return true;
  }

  async pin(pin: PinRecord): Promise<boolean> {
    if (!this.rooms.has(pin.room)) return false;
    const pins = entry(this.pinsByRoom, pin.room, () => new Map<number, PinRecord>());
    if (pins.has(pin.offset)) return false;
    pins.set(pin.offset, { ...pin, pinnedBy: { ...pin.pinnedBy } });
    return true;
  }

  async unpin(room: string, offset: number): Promise<boolean> {
    const pins = this.pinsByRoom.get(room);
    if (!pins?.delete(offset)) return false;
    if (pins.size === 0) this.pinsByRoom.delete(room);
    return true;
  }

  async pins(room: string): Promise<PinRecord[]> {
    return [...(this.pinsByRoom.get(room)?.values() ?? [])]
      .sort((a, b) => b.pinnedAt - a.pinnedAt || b.offset - a.offset)
      .map((pin) => ({ ...pin, pinnedBy: { ...pin.pinnedBy } }));
  }

  async addInviteLink(link: InviteLinkRecord): Promise<boolean> {
    if (!this.rooms.has(link.room) || this.linksByCode.has(link.code)) return false;
    this.linksByCode.set(link.code, copyLink(link));
    return true;
  }

  async inviteLink(code: string): Promise<InviteLinkRecord | undefined> {
    const link = this.linksByCode.get(code);
    return link && copyLink(link);
  }

  async inviteLinks(room: string): Promise<InviteLinkRecord[]> {
    return [...this.linksByCode.values()]
      .filter((link) => link.room === room)
      .sort((a, b) => a.createdAt - b.createdAt || byString(a.code, b.code))
      .map(copyLink);
  }

  async useInviteLink(code: string, now: number): Promise<InviteLinkRecord | undefined> {
    const link = this.linksByCode.get(code);
    if (!link || (link.expiresAt !== undefined && link.expiresAt <= now)) return undefined;
    if (link.maxUses !== undefined && link.uses >= link.maxUses) return undefined;
    link.uses += 1;
    return copyLink(link);
  }

  async removeInviteLink(room: string, code: string): Promise<boolean> {
    if (this.linksByCode.get(code)?.room !== room) return false;
    return this.linksByCode.delete(code);
  }

  async addWebhook(hook: WebhookRecord): Promise<boolean> {
    if (!this.rooms.has(hook.room) || this.webhooksById.has(hook.id)) return false;
    this.webhooksById.set(hook.id, copyWebhook(hook));
    return true;
  }

  async webhook(id: string): Promise<WebhookRecord | undefined> {
    const hook = this.webhooksById.get(id);
    return hook && copyWebhook(hook);
  }

  async webhooks(room: string): Promise<WebhookRecord[]> {
    return [...this.webhooksById.values()]
      .filter((hook) => hook.room === room)
      .sort((a, b) => a.createdAt - b.createdAt || byString(a.id, b.id))
      .map(copyWebhook);
  }

  async removeWebhook(room: string, id: string): Promise<boolean> {
    if (this.webhooksById.get(id)?.room !== room) return false;
    return this.webhooksById.delete(id);
  }

  async save(saved: SavedRecord): Promise<boolean> {
    const mine = entry(this.savedByUser, saved.userId, () => new Map<string, SavedRecord>());
    const key = `${saved.room}\u0000${saved.offset}`;
    if (mine.has(key)) return false;
    mine.set(key, { ...saved });
    return true;
  }

  async unsave(userId: string, room: string, offset: number): Promise<boolean> {
    const mine = this.savedByUser.get(userId);
    const key = `${room}\u0000${offset}`;
    const saved = mine?.get(key);
    if (!mine || !saved) return false;
    mine.delete(key);
    this.reminding.delete(saved);
    if (mine.size === 0) this.savedByUser.delete(userId);
    return true;
  }

  async setReminder(
    userId: string,
    room: string,
    offset: number,
    remindAt: number | undefined,
  ): Promise<boolean> {
    const key = `${room}\u0000${offset}`;
    const saved = this.savedByUser.get(userId)?.get(key);
    if (!saved) return false;
    delete saved.remindedAt;
    if (remindAt === undefined) {
      delete saved.remindAt;
      this.reminding.delete(saved);
    } else {
      saved.remindAt = remindAt;
      this.reminding.add(saved);
    }
    return true;
  }

  async dueReminders(now: number, limit: number): Promise<SavedRecord[]> {
    const due = [...this.reminding]
      .filter((saved) => (saved.remindAt as number) <= now)
      .sort((a, b) => (a.remindAt as number) - (b.remindAt as number))
      .slice(0, limit);
    return due.map((saved) => {
      saved.remindedAt = now;
      this.reminding.delete(saved);
      return { ...saved };
    });
  }

  async saved(userId: string): Promise<SavedRecord[]> {
    return [...(this.savedByUser.get(userId)?.values() ?? [])]
      .sort((a, b) => b.savedAt - a.savedAt || byString(b.room, a.room) || b.offset - a.offset)
      .map((saved) => ({ ...saved }));
  }

  async followThreads(records: ReadonlyArray<ThreadFollowRecord>, max: number): Promise<void> {
    const grown = new Set<string>();
    for (const record of records) {
      const key = `${record.room}\u0000${record.root}`;
      const mine = entry(this.followsByUser, record.userId, () => new Map<string, ThreadFollowRecord>());
      const there = mine.get(key);
      if (there?.rootId === record.rootId) {
        there.readOffset = Math.max(there.readOffset, record.readOffset);
        there.lastAt = Math.max(there.lastAt, record.lastAt);
        continue;
      }
      mine.set(key, { ...record });
      entry(this.followersByThread, key, () => new Set<string>()).add(record.userId);
      grown.add(record.userId);
    }
    for (const userId of grown) {
      const mine = this.followsByUser.get(userId);
      if (!mine || mine.size <= max) continue;
      const oldest = [...mine.values()].sort(
        (a, b) => a.followedAt - b.followedAt || byString(a.room, b.room) || a.root - b.root,
      );
      for (const follow of oldest.slice(0, mine.size - max))
        await this.unfollowThread(userId, follow.room, follow.root);
    }
  }

  async unfollowThread(userId: string, room: string, root: number): Promise<boolean> {
    const key = `${room}\u0000${root}`;
    const mine = this.followsByUser.get(userId);
    if (!mine?.delete(key)) return false;
    if (mine.size === 0) this.followsByUser.delete(userId);
    const followers = this.followersByThread.get(key);
    followers?.delete(userId);
    if (followers?.size === 0) this.followersByThread.delete(key);
    return true;
  }

  async threadReplied(
    thread: { room: string; root: number; rootId: string; at: number },
    follows: ReadonlyArray<ThreadFollowRecord>,
    max: number,
  ): Promise<Array<{ userId: string; readOffset: number }>> {
    const { room, root, rootId, at } = thread;
    await this.followThreads(follows, max);
    const key = `${room}\u0000${root}`;
    const found: Array<{ userId: string; readOffset: number }> = [];
    for (const userId of this.followersByThread.get(key) ?? []) {
      const follow = this.followsByUser.get(userId)?.get(key);
      if (follow?.rootId !== rootId) continue;
      follow.lastAt = Math.max(follow.lastAt, at);
      found.push({ userId, readOffset: follow.readOffset });
    }
    return found;
  }

  async followedThreads(userId: string): Promise<ThreadFollowRecord[]> {
    return [...(this.followsByUser.get(userId)?.values() ?? [])]
      .sort((a, b) => b.lastAt - a.lastAt || byString(b.room, a.room) || b.root - a.root)
      .map((follow) => ({ ...follow }));
  }

  async readThread(userId: string, room: string, root: number, offset: number): Promise<number | undefined> {
    const follow = this.followsByUser.get(userId)?.get(`${room}\u0000${root}`);
    if (!follow || follow.readOffset >= offset) return undefined;
    follow.readOffset = offset;
    return offset;
  }

  async invitation(room: string, userId: string): Promise<InvitationRecord | undefined> {
    const invitation = this.invitations.get(room, userId);
    return invitation && { ...invitation };
  }

  async invitationCount(scope: InvitationScope): Promise<number> {
    if ('room' in scope) return this.invitations.of(scope.room)?.size ?? 0;
    if ('user' in scope) return this.invitationsByUser.get(scope.user)?.size ?? 0;
    return this.invitationsGiven.get(scope.inviter)?.size ?? 0;
  }

  async invitationsOf(userId: string): Promise<Array<{ room: RoomRecord; invitation: InvitationRecord }>> {
    return [...(this.invitationsByUser.get(userId) ?? [])].sort(byString).map((id) => ({
      room: { ...(this.rooms.get(id) as RoomRecord) },
      invitation: { ...(this.invitations.get(id, userId) as InvitationRecord) },
    }));
  }

  async invitationsTo(room: string, page: PageRequest<string>): Promise<InvitationRecord[]> {
    return this.invitations.page(room, page);
  }

  async invitationsBy(inviter: string, page: PageRequest<InvitationCursor>): Promise<InvitationRecord[]> {
    const after = page.after;
    const byPlace = (a: InvitationCursor, b: InvitationCursor) =>
      byString(a.room, b.room) || byString(a.user, b.user);
    const placeOf = (i: InvitationRecord): InvitationCursor => ({ room: i.room, user: i.userId });
    return [...(this.invitationsGiven.get(inviter) ?? [])]
      .filter((i) => after === undefined || byPlace(placeOf(i), after) > 0)
      .sort((a, b) => byPlace(placeOf(a), placeOf(b)))
      .slice(0, Math.max(0, page.limit))
      .map((i) => ({ ...i }));
  }

  async removeInvitation(room: string, userId: string): Promise<boolean> {
    return this.dropInvitation(room, userId);
  }

  async removeExpiredInvitations(before: number, scope: InvitationScope): Promise<number> {
    const inScope: InvitationRecord[] =
      'room' in scope
        ? [...(this.invitations.of(scope.room)?.values() ?? [])]
        : 'user' in scope
          ? [...(this.invitationsByUser.get(scope.user) ?? [])].map(
              (room) => this.invitations.get(room, scope.user) as InvitationRecord,
            )
          : [...(this.invitationsGiven.get(scope.inviter) ?? [])];
    let removed = 0;
    for (const { room, userId, invitedAt } of inScope) {
      if (invitedAt < before && this.dropInvitation(room, userId)) removed += 1;
    }
    return removed;
  }

  async ban(ban: BanRecord): Promise<{ wasMember: boolean }> {
    const wasMember = await this.removeMember(ban.room, ban.userId);
    this.dropInvitation(ban.room, ban.userId);
    this.bansByRoom.set(ban.room, ban.userId, { ...ban });
    return { wasMember };
  }

  async activeBan(room: string, userId: string, now: number): Promise<BanRecord | undefined> {
    const ban = this.bansByRoom.get(room, userId);
    if (!ban || (ban.expiresAt !== undefined && ban.expiresAt <= now)) return undefined;
    return { ...ban };
  }

  async unban(room: string, userId: string): Promise<BanRecord | undefined> {
    const ban = this.bansByRoom.get(room, userId);
    if (ban) this.bansByRoom.delete(room, userId);
    return ban && { ...ban };
  }

  async bans(room: string, now: number, page: PageRequest<string>): Promise<BanRecord[]> {
    return this.bansByRoom.page(room, page, (b) => b.expiresAt === undefined || b.expiresAt > now);
  }

  private roomOfDirect(directKey: string): RoomRecord | undefined {
    const id = this.directs.get(directKey);
    return id === undefined ? undefined : this.rooms.get(id);
  }

  private insertMember(member: MemberRecord): void {
    this.membersByRoom.set(member.room, member.userId, member);
    entry(this.roomsByUser, member.userId, () => new Set<string>()).add(member.room);
    const room = this.rooms.get(member.room);
    if (room) room.memberCount += 1;
  }

  private dropInvitation(room: string, userId: string): boolean {
    const invitation = this.invitations.get(room, userId);
    if (!invitation) return false;
    this.invitations.delete(room, userId);
    const given = this.invitationsGiven.get(invitation.invitedBy);
    given?.delete(invitation);
    if (given?.size === 0) this.invitationsGiven.delete(invitation.invitedBy);
    const rooms = this.invitationsByUser.get(userId);
    rooms?.delete(room);
    if (rooms?.size === 0) this.invitationsByUser.delete(userId);
    return true;
  }
}
