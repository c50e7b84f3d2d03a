import type { UserStatus } from '../../client/wire/domain.js';
import type { SqlDatabase } from '../store/sql.js';
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
  RoomKind,
  RoomPatch,
  RoomRecord,
  SavedRecord,
  ThreadFollowRecord,
  WebhookRecord,
} from './room-directory.js';

/** A row of `parley_room_details` (bigint columns may come back as strings). */
interface RoomRow {
  room: string;
  kind: RoomKind;
  name: string;
  topic: string;
  created_by: string;
  created_at: string | number;
  archived_at: string | number | null;
  direct_key: string | null;
  member_count: number;
  announce_joins: boolean;
}

/** A row of `parley_members`. */
interface MemberRow {
  room: string;
  user_id: string;
  name: string | null;
  role: Role;
  joined_at: string | number;
  invited_by: string | null;
  muted_at: string | number | null;
  mute_expires_at: string | number | null;
  read_offset?: string | number;
  notifications?: NotificationLevel | null;
  favorite?: boolean | null;
  hidden_at?: string | number | null;
}

/** A row of `parley_invite_links`. */
interface InviteLinkRow {
  code: string;
  room: string;
  created_by: string;
  created_by_name: string;
  created_at: string | number;
  expires_at: string | number | null;
  max_uses: number | null;
  uses: number;
}

/** A row of `parley_saved`. */
interface SavedRow {
  user_id: string;
  room: string;
  offset: string | number;
  message_id: string;
  saved_at: string | number;
  remind_at: string | number | null;
  reminded_at: string | number | null;
}

const SAVED_COLUMNS = 'user_id, room, "offset", message_id, saved_at, remind_at, reminded_at';

function savedOf(row: SavedRow): SavedRecord {
  const saved: SavedRecord = {
    userId: row.user_id,
    room: row.room,
    offset: Number(row.offset),
    messageId: row.message_id,
    savedAt: Number(row.saved_at),
  };
  if (row.remind_at !== null) saved.remindAt = Number(row.remind_at);
  if (row.reminded_at !== null) saved.remindedAt = Number(row.reminded_at);
  return saved;
}

const LINK_COLUMNS = 'code, room, created_by, created_by_name, created_at, expires_at, max_uses, uses';

function inviteLinkOf(row: InviteLinkRow): InviteLinkRecord {
  const link: InviteLinkRecord = {
    code: row.code,
    room: row.room,
    createdBy: { id: row.created_by, name: row.created_by_name },
    createdAt: Number(row.created_at),
    uses: Number(row.uses),
  };
  if (row.expires_at !== null) link.expiresAt = Number(row.expires_at);
  if (row.max_uses !== null) link.maxUses = Number(row.max_uses);
  return link;
}

/** A row of `parley_webhooks`. */
interface WebhookRow {
  id: string;
  room: string;
  name: string;
  secret_sha256: string;
  created_by: string;
  created_by_name: string;
  created_at: string | number;
}

const WEBHOOK_COLUMNS = 'id, room, name, secret_sha256, created_by, created_by_name, created_at';

function webhookOf(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    room: row.room,
    name: row.name,
    secretSha256: row.secret_sha256,
    createdBy: { id: row.created_by, name: row.created_by_name },
    createdAt: Number(row.created_at),
  };
}

/**
 * The column of `parley_invitations` a scope of invitations is, and its value: each a range of an index (the primary
 * key for a room, migration 010's for an inviter, 002's for a user), so counting or removing one reads at most its
 * bound's worth of entries.
 */
function scopeColumn(scope: InvitationScope): ['room' | 'user_id' | 'invited_by', string] {
  if ('room' in scope) return ['room', scope.room];
  return 'user' in scope ? ['user_id', scope.user] : ['invited_by', scope.inviter];
}

/** A row of `parley_invitations`. */
interface InvitationRow {
  room: string;
  user_id: string;
  invited_by: string;
  invited_at: string | number;
}

/** A row of `parley_bans`. */
interface BanRow {
  room: string;
  user_id: string;
  reason: string;
  banned_by: string;
  banned_at: string | number;
  expires_at: string | number | null;
  user_name: string;
}

const ROOM_COLUMNS =
  'd.room, d.kind, d.name, d.topic, d.created_by, d.created_at, d.archived_at, d.direct_key, d.member_count, ' +
  'd.announce_joins';
const MEMBER_COLUMNS =
  'm.room, m.user_id, m.name, m.role, m.joined_at, m.invited_by, m.muted_at, m.mute_expires_at, m.read_offset, ' +
  'm.notifications, m.favorite, m.hidden_at';
const BAN_COLUMNS = 'room, user_id, reason, banned_by, banned_at, expires_at, user_name';
function toRoom(row: RoomRow): RoomRecord {
  const room: RoomRecord = {
    id: row.room,
    kind: row.kind,
    name: row.name,
    topic: row.topic,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    memberCount: Number(row.member_count),
    announceJoins: row.announce_joins,
  };
  if (row.archived_at !== null) room.archivedAt = Number(row.archived_at);
  if (row.direct_key !== null) room.directKey = row.direct_key;
  return room;
}

