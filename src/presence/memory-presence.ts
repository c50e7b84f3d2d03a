import type { UserInfo } from '../engine/types.js';
import type { Clock } from '../util/clock.js';
import type { PresenceEntry, PresenceExpiry, PresenceRefreshBatch, PresenceStore } from './presence-store.js';

interface RoomPresence {
  /** conn → entry and its expiry time. */
  conns: Map<string, { entry: PresenceEntry; expiresAt: number }>;
  /** user id → number of live connections of that user in the room. */
  users: Map<string, { user: UserInfo; count: number }>;
}

/** Presence of a single node, in process memory, with the same expiry semantics as the Redis store. */
export class MemoryPresence implements PresenceStore {
  private readonly rooms = new Map<string, RoomPresence>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  async add(room: string, entry: PresenceEntry): Promise<{ userJoined: boolean }> {
    let presence = this.rooms.get(room);
    if (!presence) {
      presence = { conns: new Map(), users: new Map() };
      this.rooms.set(room, presence);
    }
    const expiresAt = this.clock.now() + this.ttlMs;
    const existing = presence.conns.get(entry.conn);
    if (existing) {
      existing.expiresAt = expiresAt;
      return { userJoined: false };
    }
    presence.conns.set(entry.conn, { entry, expiresAt });
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
    return this.drop(room, presence, conn, existing.entry);
  }

  async refresh(batch: PresenceRefreshBatch): Promise<void> {
    const expiresAt = this.clock.now() + this.ttlMs;
    for (const { room, conns } of batch) {
      const presence = this.rooms.get(room);
      if (!presence) continue;
      for (const conn of conns) {
        const existing = presence.conns.get(conn);
        if (existing) existing.expiresAt = expiresAt;
      }
    }
  }

  async users(room: string): Promise<UserInfo[]> {
    const presence = this.rooms.get(room);
    if (!presence) return [];
    const now = this.clock.now();
    const live = new Map<string, UserInfo>();
    for (const { entry, expiresAt } of presence.conns.values()) {
      if (expiresAt > now) live.set(entry.user.id, entry.user);
    }
    return [...live.values()];
  }

  async expire(): Promise<PresenceExpiry[]> {
    const now = this.clock.now();
    const expired: PresenceExpiry[] = [];
    for (const [room, presence] of this.rooms) {
      for (const [conn, { entry, expiresAt }] of presence.conns) {
        if (expiresAt > now) continue;
        const { userLeft, user } = this.drop(room, presence, conn, entry);
        if (userLeft && user) expired.push({ room, user });
      }
    }
    return expired;
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
