import type { UserInfo } from '../engine/types.js';
import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import {
  presenceAddScript,
  presenceDropInstanceScript,
  presenceEntriesScript,
  presenceRemoveScript,
  presenceSampleScript,
} from '../redis/scripts.js';
import type { Clock } from '../util/clock.js';
import {
  type PresenceEntry,
  type PresenceExpiry,
  type PresenceSample,
  type PresenceStore,
  sampleWith,
} from './presence-store.js';

/** Settings of {@link RedisPresence}. */
export interface RedisPresenceOptions {
  ttlMs: number;
  clock: Clock;
  /** Unique id of this process (node id + incarnation): whose entries this store writes. */
  instance: string;
}

/** Dead instances cleaned up per expire() call, at most. */
const SWEEP_BATCH = 16;
/** Margin on top of the TTL before an instance that stopped refreshing its liveness counts as dead. */
const DEAD_MARGIN_MS = 500;

/**
 * Presence in Redis. Per room: a hash of connection → user JSON, a hash of connection → owning instance and a hash
 * of user → connection count, changed only by Lua scripts so that "first connection joined" and "last connection
 * left" are decided atomically, once, cluster-wide.
 *
 * Liveness is per instance: a sorted set scores each instance by its last liveness refresh (one `ZADD` per instance per
 * `ttlMs / 3`, whatever its number of connections), and a set per instance lists the rooms it holds entries in.
 * Listing a room skips the entries of instances whose liveness refresh is older than the TTL. When an instance stops
 * (it crashed, or drained and exited), any other node removes its entries room by room and announces the users
 * who left: leaves arrive within TTL + one sweep of the crash, and users who reconnected elsewhere in the meantime
 * never appear to leave.
 */