function toMember(row: MemberRow): MemberRecord {
  const member: MemberRecord = {
    room: row.room,
    userId: row.user_id,
    role: row.role,
    joinedAt: Number(row.joined_at),
  };
  if (row.name !== null) member.name = row.name;
  if (row.invited_by !== null) member.invitedBy = row.invited_by;
  if (row.muted_at !== null) member.mutedAt = Number(row.muted_at);
  if (row.mute_expires_at !== null) member.muteExpiresAt = Number(row.mute_expires_at);
  if (row.read_offset !== undefined && Number(row.read_offset) > 0)
    member.readOffset = Number(row.read_offset);
  if (row.notifications) member.notifications = row.notifications;
  if (row.favorite) member.favorite = true;
  if (row.hidden_at !== null && row.hidden_at !== undefined) member.hiddenAt = Number(row.hidden_at);
  return member;
}

function toInvitation(row: InvitationRow): InvitationRecord {
  return {
    room: row.room,
    userId: row.user_id,
    invitedBy: row.invited_by,
    invitedAt: Number(row.invited_at),
  };
}

function toBan(row: BanRow): BanRecord {
  const ban: BanRecord = {
    room: row.room,
    userId: row.user_id,
    reason: row.reason,
    bannedBy: row.banned_by,
    bannedAt: Number(row.banned_at),
  };
  if (row.expires_at !== null) ban.expiresAt = Number(row.expires_at);
  if (row.user_name) ban.name = row.user_name;
  return ban;
}

/** The parameters $1-$7 of {@link FOLLOW_THREADS_STATEMENT} and {@link THREAD_REPLIED_STATEMENT}: one array a column. */
const followParams = (records: ReadonlyArray<ThreadFollowRecord>) => [
  records.map((r) => r.userId),
  records.map((r) => r.room),
  records.map((r) => r.root),
  records.map((r) => r.rootId),
  records.map((r) => r.readOffset),
  records.map((r) => r.followedAt),
  records.map((r) => r.lastAt),
];

/**
 * The upsert of follows (users $1, rooms $2, roots $3 and their ids $4, read markers $5, times $6 and $7), one row per
 * user and thread: a follow there already moves its marker forward (of the same root id; another is of a log that
 * began again, and is replaced). Returns each row's user and marker, and whether it was made anew (`xmax = 0`).
 */
const UPSERT_FOLLOWS = `
INSERT INTO parley_thread_follows AS f (user_id, room, root, root_id, read_offset, followed_at, last_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[])
ON CONFLICT (user_id, room, root) DO UPDATE SET
  read_offset = CASE WHEN f.root_id = EXCLUDED.root_id THEN GREATEST(f.read_offset, EXCLUDED.read_offset)
                ELSE EXCLUDED.read_offset END,
  followed_at = CASE WHEN f.root_id = EXCLUDED.root_id THEN f.followed_at ELSE EXCLUDED.followed_at END,
  last_at = CASE WHEN f.root_id = EXCLUDED.root_id THEN GREATEST(f.last_at, EXCLUDED.last_at)
            ELSE EXCLUDED.last_at END,
  root_id = EXCLUDED.root_id
RETURNING user_id, read_offset, (xmax = 0) AS made`;

/** Follows threads ({@link UPSERT_FOLLOWS}); returns the users of the follows made anew. */
const FOLLOW_THREADS_STATEMENT = `
WITH upserted AS (${UPSERT_FOLLOWS})
SELECT user_id FROM upserted WHERE made`;

/**
 * A reply in the thread of root $9 (id $10) of room $8 at $11: the follows it makes upserted ($1-$7, as
 * {@link UPSERT_FOLLOWS}), the thread's other followers' `last_at` moved (a range of the `(room, root)` index), and
 * every follower returned with their marker and whether their follow is new. The UPDATE does not see the rows the
 * INSERT makes (one snapshot): the two sets are apart, and the UPDATE leaves out the users the INSERT names.
 */
const THREAD_REPLIED_STATEMENT = `
WITH upserted AS (${UPSERT_FOLLOWS}),
touched AS (
  UPDATE parley_thread_follows SET last_at = GREATEST(last_at, $11)
  WHERE room = $8 AND root = $9 AND root_id = $10 AND NOT (user_id = ANY($1::text[]))
  RETURNING user_id, read_offset, false AS made
)
SELECT user_id, read_offset, made FROM upserted
UNION ALL
SELECT user_id, read_offset, made FROM touched`;

