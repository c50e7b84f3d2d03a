import type { UserInfo } from '../engine/types.js';

/** One connection's presence in a room. */
export interface PresenceEntry {
  /** Connection (session) id; unique across the cluster. */
  conn: string;
  user: UserInfo;
  /** Id of the node holding the connection. */
  node: string;
}

/** A user who left a room because their last entry there expired. */
export interface PresenceExpiry {
  room: string;
  user: UserInfo;
}

/** Rooms and the connections in them whose entries to keep alive. */
export type PresenceRefreshBatch = ReadonlyArray<{ room: string; conns: readonly string[] }>;

/**
 * Who is in which room. Entries are per connection and aggregated per user: a user with two connections in a
 * room is one user. Entries expire `presenceTtlMs` after they were added or last refreshed, so the presence of
 * a node that died disappears without anyone removing it.
 */
export interface PresenceStore {
  /**
   * Adds (or refreshes) a connection's entry.
   * @returns userJoined: true when the user had no other live connection in the room (announce a join)
   */
  add(room: string, entry: PresenceEntry): Promise<{ userJoined: boolean }>;

  /**
   * Removes a connection's entry.
   * @returns userLeft: true when it was the user's last live connection in the room (announce a leave)
   */
  remove(room: string, conn: string): Promise<{ userLeft: boolean; user?: UserInfo }>;

  /** Extends the life of the given entries; one call per refresh interval per node (implementations batch). */
  refresh(batch: PresenceRefreshBatch): Promise<void>;

  /** The users with at least one live connection in the room, one entry per user. */
  users(room: string): Promise<UserInfo[]>;

  /**
   * Removes expired entries and reports the users whose last entry in a room expired. Safe to call from every
   * node at once: each expiry is reported once.
   */
  expire(): Promise<PresenceExpiry[]>;
}