export class RedisPresence implements PresenceStore {
  /** Rooms this instance holds entries in, with its connections there. */
  private readonly local = new Map<string, Set<string>>();
  /** Removals that failed (Redis unavailable): retried by expire(), since live entries never expire. */
  private readonly failedRemovals: Array<{ room: string; conn: string }> = [];
  /** Rooms that could not be unlisted from this instance's set after its last entry there went (for metrics). */
  unlistFailures = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly options: RedisPresenceOptions,
  ) {}

  private roomKeys(room: string): string[] {
    return [this.keys.presenceConns(room), this.keys.presenceOwners(room), this.keys.presenceUsers(room)];
  }

  async refreshLiveness(): Promise<void> {
    await this.link.command(
      'ZADD',
      this.keys.presenceNodes(),
      'GT',
      this.options.clock.now(),
      this.options.instance,
    );
  }

  async add(room: string, entry: PresenceEntry): Promise<{ userJoined: boolean }> {
    let conns = this.local.get(room);
    if (!conns) {
      conns = new Set();
      this.local.set(room, conns);
    }
    conns.add(entry.conn);
    // The instance is marked alive and the room listed under it before the entry exists, so a sweeper never
    // misses the entry nor mistakes its owner for dead. Listed on every add, not only the room's first: after
    // Redis lost its data, the hub re-adds every entry, and the list must come back with them.
    await Promise.all([
      this.refreshLiveness(),
      this.link.command('SADD', this.keys.presenceNodeRooms(this.options.instance), room),
    ]);
    const joined = await this.link.run(presenceAddScript, this.roomKeys(room), [
      entry.conn,
      entry.user.id,
      JSON.stringify(entry.user),
      this.options.instance,
    ]);
    return { userJoined: joined === 1 };
  }

  async remove(room: string, conn: string): Promise<{ userLeft: boolean; user?: UserInfo }> {
    const conns = this.local.get(room);
    conns?.delete(conn);
    if (conns && conns.size === 0) this.local.delete(room);
    let result: { userLeft: boolean; user?: UserInfo };
    try {
      result = await this.removeEntry(room, conn);
    } catch (error) {
      this.failedRemovals.push({ room, conn });
      throw error;
    }
    // Unlisted only once its entries are gone (a sweeper must find them otherwise) and if no join came since.
    if (!this.local.has(room)) {
      await this.link.command('SREM', this.keys.presenceNodeRooms(this.options.instance), room).catch(() => {
        // Harmless for correctness (a sweeper finds no entries there), but counted like every engine failure.
        this.unlistFailures += 1;
      });
    }
    return result;
  }

  private async removeEntry(room: string, conn: string): Promise<{ userLeft: boolean; user?: UserInfo }> {
    const reply = (await this.link.run(presenceRemoveScript, this.roomKeys(room), [conn])) as
      | [number, string]
      | null;
    if (!reply) return { userLeft: false };
    return { userLeft: reply[0] === 1, user: JSON.parse(reply[1]) as UserInfo };
  }

  async users(room: string): Promise<UserInfo[]> {
    // Both in one turn: auto-pipelining sends them together.
    const [live, reply] = await Promise.all([
      this.liveInstances(),
      this.link.run(presenceEntriesScript, this.roomKeys(room).slice(0, 2), []) as Promise<string[]>,
    ]);
    return liveUsers(reply, 0, live, Number.POSITIVE_INFINITY);
  }

  async sample(room: string, limit: number, include?: UserInfo): Promise<PresenceSample> {
    // A count alone (what every presence diff carries) needs no liveness: one script, one round trip.
    const [live, reply] = await Promise.all([
      limit > 0 ? this.liveInstances() : undefined,
      this.link.run(presenceSampleScript, this.roomKeys(room), [limit]) as Promise<Array<string | number>>,
    ]);
    const users = live ? liveUsers(reply, 1, live, limit) : [];
    return sampleWith({ count: Number(reply[0]), users }, limit, include);
  }

  private async liveInstances(): Promise<Set<string>> {
    const since = this.options.clock.now() - this.options.ttlMs;
    const ids = (await this.link.command(
      'ZRANGEBYSCORE',
      this.keys.presenceNodes(),
      `(${since}`,
      '+inf',
    )) as string[];
    return new Set(ids);
  }

  async expire(): Promise<PresenceExpiry[]> {
    const expired = await this.retryFailedRemovals();
    expired.push(...(await this.sweepDeadInstances(this.options.clock.now())));
    return expired;
  }

  private async retryFailedRemovals(): Promise<PresenceExpiry[]> {
    const expired: PresenceExpiry[] = [];
    while (this.failedRemovals.length > 0) {
      const { room, conn } = this.failedRemovals[0] as { room: string; conn: string };
      const { userLeft, user } = await this.removeEntry(room, conn);
      this.failedRemovals.shift();
      if (userLeft && user) expired.push({ room, user });
    }
    return expired;
  }

  private async sweepDeadInstances(now: number): Promise<PresenceExpiry[]> {
    const dead = (await this.link.command(
      'ZRANGEBYSCORE',
      this.keys.presenceNodes(),
      '-inf',
      now - this.options.ttlMs - DEAD_MARGIN_MS,
      'LIMIT',
      0,
      SWEEP_BATCH,
    )) as string[];
    const expired: PresenceExpiry[] = [];
    for (const instance of dead) {
      if (instance === this.options.instance) continue;
      // One sweeper per dead instance; the scripts are idempotent anyway, so a lost lock only costs work.
      const locked = await this.link.command(
        'SET',
        this.keys.presenceSweepLock(instance),
        '1',
        'NX',
        'PX',
        30_000,
      );
      if (locked !== 'OK') continue;
      const roomsKey = this.keys.presenceNodeRooms(instance);
      const rooms = (await this.link.command('SMEMBERS', roomsKey)) as string[];
      const lefts = await Promise.all(
        rooms.map(async (room) => {
          const left = (await this.link.run(presenceDropInstanceScript, this.roomKeys(room), [
            instance,
          ])) as string[];
          return left.map((json) => ({ room, user: JSON.parse(json) as UserInfo }));
        }),
      );
      for (const left of lefts) expired.push(...left);
      await this.link.command('DEL', roomsKey);
      await this.link.command('ZREM', this.keys.presenceNodes(), instance);
    }
    return expired;
  }
}

/**
 * The distinct users of `[owner, user JSON, ...]` entries from `start`, skipping entries of instances not in `live`
 * (dead, not swept yet), at most `limit`.
 */
function liveUsers(
  entries: ReadonlyArray<string | number>,
  start: number,
  live: Set<string>,
  limit: number,
): UserInfo[] {
  const users = new Map<string, UserInfo>();
  for (let i = start; i < entries.length && users.size < limit; i += 2) {
    if (!live.has(entries[i] as string)) continue;
    const user = JSON.parse(entries[i + 1] as string) as UserInfo;
    users.set(user.id, user);
  }
  return [...users.values()];
}