/** Of users $1, the follows beyond the newest $2 (by when they were made) are dropped. */
const UNFOLLOW_OLDEST_STATEMENT = `
DELETE FROM parley_thread_follows f USING (
  SELECT user_id, room, root FROM (
    SELECT user_id, room, root,
           row_number() OVER (PARTITION BY user_id ORDER BY followed_at DESC, room DESC, root DESC) AS n
    FROM parley_thread_follows WHERE user_id = ANY($1::text[])
  ) ranked WHERE n > $2
) old
WHERE f.user_id = old.user_id AND f.room = old.room AND f.root = old.root`;

/**
 * The room directory in the SQL database (PostgreSQL or the embedded PGlite), in the tables of migration 002.
 * Each operation is one statement, so that what changes together (a room and its first members, a member and the
 * room's count, a ban and the membership it ends) commits together without a transaction's extra round trips.
 * The lookups the permission checks make are prepared statements.
 */
export class SqlRoomDirectory implements RoomDirectory {
  constructor(private readonly db: SqlDatabase) {}

  async create(input: NewRoom): Promise<{ room: RoomRecord; created: boolean }> {
    const { rows } = await this.db.query<RoomRow>(
      `WITH made AS (
         INSERT INTO parley_room_details AS d
           (room, kind, name, topic, created_by, created_at, direct_key, member_count, announce_joins)
         VALUES ($1, $2, $3, $4, $5, $6, $7, cardinality($8::text[]), $11)
         ON CONFLICT DO NOTHING
         RETURNING ${ROOM_COLUMNS}
       ),
       joined AS (
         INSERT INTO parley_members (room, user_id, role, joined_at, invited_by, name)
         SELECT made.room, u.user_id, u.role, $6, CASE WHEN u.user_id = $5 THEN NULL ELSE $5 END, u.name
         FROM made, unnest($8::text[], $9::text[], $10::text[]) AS u(user_id, role, name)
       )
       SELECT * FROM made`,
      [
        input.id,
        input.kind,
        input.name,
        input.topic ?? '',
        input.createdBy,
        input.createdAt,
        input.directKey ?? null,
        input.members.map((m) => m.userId),
        input.members.map((m) => m.role),
        input.members.map((m) => m.name ?? null),
        input.announceJoins ?? true,
      ],
    );
    if (rows[0]) return { room: toRoom(rows[0]), created: true };
    // Taken: by this id, or by a direct room of the same people (possibly created by another instance just now).
    const existing =
      (await this.get(input.id)) ??
      (input.directKey !== undefined ? await this.direct(input.directKey) : undefined);
    if (!existing) throw new Error(`room ${input.id} could not be created nor found`);
    return { room: existing, created: false };
  }

