import type { UserInfo } from '../engine/types.js';
import type { PresenceEntry, PresenceExpiry, PresenceSample, PresenceStore } from './presence-store.js';

interface RoomPresence {
  /** conn → entry. */
  conns: Map<string, PresenceEntry>;
  /** user id → number of live connections of that user in the room. */
  users: Map<string, { user: UserInfo; count: number }>;
}

/**
 * Presence of a single node, in process memory. The store is the only instance and lives as long as the process,
 * so entries go only when removed: there is nothing to expire.
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
    presence.conns.set(entry.conn, entry);
    const user = presence.users.get(entry.user.id);
    if (user) {
      user.count += 1;
      return { userJoined: false };
    }
    presence.users.set(entry.user.id, { user: entry.user, count: 1 });
    return { userJoined: true };
  }

  async remove(room: string, conn: string): Promise<{ userLeft: boolean; user?: UserInfo }> {
    const presence = this.rooms.get(room);
    const existing = presence?.conns.get(conn);
    if (!presence || !existing) return { userLeft: false };
    return this.drop(room, presence, conn, existing);
  }

  async refreshLiveness(): Promise<void> {}

  async users(room: string): Promise<UserInfo[]> {
    const presence = this.rooms.get(room);
    if (!presence) return [];
    return [...presence.users.values()].map(({ user }) => user);
  }

  async sample(room: string, limit: number): Promise<PresenceSample> {
    const presence = this.rooms.get(room);
    if (!presence) return { count: 0, users: [] };
    const users: UserInfo[] = [];
    for (const { user } of presence.users.values()) {
      if (users.length >= limit) break;
      users.push(user);
    }
    return { count: presence.users.size, users };
  }

  async expire(): Promise<PresenceExpiry[]> {
    return [];
  }

  private drop(
    room: string,
    presence: RoomPresence,
    conn: string,
    entry: PresenceEntry,
  ): { userLeft: boolean; user?: UserInfo } {
    presence.conns.delete(conn);
    const user = presence.users.get(entry.user.id);
    let userLeft = false;
    if (user) {
      user.count -= 1;
      if (user.count <= 0) {
        presence.users.delete(entry.user.id);
        userLeft = true;
      }
    }
    if (presence.conns.size === 0) this.rooms.delete(room);
    return { userLeft, user: entry.user };
  }
}
