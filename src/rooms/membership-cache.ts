import type { Clock } from '../util/clock.js';
import { type Actor, invitationLive } from './permissions.js';
import type { BanRecord, MemberRecord, RoomDirectory, RoomRecord } from './room-directory.js';

/** What the permission checks need to know about a user in a room, as loaded from the directory. */
export interface Standing {
  room?: RoomRecord;
  member?: MemberRecord;
  /** A ban that was in force when loaded (its end is checked at each use). */
  ban?: BanRecord;
  /** When their pending invitation was given, if they hold one (its expiry is checked at each use). */
  invitedAt?: number;
}

/** Settings of {@link MembershipCache}. */
export interface MembershipCacheOptions {
  /** Most (room, user) standings kept; those not used since the last eviction pass go first. */
  maxEntries: number;
  /** How long an invitation lasts (0: until it is used or withdrawn). */
  invitationTtlMs: number;
}

const keyOf = (room: string, userId: string) => `${room}\u0000${userId}`;

/**
 * The standing of everyone in an open channel (a name joined that is no room: there is no record, so nothing to
 * know about any user). Shared: an open channel costs the cache one entry, not one per user.
 */
const OPEN_CHANNEL: Standing = Object.freeze({});

/** A held room known to be an open channel (see {@link OPEN_CHANNEL}). */
const OPEN = 'open';

/** A cached standing, with what eviction needs. */
interface Cached {
  standing: Standing;
  room: string;
  userId: string;
  /** Used since eviction last looked at it (the "second chance" of the CLOCK algorithm). */
  used: boolean;
}

/**
 * The standing of users in the rooms this node holds (has members in), so that a permission check costs no
 * database round trip. Invalidation rides on the room's own channel: a membership change is announced to the room,
 * and every node subscribed to the room, which is every node holding it, receives that event and calls
 * {@link invalidate}. A node that does not hold a room caches nothing of it (it would hear no invalidation), so a
 * check there always reads the directory. `release` drops a room's entries when the node stops holding it.
 *
 * A load that an invalidation overtakes is answered but not cached (a per-room generation counts
 * invalidations), so a standing read before a change committed never outlives the change's announcement.
 * Identical loads in flight are merged.
 */
export class MembershipCache {
  /** Standings by room, then user; or, for an open channel, that it is one (every user's standing is the same). */
  private readonly byRoom = new Map<string, Map<string, Cached> | typeof OPEN>();
  /**
   * Every cached (room, user), in the order eviction looks at them. Eviction approximates least-recently-used with
   * the CLOCK algorithm: a hit only marks its entry used (every send checks membership, and moving the entry to the
   * end of this map per hit cost a key string, a delete and an insert); eviction moves used entries to the end,
   * unmarked, and drops the first unused one.
   */
  private readonly order = new Map<string, Cached>();
  /** Held rooms and the number of invalidations each has seen. */
  private readonly generations = new Map<string, number>();
  private readonly loading = new Map<string, Promise<Standing>>();
  /**
   * Reads of a room's record in flight, with the room's generation when each started: every user joining a room
   * at once (a reconnect storm) needs the same record, read once. A read started before an invalidation is not
   * shared with loads that start after it.
   */
  private readonly roomLoading = new Map<
    string,
    { generation?: number; record: Promise<RoomRecord | undefined> }
  >();

  constructor(
    private readonly directory: RoomDirectory,
    private readonly clock: Clock,
    private readonly options: MembershipCacheOptions,
  ) {}

  /** Starts caching the room's standings (this node subscribed to the room). */
  hold(room: string): void {
    if (!this.generations.has(room)) this.generations.set(room, 0);
  }

  /** Stops caching the room and drops what was cached of it (the node's last member left). */
  release(room: string): void {
    if (!this.generations.delete(room)) return;
    this.dropRoom(room);
  }

  /** Rooms held now. */
  get heldRooms(): number {
    return this.generations.size;
  }

  /** Cached standings now (an open channel's counts once). */
  get size(): number {
    let open = 0;
    for (const users of this.byRoom.values()) if (users === OPEN) open += 1;
    return this.order.size + open;
  }

  /** The user's standing in the room: cached when the room is held, read from the directory otherwise. */
  async standing(room: string, userId: string): Promise<Standing> {
    const users = this.byRoom.get(room);
    if (users === OPEN) return OPEN_CHANNEL;
    const cached = users?.get(userId);
    if (cached) {
      cached.used = true;
      return cached.standing;
    }
    const key = keyOf(room, userId);
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const generation = this.generations.get(room);
    const load = this.load(room, userId).finally(() => this.loading.delete(key));
    this.loading.set(key, load);
    const standing = await load;
    // Cached only if the room is (still) held and nothing was invalidated meanwhile.
    if (generation !== undefined && this.generations.get(room) === generation) {
      if (standing.room) this.remember(room, userId, standing);
      else this.rememberOpen(room);
    }
    return standing;
  }

