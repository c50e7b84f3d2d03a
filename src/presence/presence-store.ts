import type { UserInfo } from '../engine/types.js';

/** One connection's presence in a room. */
export interface PresenceEntry {
  /** Connection (session) id; unique across the cluster. */
  conn: string;
  user: UserInfo;
  /** Id of the node holding the connection. */
  node: string;
}

/** A room's user count and some of its users. */
export interface PresenceSample {
  count: number;
  /** Read-only: a store may hand the same array to every caller until the room changes. */
  users: readonly UserInfo[];
}

/** A user who left a room because their last entry there expired. */
export interface PresenceExpiry {
  room: string;
  user: UserInfo;
}

/**
 * Who is in which room. Entries are per connection and aggregated per user: a user with two connections in a
 * room is one user. Each store instance (one per node process) owns the entries it added, and they live as long
 * as it keeps calling {@link PresenceStore.refreshLiveness}: when an instance stops for longer than `presenceTtlMs`
 * (it crashed, or drained and exited), its entries stop being listed and the next `expire()` on any node removes
 * them and reports the leaves. Liveness is per instance, not per entry, so idle connections cost nothing.
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

  /**
   * Marks this instance, and so every entry it owns, alive; call it every `presenceTtlMs / 3`. One command,
   * whatever the number of entries.
   */
  refreshLiveness(): Promise<void>;

  /** The users with at least one live connection in the room, one entry per user. O(room): on request only. */
  users(room: string): Promise<UserInfo[]>;

  /**
   * How many users the room has and up to `limit` of them, whichever are cheapest to find: what a join answers
   * with. Costs O(limit), not O(room), so that joining a room of 10,000 costs what joining one of 100 does. The
   * count may include, for up to `presenceTtlMs`, users whose instance died: their leaves have not been announced
   * either, so the count and the diffs a client applies to it agree. With `include` (a joiner), that user is among
   * the users, in place of the last one when the sample is full without them, and counted if the store had not
   * listed them yet (see {@link sampleWith}).
   */
  sample(room: string, limit: number, include?: UserInfo): Promise<PresenceSample>;

  /**
   * Removes the entries of dead instances, retries this instance's removals that failed (e.g. while Redis was
   * down), and reports the users whose last entry in a room went. Safe to call from every node at once: each
   * leave is reported once.
   */
  expire(): Promise<PresenceExpiry[]>;
}

/**
 * `sample` with `user` among its users (unchanged without a user): as it is when `listed` (the user is in it; by
 * default, looked for in its users), else with the user in place of the last one when it holds `limit` already, or
 * after the others. A user in the room but not in the sample is counted already; one the store had not listed yet
 * is not. Every store's `sample(room, limit, include)` ends here.
 */
export function sampleWith(
  sample: PresenceSample,
  limit: number,
  user: UserInfo | undefined,
  listed = user !== undefined && sample.users.some((u) => u.id === user.id),
): PresenceSample {
  if (!user || listed || limit <= 0) return sample;
  const users = sample.users.slice(0, limit - 1);
  users.push(user);
  return { count: Math.max(sample.count, users.length), users };
}
