import type { UserInfo } from '../engine/types.js';
import {
  type PresenceEntry,
  type PresenceExpiry,
  type PresenceSample,
  type PresenceStore,
  sampleWith,
} from './presence-store.js';

/** A user with several connections in a room, and how many. */
interface SharedUser {
  user: UserInfo;
  count: number;
}

/** A user of a room: most have one connection there, and are held as themselves (no count object for them). */
type RoomUser = UserInfo | SharedUser;

function isShared(entry: RoomUser): entry is SharedUser {
  return 'count' in entry;
}

function userOf(entry: RoomUser): UserInfo {
  return isShared(entry) ? entry.user : entry;
}

interface RoomPresence {
  /** conn → the connection's user (the node is this one: there is no other). */
  conns: Map<string, UserInfo>;
  /** user id → the user, with a count once they have several connections in the room. */
  users: Map<string, RoomUser>;
  /**
   * The last sample's users (the first `limit` in `users`' order) and their ids, in a room of `MIN_KEPT` users or
   * more, kept until a user leaves or, while the room has fewer than `limit`, one joins. In a room above a page of
   * users, joins add users after the page: a join storm samples it in O(1) instead of walking `limit` entries (and
   * reading `limit` scattered user objects to find the joiner among them) per join.
   */
  first?: { limit: number; users: readonly UserInfo[]; ids: Set<string> };
}

/** Rooms with fewer users than this keep no sample. */
const MIN_KEPT = 16;

/** The first `limit` users of the room, in the order they came. */
function firstUsers(presence: RoomPresence, limit: number): UserInfo[] {
  const users: UserInfo[] = [];
  for (const entry of presence.users.values()) {
    if (users.length >= limit) break;
    users.push(userOf(entry));
  }
  return users;
}

/**
 * Presence of a single node, in process memory. The store is the only instance and lives as long as the process,
 * so entries go only when removed: there is nothing to expire. Tens of thousands of connections each have an
 * entry here: an entry is the user object the session holds already, nothing made for it.
 */
export class MemoryPresence implements PresenceStore {
  private readonly rooms = new Map<string, RoomPresence>();

  async add(room: string, entry: PresenceEntry): Promise<{ userJoined: boolean }> {
    let presence = this.rooms.get(room);
    if (!presence) {
      presence = { conns: new Map(), users: new Map() };
      this.rooms.set(room, presence);
    }
    if (presence.conns.has(entry.conn)) return { userJoined: false };
    presence.conns.set(entry.conn, entry.user);
    const known = presence.users.get(entry.user.id);
    if (!known) {
      presence.users.set(entry.user.id, entry.user);
      // A new user goes last: the kept sample misses them only if it listed every user.
      if (presence.first && presence.first.users.length < presence.first.limit) presence.first = undefined;
      return { userJoined: true };
    }
    if (isShared(known)) known.count += 1;
    else presence.users.set(entry.user.id, { user: known, count: 2 });
    return { userJoined: false };
  }

  async remove(room: string, conn: string): Promise<{ userLeft: boolean; user?: UserInfo }> {
    const presence = this.rooms.get(room);
    const user = presence?.conns.get(conn);
    if (!presence || !user) return { userLeft: false };
    return this.drop(room, presence, conn, user);
  }

  async refreshLiveness(): Promise<void> {}

  async users(room: string): Promise<UserInfo[]> {
    const presence = this.rooms.get(room);
    if (!presence) return [];
    return [...presence.users.values()].map(userOf);
  }

  async sample(room: string, limit: number, include?: UserInfo): Promise<PresenceSample> {
    const presence = this.rooms.get(room);
    if (!presence || limit <= 0)
      return sampleWith({ count: presence?.users.size ?? 0, users: [] }, limit, include);
    const count = presence.users.size;
    let first = presence.first;
    if (first?.limit !== limit) {
      const users = firstUsers(presence, limit);
      // A small room's sample costs less to take again than to keep (most rooms are small: direct messages).
      if (count < MIN_KEPT) return sampleWith({ count, users }, limit, include);
      first = { limit, users, ids: new Set(users.map((user) => user.id)) };
      presence.first = first;
    }
    // The kept ids answer whether the joiner is listed without reading the users.
    return sampleWith(
      { count, users: first.users },
      limit,
      include,
      include !== undefined && first.ids.has(include.id),
    );
  }

  async expire(): Promise<PresenceExpiry[]> {
    return [];
  }

  private drop(
    room: string,
    presence: RoomPresence,
    conn: string,
    user: UserInfo,
  ): { userLeft: boolean; user?: UserInfo } {
    presence.conns.delete(conn);
    const known = presence.users.get(user.id);
    let userLeft = false;
    if (known && isShared(known)) {
      known.count -= 1;
      // Back to one connection: the user is held as themselves again.
      if (known.count === 1) presence.users.set(user.id, known.user);
    } else if (known) {
      presence.users.delete(user.id);
      presence.first = undefined;
      userLeft = true;
    }
    if (presence.conns.size === 0) this.rooms.delete(room);
    return { userLeft, user };
  }
}