  /** The permission checks' view of a user: {@link Actor} from their standing at now. */
  async actor(room: string, userId: string, serverAdmin: boolean): Promise<Actor & { room?: RoomRecord }> {
    const standing = await this.standing(room, userId);
    const now = this.clock.now();
    const ban = standing.ban;
    return {
      userId,
      member: standing.member,
      banned: ban !== undefined && (ban.expiresAt === undefined || ban.expiresAt > now),
      invited:
        standing.invitedAt !== undefined &&
        invitationLive(standing.invitedAt, now, this.options.invitationTtlMs),
      serverAdmin,
      room: standing.room,
    };
  }

  /**
   * A membership event of the room was received: forgets the user's standing, or every standing of the room
   * (the room itself changed: renamed, archived) when no user is given.
   */
  invalidate(room: string, userId?: string): void {
    const generation = this.generations.get(room);
    if (generation !== undefined) this.generations.set(room, generation + 1);
    // In an open channel any change may be the room's creation: everyone's standing goes.
    if (userId === undefined || this.byRoom.get(room) === OPEN) this.dropRoom(room);
    else this.forget(room, userId);
  }

  /**
   * Forgets every standing (the node may have missed invalidations: its subscriptions were lost and taken again).
   */
  invalidateAll(): void {
    for (const [room, generation] of this.generations) this.generations.set(room, generation + 1);
    this.byRoom.clear();
    this.order.clear();
  }

  private async load(room: string, userId: string): Promise<Standing> {
    const now = this.clock.now();
    // The room first: most names joined are open channels (no room), and then that is all there is to read.
    const record = await this.roomRecord(room);
    if (!record) return OPEN_CHANNEL;
    const [member, ban, invitation] = await Promise.all([
      this.directory.member(room, userId),
      this.directory.activeBan(room, userId, now),
      this.directory.invitation(room, userId),
    ]);
    const standing: Standing = { room: record };
    if (invitation) standing.invitedAt = invitation.invitedAt;
    if (member) standing.member = member;
    if (ban) standing.ban = ban;
    return standing;
  }

  private roomRecord(room: string): Promise<RoomRecord | undefined> {
    const generation = this.generations.get(room);
    const inFlight = this.roomLoading.get(room);
    if (inFlight && inFlight.generation === generation) return inFlight.record;
    const read = { generation, record: this.directory.get(room) };
    this.roomLoading.set(room, read);
    const done = () => {
      if (this.roomLoading.get(room) === read) this.roomLoading.delete(room);
    };
    read.record.then(done, done);
    return read.record;
  }

  /** The held room is an open channel: one entry for every user (their per-user entries, if any, go). */
  private rememberOpen(room: string): void {
    if (this.byRoom.get(room) === OPEN) return;
    this.dropRoom(room);
    this.byRoom.set(room, OPEN);
  }

  private remember(room: string, userId: string, standing: Standing): void {
    let users = this.byRoom.get(room);
    if (!users || users === OPEN) {
      users = new Map();
      this.byRoom.set(room, users);
    }
    const entry: Cached = { standing, room, userId, used: false };
    users.set(userId, entry);
    const key = keyOf(room, userId);
    this.order.delete(key);
    this.order.set(key, entry);
    if (this.order.size > this.options.maxEntries) this.evictOne();
  }

  /** Drops the first entry not used since it was last looked at; used ones go to the end, unmarked. */
  private evictOne(): void {
    // Each used entry is passed over once (it is unmarked), so this ends within one round of the map.
    for (const [key, entry] of this.order) {
      if (!entry.used) {
        this.forget(entry.room, entry.userId);
        return;
      }
      entry.used = false;
      this.order.delete(key);
      this.order.set(key, entry);
    }
  }

  private forget(room: string, userId: string): void {
    this.order.delete(keyOf(room, userId));
    const users = this.byRoom.get(room);
    if (users === OPEN || !users?.delete(userId)) return;
    if (users.size === 0) this.byRoom.delete(room);
  }

  /** Drops a room's standings: O(its cached users), not O(everything cached). */
  private dropRoom(room: string): void {
    const users = this.byRoom.get(room);
    if (!users) return;
    this.byRoom.delete(room);
    if (users === OPEN) return;
    for (const userId of users.keys()) this.order.delete(keyOf(room, userId));
  }
}