  async get(id: string): Promise<RoomRecord | undefined> {
    const { rows } = await this.db.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM parley_room_details d WHERE d.room = $1`,
      [id],
      'parley_room_get',
    );
    return rows[0] && toRoom(rows[0]);
  }

  async direct(directKey: string): Promise<RoomRecord | undefined> {
    const { rows } = await this.db.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM parley_room_details d WHERE d.direct_key = $1`,
      [directKey],
    );
    return rows[0] && toRoom(rows[0]);
  }

  async update(id: string, patch: RoomPatch): Promise<RoomRecord | undefined> {
    const { rows } = await this.db.query<RoomRow>(
      `UPDATE parley_room_details d SET
         name = COALESCE($2, d.name),
         topic = COALESCE($3, d.topic),
         archived_at = CASE WHEN $4::boolean THEN $5::bigint ELSE d.archived_at END,
         announce_joins = COALESCE($6, d.announce_joins),
         direct_key = CASE WHEN $7::boolean THEN NULL ELSE d.direct_key END
       WHERE d.room = $1
       RETURNING ${ROOM_COLUMNS}`,
      [
        id,
        patch.name ?? null,
        patch.topic ?? null,
        patch.archivedAt !== undefined,
        patch.archivedAt ?? null,
        patch.announceJoins ?? null,
        patch.directKey === null,
      ],
    );
    return rows[0] && toRoom(rows[0]);
  }

  async publicRooms(page: PageRequest<RoomCursor>): Promise<RoomRecord[]> {
    const { rows } = await this.db.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM parley_room_details d
       WHERE d.kind = 'public' AND d.archived_at IS NULL
         AND ($1::text IS NULL OR (d.name, d.room) > ($1::text COLLATE "C", $2::text COLLATE "C"))
       ORDER BY d.name, d.room LIMIT $3`,
      [page.after?.name ?? null, page.after?.id ?? null, Math.max(0, page.limit)],
    );
    return rows.map(toRoom);
  }

  async allRooms(page: PageRequest<string>): Promise<RoomRecord[]> {
    const { rows } = await this.db.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM parley_room_details d
       WHERE ($1::text IS NULL OR d.room > $1::text COLLATE "C")
       ORDER BY d.room COLLATE "C" LIMIT $2`,
      [page.after ?? null, Math.max(0, page.limit)],
    );
    return rows.map(toRoom);
  }

  async member(room: string, userId: string): Promise<MemberRecord | undefined> {
    const { rows } = await this.db.query<MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM parley_members m WHERE m.room = $1 AND m.user_id = $2`,
      [room, userId],
      'parley_member_get',
    );
    return rows[0] && toMember(rows[0]);
  }

  async addMember(member: MemberRecord): Promise<boolean> {
    const { rows } = await this.db.query<{ added: number }>(
      `WITH added AS (
         INSERT INTO parley_members (room, user_id, role, joined_at, invited_by, muted_at, mute_expires_at, name)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8
         WHERE EXISTS (SELECT 1 FROM parley_room_details WHERE room = $1)
         ON CONFLICT DO NOTHING
         RETURNING room
       ),
       counted AS (
         UPDATE parley_room_details SET member_count = member_count + 1
         WHERE room IN (SELECT room FROM added)
       ),
       cleared AS (
         DELETE FROM parley_invitations
         WHERE room = $1 AND user_id = $2 AND EXISTS (SELECT 1 FROM added)
       )
       SELECT count(*)::int AS added FROM added`,
      [
        member.room,
        member.userId,
        member.role,
        member.joinedAt,
        member.invitedBy ?? null,
        member.mutedAt ?? null,
        member.muteExpiresAt ?? null,
        member.name ?? null,
      ],
    );
    return (rows[0]?.added ?? 0) > 0;
  }

  async removeMember(room: string, userId: string): Promise<boolean> {
    const { rows } = await this.db.query<{ removed: number }>(
      `WITH removed AS (
         DELETE FROM parley_members WHERE room = $1 AND user_id = $2 RETURNING room
       ),
       counted AS (
         UPDATE parley_room_details SET member_count = member_count - 1
         WHERE room IN (SELECT room FROM removed)
       )
       SELECT count(*)::int AS removed FROM removed`,
      [room, userId],
    );
    return (rows[0]?.removed ?? 0) > 0;
  }

  async setRole(room: string, userId: string, role: Role): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE parley_members SET role = $3 WHERE room = $1 AND user_id = $2',
      [room, userId, role],
    );
    return rowCount > 0;
  }

  async setNotifications(
    room: string,
    userId: string,
    level: NotificationLevel | undefined,
  ): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE parley_members SET notifications = $3 WHERE room = $1 AND user_id = $2',
      [room, userId, level ?? null],
    );
    return rowCount > 0;
  }

  async setFavorite(room: string, userId: string, favorite: boolean): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE parley_members SET favorite = $3 WHERE room = $1 AND user_id = $2',
      [room, userId, favorite ? true : null],
    );
    return rowCount > 0;
  }

  async setHidden(room: string, userId: string, at: number | undefined): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE parley_members SET hidden_at = $3 WHERE room = $1 AND user_id = $2',
      [room, userId, at ?? null],
    );
    return rowCount > 0;
  }

  async setMute(
    room: string,
    userId: string,
    mute: { at: number; expiresAt?: number } | undefined,
  ): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE parley_members SET muted_at = $3, mute_expires_at = $4 WHERE room = $1 AND user_id = $2',
      [room, userId, mute?.at ?? null, mute?.expiresAt ?? null],
    );
    return rowCount > 0;
  }

  async senior(room: string): Promise<MemberRecord | undefined> {
    // Rare (the last owner left) and one room's members at most: no index of its own.
    const { rows } = await this.db.query<MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM parley_members m WHERE m.room = $1
       ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, m.joined_at, m.user_id LIMIT 1`,
      [room],
      'parley_members_senior',
    );
    return rows[0] && toMember(rows[0]);
  }

  async members(room: string, page: PageRequest<string>): Promise<MemberRecord[]> {
    const limit = Math.max(0, page.limit);
    // Two statements, not `$2 IS NULL OR user_id > $2`: a prepared plan of that cannot start the primary key's
    // range at the cursor, so every page of a big room would read the rest of the room and sort it.
    const { rows } =
      page.after === undefined
        ? await this.db.query<MemberRow>(
            `SELECT ${MEMBER_COLUMNS} FROM parley_members m WHERE m.room = $1 ORDER BY m.user_id LIMIT $2`,
            [room, limit],
            'parley_members_first',
          )
        : await this.db.query<MemberRow>(
            `SELECT ${MEMBER_COLUMNS} FROM parley_members m
             WHERE m.room = $1 AND m.user_id > $2 ORDER BY m.user_id LIMIT $3`,
            [room, page.after, limit],
            'parley_members_after',
          );
    return rows.map(toMember);
  }

  async roomCount(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM parley_members WHERE user_id = $1',
      [userId],
      'parley_room_count',
    );
    return rows[0]?.n ?? 0;
  }

  async roomsOf(userId: string): Promise<Array<{ room: RoomRecord; member: MemberRecord }>> {
    // The room's and the membership's columns have different names but one: the member's name comes aliased.
    // One JSON array instead of a row per room: the embedded store spends ~40 us per row handing rows over (20 ms
    // for a user in 500 rooms), and a JSON text once (both stores parse it in one call).
    const { rows } = await this.db.query<{ rooms: string | null }>(
      `SELECT json_agg(s ORDER BY s.room)::text AS rooms FROM (
         SELECT ${ROOM_COLUMNS}, m.user_id, m.name AS member_name, m.role, m.joined_at, m.invited_by, m.muted_at,
                m.mute_expires_at, m.read_offset, m.notifications, m.favorite, m.hidden_at
         FROM parley_members m JOIN parley_room_details d ON d.room = m.room
         WHERE m.user_id = $1
       ) s`,
      [userId],
      'parley_rooms_of',
    );
    const list = JSON.parse(rows[0]?.rooms ?? '[]') as Array<
      RoomRow & MemberRow & { member_name: string | null }
    >;
    return list.map((row) => ({ room: toRoom(row), member: toMember({ ...row, name: row.member_name }) }));
  }

  async markRead(markers: ReadonlyArray<ReadMarkerRecord>): Promise<MovedMarker[]> {
    if (markers.length === 0) return [];
    const { rows } = await this.db.query<{
      room: string;
      user_id: string;
      read_offset: string;
      direct: boolean;
    }>(
      `UPDATE parley_members m SET read_offset = v."offset"
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v(room, user_id, "offset")
       WHERE m.room = v.room AND m.user_id = v.user_id AND m.read_offset < v."offset"
       RETURNING m.room, m.user_id, m.read_offset,
         EXISTS (SELECT 1 FROM parley_room_details d WHERE d.room = m.room AND d.kind = 'direct') AS direct`,
      [markers.map((m) => m.room), markers.map((m) => m.userId), markers.map((m) => m.offset)],
      'parley_mark_read',
    );
    return rows.map((row) => ({
      room: row.room,
      userId: row.user_id,
      offset: Number(row.read_offset),
      direct: row.direct,
    }));
  }

  async markUnread(marker: ReadMarkerRecord): Promise<MovedMarker | undefined> {
    const { rows } = await this.db.query<{ direct: boolean }>(
      `UPDATE parley_members m SET read_offset = $3
       WHERE m.room = $1 AND m.user_id = $2 AND m.read_offset > $3
       RETURNING EXISTS (SELECT 1 FROM parley_room_details d WHERE d.room = m.room AND d.kind = 'direct') AS direct`,
      [marker.room, marker.userId, marker.offset],
    );
    const row = rows[0];
    return row && { ...marker, direct: row.direct };
  }

  async receiptsOff(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const { rows } = await this.db.query<{ user_id: string }>(
      'SELECT user_id FROM parley_user_settings WHERE user_id = ANY($1::text[]) AND NOT read_receipts',
      [[...userIds]],
    );
    return new Set(rows.map((row) => row.user_id));
  }

  async setReceipts(userId: string, on: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO parley_user_settings (user_id, read_receipts) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET read_receipts = EXCLUDED.read_receipts`,
      [userId, on],
    );
  }

  async setStatus(userId: string, status: UserStatus | undefined): Promise<void> {
    await this.db.query(
      `INSERT INTO parley_user_settings (user_id, status) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status`,
      [userId, status ? JSON.stringify(status) : null],
    );
  }

  async statuses(userIds: readonly string[]): Promise<Map<string, UserStatus>> {
    if (userIds.length === 0) return new Map();
    const { rows } = await this.db.query<{ user_id: string; status: string }>(
      'SELECT user_id, status FROM parley_user_settings WHERE user_id = ANY($1::text[]) AND status IS NOT NULL',
      [[...userIds]],
    );
    return new Map(rows.map((row) => [row.user_id, JSON.parse(row.status) as UserStatus]));
  }

  async invite(invitation: InvitationRecord): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO parley_invitations (room, user_id, invited_by, invited_at)
       SELECT $1, $2, $3, $4
       WHERE EXISTS (SELECT 1 FROM parley_room_details WHERE room = $1)
         AND NOT EXISTS (SELECT 1 FROM parley_members WHERE room = $1 AND user_id = $2)
       ON CONFLICT DO NOTHING`,
      [invitation.room, invitation.userId, invitation.invitedBy, invitation.invitedAt],
    );
    return rowCount > 0;
  }

  async pin(pin: PinRecord): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO parley_pins (room, "offset", message_id, pinned_by, pinned_by_name, pinned_at)
       SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM parley_room_details WHERE room = $1)
       ON CONFLICT DO NOTHING`,
      [pin.room, pin.offset, pin.messageId, pin.pinnedBy.id, pin.pinnedBy.name, pin.pinnedAt],
    );
    return rowCount > 0;
  }

  async unpin(room: string, offset: number): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM parley_pins WHERE room = $1 AND "offset" = $2', [
      room,
      offset,
    ]);
    return rowCount > 0;
  }

  async pins(room: string): Promise<PinRecord[]> {
    const { rows } = await this.db.query<{
      room: string;
      offset: string | number;
      message_id: string;
      pinned_by: string;
      pinned_by_name: string;
      pinned_at: string | number;
    }>(
      `SELECT room, "offset", message_id, pinned_by, pinned_by_name, pinned_at FROM parley_pins
       WHERE room = $1 ORDER BY pinned_at DESC, "offset" DESC`,
      [room],
    );
    return rows.map((row) => ({
      room: row.room,
      offset: Number(row.offset),
      messageId: row.message_id,
      pinnedBy: { id: row.pinned_by, name: row.pinned_by_name },
      pinnedAt: Number(row.pinned_at),
    }));
  }

  async addInviteLink(link: InviteLinkRecord): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO parley_invite_links (${LINK_COLUMNS})
       SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM parley_room_details WHERE room = $2)
       ON CONFLICT DO NOTHING`,
      [
        link.code,
        link.room,
        link.createdBy.id,
        link.createdBy.name,
        link.createdAt,
        link.expiresAt ?? null,
        link.maxUses ?? null,
        link.uses,
      ],
    );
    return rowCount > 0;
  }

  async inviteLink(code: string): Promise<InviteLinkRecord | undefined> {
    const { rows } = await this.db.query<InviteLinkRow>(
      `SELECT ${LINK_COLUMNS} FROM parley_invite_links WHERE code = $1`,
      [code],
    );
    return rows[0] && inviteLinkOf(rows[0]);
  }

  async inviteLinks(room: string): Promise<InviteLinkRecord[]> {
    const { rows } = await this.db.query<InviteLinkRow>(
      `SELECT ${LINK_COLUMNS} FROM parley_invite_links WHERE room = $1 ORDER BY created_at, code`,
      [room],
    );
    return rows.map(inviteLinkOf);
  }

  async useInviteLink(code: string, now: number): Promise<InviteLinkRecord | undefined> {
    const { rows } = await this.db.query<InviteLinkRow>(
      `UPDATE parley_invite_links SET uses = uses + 1
       WHERE code = $1 AND (expires_at IS NULL OR expires_at > $2) AND (max_uses IS NULL OR uses < max_uses)
       RETURNING ${LINK_COLUMNS}`,
      [code, now],
    );
    return rows[0] && inviteLinkOf(rows[0]);
  }

  async removeInviteLink(room: string, code: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM parley_invite_links WHERE room = $1 AND code = $2',
      [room, code],
    );
    return rowCount > 0;
  }

  async addWebhook(hook: WebhookRecord): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO parley_webhooks (${WEBHOOK_COLUMNS})
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM parley_room_details WHERE room = $2)
       ON CONFLICT DO NOTHING`,
      [
        hook.id,
        hook.room,
        hook.name,
        hook.secretSha256,
        hook.createdBy.id,
        hook.createdBy.name,
        hook.createdAt,
      ],
    );
    return rowCount > 0;
  }

  async webhook(id: string): Promise<WebhookRecord | undefined> {
    const { rows } = await this.db.query<WebhookRow>(
      `SELECT ${WEBHOOK_COLUMNS} FROM parley_webhooks WHERE id = $1`,
      [id],
    );
    return rows[0] && webhookOf(rows[0]);
  }

  async webhooks(room: string): Promise<WebhookRecord[]> {
    const { rows } = await this.db.query<WebhookRow>(
      `SELECT ${WEBHOOK_COLUMNS} FROM parley_webhooks WHERE room = $1 ORDER BY created_at, id`,
      [room],
    );
    return rows.map(webhookOf);
  }

  async removeWebhook(room: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM parley_webhooks WHERE room = $1 AND id = $2', [
      room,
      id,
    ]);
    return rowCount > 0;
  }

  async save(saved: SavedRecord): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO parley_saved (user_id, room, "offset", message_id, saved_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [saved.userId, saved.room, saved.offset, saved.messageId, saved.savedAt],
    );
    return rowCount > 0;
  }

  async unsave(userId: string, room: string, offset: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM parley_saved WHERE user_id = $1 AND room = $2 AND "offset" = $3',
      [userId, room, offset],
    );
    return rowCount > 0;
  }

  async saved(userId: string): Promise<SavedRecord[]> {
    const { rows } = await this.db.query<SavedRow>(
      `SELECT ${SAVED_COLUMNS} FROM parley_saved
       WHERE user_id = $1 ORDER BY saved_at DESC, room DESC, "offset" DESC`,
      [userId],
    );
    return rows.map(savedOf);
  }

  async setReminder(
    userId: string,
    room: string,
    offset: number,
    remindAt: number | undefined,
  ): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE parley_saved SET remind_at = $4, reminded_at = NULL
       WHERE user_id = $1 AND room = $2 AND "offset" = $3`,
      [userId, room, offset, remindAt ?? null],
    );
    return rowCount > 0;
  }

  async dueReminders(now: number, limit: number): Promise<SavedRecord[]> {
    // SKIP LOCKED: an instance asking at the same moment passes over the rows this one marks.
    const { rows } = await this.db.query<SavedRow>(
      `UPDATE parley_saved SET reminded_at = $1
       WHERE (user_id, room, "offset") IN (
         SELECT user_id, room, "offset" FROM parley_saved
         WHERE remind_at <= $1 AND reminded_at IS NULL
         ORDER BY remind_at LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING ${SAVED_COLUMNS}`,
      [now, limit],
    );
    return rows.map(savedOf).sort((a, b) => (a.remindAt as number) - (b.remindAt as number));
  }

  async followThreads(records: ReadonlyArray<ThreadFollowRecord>, max: number): Promise<void> {
    if (records.length === 0) return;
    const { rows } = await this.db.query<{ user_id: string }>(
      FOLLOW_THREADS_STATEMENT,
      followParams(records),
    );
    // Only a user who follows one more thread can have passed the bound.
    const grown = [...new Set(rows.map((row) => row.user_id))];
    if (grown.length > 0) await this.db.query(UNFOLLOW_OLDEST_STATEMENT, [grown, max]);
  }

  async unfollowThread(userId: string, room: string, root: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM parley_thread_follows WHERE user_id = $1 AND room = $2 AND root = $3',
      [userId, room, root],
    );
    return rowCount > 0;
  }

  async threadReplied(
    thread: { room: string; root: number; rootId: string; at: number },
    follows: ReadonlyArray<ThreadFollowRecord>,
    max: number,
  ): Promise<Array<{ userId: string; readOffset: number }>> {
    const { rows } = await this.db.query<{ user_id: string; read_offset: string | number; made: boolean }>(
      THREAD_REPLIED_STATEMENT,
      [...followParams(follows), thread.room, thread.root, thread.rootId, thread.at],
      'parley_thread_replied',
    );
    // Only a user who follows one more thread can have passed the bound.
    const grown = [...new Set(rows.filter((row) => row.made).map((row) => row.user_id))];
    if (grown.length > 0) await this.db.query(UNFOLLOW_OLDEST_STATEMENT, [grown, max]);
    return rows.map((row) => ({ userId: row.user_id, readOffset: Number(row.read_offset) }));
  }

  async followedThreads(userId: string): Promise<ThreadFollowRecord[]> {
    const { rows } = await this.db.query<{
      user_id: string;
      room: string;
      root: string | number;
      root_id: string;
      read_offset: string | number;
      followed_at: string | number;
      last_at: string | number;
    }>(
      `SELECT user_id, room, root, root_id, read_offset, followed_at, last_at FROM parley_thread_follows
       WHERE user_id = $1 ORDER BY last_at DESC, room DESC, root DESC`,
      [userId],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      room: row.room,
      root: Number(row.root),
      rootId: row.root_id,
      readOffset: Number(row.read_offset),
      followedAt: Number(row.followed_at),
      lastAt: Number(row.last_at),
    }));
  }

  async readThread(userId: string, room: string, root: number, offset: number): Promise<number | undefined> {
    const { rows } = await this.db.query<{ read_offset: string | number }>(
      `UPDATE parley_thread_follows SET read_offset = $4
       WHERE user_id = $1 AND room = $2 AND root = $3 AND read_offset < $4 RETURNING read_offset`,
      [userId, room, root, offset],
    );
    return rows[0] ? Number(rows[0].read_offset) : undefined;
  }

  async invitation(room: string, userId: string): Promise<InvitationRecord | undefined> {
    const { rows } = await this.db.query<InvitationRow>(
      'SELECT room, user_id, invited_by, invited_at FROM parley_invitations WHERE room = $1 AND user_id = $2',
      [room, userId],
    );
    return rows[0] && toInvitation(rows[0]);
  }

  async invitationCount(scope: InvitationScope): Promise<number> {
    const [column, value] = scopeColumn(scope);
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM parley_invitations WHERE ${column} = $1`,
      [value],
    );
    return rows[0]?.n ?? 0;
  }

  async invitationsOf(userId: string): Promise<Array<{ room: RoomRecord; invitation: InvitationRecord }>> {
    const { rows } = await this.db.query<
      RoomRow & { user_id: string; invited_by: string; invited_at: string }
    >(
      `SELECT ${ROOM_COLUMNS}, i.user_id, i.invited_by, i.invited_at
       FROM parley_invitations i JOIN parley_room_details d ON d.room = i.room
       WHERE i.user_id = $1 ORDER BY i.room`,
      [userId],
    );
    return rows.map((row) => ({ room: toRoom(row), invitation: toInvitation(row) }));
  }

  async invitationsTo(room: string, page: PageRequest<string>): Promise<InvitationRecord[]> {
    const limit = Math.max(0, page.limit);
    const { rows } =
      page.after === undefined
        ? await this.db.query<InvitationRow>(
            `SELECT room, user_id, invited_by, invited_at FROM parley_invitations
             WHERE room = $1 ORDER BY user_id LIMIT $2`,
            [room, limit],
          )
        : await this.db.query<InvitationRow>(
            `SELECT room, user_id, invited_by, invited_at FROM parley_invitations
             WHERE room = $1 AND user_id > $2 ORDER BY user_id LIMIT $3`,
            [room, page.after, limit],
          );
    return rows.map(toInvitation);
  }

  async invitationsBy(inviter: string, page: PageRequest<InvitationCursor>): Promise<InvitationRecord[]> {
    const limit = Math.max(0, page.limit);
    // A range of migration 010's index (invited_by, room, user_id): the row comparison is its order.
    const { rows } =
      page.after === undefined
        ? await this.db.query<InvitationRow>(
            `SELECT room, user_id, invited_by, invited_at FROM parley_invitations
             WHERE invited_by = $1 ORDER BY room, user_id LIMIT $2`,
            [inviter, limit],
          )
        : await this.db.query<InvitationRow>(
            `SELECT room, user_id, invited_by, invited_at FROM parley_invitations
             WHERE invited_by = $1 AND (room, user_id) > ($2, $3) ORDER BY room, user_id LIMIT $4`,
            [inviter, page.after.room, page.after.user, limit],
          );
    return rows.map(toInvitation);
  }

  async removeExpiredInvitations(before: number, scope: InvitationScope): Promise<number> {
    const [column, value] = scopeColumn(scope);
    const { rowCount } = await this.db.query(
      `DELETE FROM parley_invitations WHERE ${column} = $1 AND invited_at < $2`,
      [value, before],
    );
    return rowCount;
  }

  async removeInvitation(room: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM parley_invitations WHERE room = $1 AND user_id = $2',
      [room, userId],
    );
    return rowCount > 0;
  }

  async ban(ban: BanRecord): Promise<{ wasMember: boolean }> {
    const { rows } = await this.db.query<{ removed: number }>(
      `WITH banned AS (
         INSERT INTO parley_bans (room, user_id, reason, banned_by, banned_at, expires_at, user_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (room, user_id) DO UPDATE SET reason = EXCLUDED.reason, banned_by = EXCLUDED.banned_by,
           banned_at = EXCLUDED.banned_at, expires_at = EXCLUDED.expires_at, user_name = EXCLUDED.user_name
       ),
       removed AS (
         DELETE FROM parley_members WHERE room = $1 AND user_id = $2 RETURNING room
       ),
       counted AS (
         UPDATE parley_room_details SET member_count = member_count - 1
         WHERE room IN (SELECT room FROM removed)
       ),
       uninvited AS (
         DELETE FROM parley_invitations WHERE room = $1 AND user_id = $2
       )
       SELECT count(*)::int AS removed FROM removed`,
      [ban.room, ban.userId, ban.reason, ban.bannedBy, ban.bannedAt, ban.expiresAt ?? null, ban.name ?? ''],
    );
    return { wasMember: (rows[0]?.removed ?? 0) > 0 };
  }

  async activeBan(room: string, userId: string, now: number): Promise<BanRecord | undefined> {
    const { rows } = await this.db.query<BanRow>(
      `SELECT ${BAN_COLUMNS} FROM parley_bans
       WHERE room = $1 AND user_id = $2 AND (expires_at IS NULL OR expires_at > $3)`,
      [room, userId, now],
      'parley_ban_active',
    );
    return rows[0] && toBan(rows[0]);
  }

  async bans(room: string, now: number, page: PageRequest<string>): Promise<BanRecord[]> {
    const limit = Math.max(0, page.limit);
    // From the primary key's range at the cursor (two statements, as members'): expired bans are skipped, not read
    // past in a sort.
    const { rows } =
      page.after === undefined
        ? await this.db.query<BanRow>(
            `SELECT ${BAN_COLUMNS} FROM parley_bans
             WHERE room = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY user_id LIMIT $3`,
            [room, now, limit],
            'parley_bans_first',
          )
        : await this.db.query<BanRow>(
            `SELECT ${BAN_COLUMNS} FROM parley_bans
             WHERE room = $1 AND user_id > $2 AND (expires_at IS NULL OR expires_at > $3) ORDER BY user_id LIMIT $4`,
            [room, page.after, now, limit],
            'parley_bans_after',
          );
    return rows.map(toBan);
  }

  async unban(room: string, userId: string): Promise<BanRecord | undefined> {
    const { rows } = await this.db.query<BanRow>(
      `DELETE FROM parley_bans WHERE room = $1 AND user_id = $2
       RETURNING ${BAN_COLUMNS}`,
      [room, userId],
    );
    return rows[0] && toBan(rows[0]);
  }
}
