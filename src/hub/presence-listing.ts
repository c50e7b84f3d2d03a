import type { UserInfo } from '../engine/types.js';
import type { PresenceStore } from '../presence/presence-store.js';
import type { Clock } from '../util/clock.js';

/** How long a room's sorted list of users serves `presence` pages. */
export const PRESENCE_LISTING_TTL_MS = 1000;
/** Users kept in all the rooms' lists (beyond, the oldest lists go; a bigger room alone is still kept). */
export const PRESENCE_LISTING_MAX_USERS = 100_000;

/** A room's users sorted by id, or the read of them in progress. */
interface Listing {
  at: number;
  users: Promise<readonly UserInfo[]>;
  size: number;
}

/**
 * A room's users sorted by id, as `presence` pages them, kept per instance for {@link PRESENCE_LISTING_TTL_MS}. A
 * page needs the whole room (the stores list it whole, and a page is in id order), which costs a room of 10,000
 * ~5 ms: read for every page, listing such a room 50 at a time read it 200 times, and one connection's command rate
 * (50 a second) kept a quarter of a core busy. Now the room is read at most once a second per instance, however
 * many connections page it, and pages in between are slices. A page may thus show the room as it was up to a
 * second before, within what the protocol says of users who join or leave while a client pages (the diffs tell).
 * At most {@link PRESENCE_LISTING_MAX_USERS} users are kept in all, the oldest lists going first.
 */
export class PresenceListing {
  private readonly rooms = new Map<string, Listing>();
  private kept = 0;

  constructor(
    private readonly store: PresenceStore,
    private readonly clock: Clock,
    private readonly maxUsers = PRESENCE_LISTING_MAX_USERS,
  ) {}

  /** Users kept in all the lists (for tests and the bound). */
  get size(): number {
    return this.kept;
  }

  /**
   * The room's users sorted by id (as JavaScript compares strings), read at most once a second.
   * @param onRead told how many users were read when this call read the room (not when it used a list kept or a
   *   read in progress): what the caller made the store do
   */
  users(room: string, onRead?: (users: number) => void): Promise<readonly UserInfo[]> {
    const now = this.clock.monotonic();
    const listing = this.rooms.get(room);
    if (listing && now - listing.at < PRESENCE_LISTING_TTL_MS) return listing.users;
    if (listing) this.drop(room, listing);
    this.sweep(now);
    const fresh: Listing = { at: now, size: 0, users: this.read(room) };
    this.rooms.set(room, fresh);
    fresh.users.then(
      (users) => {
        onRead?.(users.length);
        if (this.rooms.get(room) !== fresh) return;
        fresh.size = users.length;
        this.kept += users.length;
        this.bound(room);
      },
      // A failed read is not kept: the next page asks again.
      () => {
        if (this.rooms.get(room) === fresh) this.rooms.delete(room);
      },
    );
    return fresh.users;
  }

  /** The room's users changed (a join or a leave here, or a diff from anywhere): its next page reads it anew. */
  changed(room: string): void {
    const listing = this.rooms.get(room);
    if (listing) this.drop(room, listing);
  }

  private async read(room: string): Promise<readonly UserInfo[]> {
    const users = await this.store.users(room);
    return users.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Drops the lists that are out of date. Map order is reading order: they are the first ones. */
  private sweep(now: number): void {
    for (const [room, listing] of this.rooms) {
      if (now - listing.at < PRESENCE_LISTING_TTL_MS) return;
      this.drop(room, listing);
    }
  }

  /** Drops the oldest lists while more than `maxUsers` users are kept, but never the one just read. */
  private bound(newest: string): void {
    for (const [room, listing] of this.rooms) {
      if (this.kept <= this.maxUsers) return;
      if (room !== newest) this.drop(room, listing);
    }
  }

  private drop(room: string, listing: Listing): void {
    this.rooms.delete(room);
    this.kept -= listing.size;
  }
}
