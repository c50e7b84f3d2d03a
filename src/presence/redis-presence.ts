import type { UserInfo } from '../engine/types.js';
import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import {
  presenceAddScript,
  presenceExpireScript,
  presenceRefreshScript,
  presenceRemoveScript,
  presenceUsersScript,
} from '../redis/scripts.js';
import type { Clock } from '../util/clock.js';
import type { PresenceEntry, PresenceExpiry, PresenceRefreshBatch, PresenceStore } from './presence-store.js';

/** Settings of {@link RedisPresence}. */
export interface RedisPresenceOptions {
  ttlMs: number;
  clock: Clock;
  /** Unique id of this process (node id + incarnation): whose entries this store writes. */
  instance: string;
}

/** Dead instances cleaned up per expire() call, at most. */
const SWEEP_BATCH = 16;
/** Margin on top of the TTL before an instance that stopped refreshing counts as dead. */
const DEAD_MARGIN_MS = 500;

/**
 * Presence in Redis. Per room: a hash of connection → user, a sorted set of connection → expiry time and a hash
 * of user → connection count, changed only by Lua scripts so that "first connection joined" and "last connection
 * left" are decided atomically, once, cluster-wide.
 *
 * Each node instance records its last refresh in a sorted set and the rooms it holds entries in. When an instance
 * stops refreshing for longer than the TTL (it crashed, or drained and exited), any other node removes the
 * instance's expired entries room by room and announces the users who left: leaves arrive within TTL + one sweep
 * of the crash, and users who reconnected elsewhere in the meantime never appear to leave.
 */
export class RedisPresence implements PresenceStore {
  /** Rooms this instance holds entries in, with its connections there. */
  private readonly local = new Map<string, Set<string>>();
  private lastOwnSweep = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly options: RedisPresenceOptions,
  ) {}

  private roomKeys(room: string): string[] {
    return [this.keys.presenceConns(room), this.keys.presenceExpiry(room), this.keys.presenceUsers(room)];
  }

  private get keyTtlMs(): number {
    return this.options.ttlMs * 3;
  }

  /** Marks this instance alive at `now`; written before any entry it refreshes, so it never lags them. */
  private touchInstance(now: number): Promise<unknown> {
    return this.link.command('ZADD', this.keys.presenceNodes(), 'GT', now, this.options.instance);
  }

  async add(room: string, entry: PresenceEntry): Promise<{ userJoined: boolean }> {
    const now = this.options.clock.now();
    let conns = this.local.get(room);
    const newRoom = !conns;
    if (!conns) {
      conns = new Set();
      this.local.set(room, conns);
    }
    conns.add(entry.conn);
    const roomsKey = this.keys.presenceNodeRooms(this.options.instance);
    await Promise.all([
      this.touchInstance(now),
      newRoom ? this.link.command('SADD', roomsKey, room) : undefined,
    ]);
    const joined = await this.link.run(presenceAddScript, this.roomKeys(room), [
      entry.conn,
      entry.user.id,
      JSON.stringify(entry.user),
      now + this.options.ttlMs,
      this.keyTtlMs,
    ]);
    return { userJoined: joined === 1 };
  }

  async remove(room: string, conn: string): Promise<{ userLeft: boolean; user?: UserInfo }> {
    const conns = this.local.get(room);
    conns?.delete(conn);
    if (conns && conns.size === 0) this.local.delete(room);
    const reply = (await this.link.run(presenceRemoveScript, this.roomKeys(room), [conn])) as
      | [number, string]
      | null;
    if (!reply) return { userLeft: false };
    return { userLeft: reply[0] === 1, user: JSON.parse(reply[1]) as UserInfo };
  }

  async refresh(batch: PresenceRefreshBatch): Promise<void> {
    const now = this.options.clock.now();
    await this.touchInstance(now);
    // Issued in one turn: auto-pipelining sends them as one batch per Redis node.
    await Promise.all([
      this.link.command('PEXPIRE', this.keys.presenceNodeRooms(this.options.instance), 24 * 3600 * 1000),
      ...batch
        .filter(({ conns }) => conns.length > 0)
        .map(({ room, conns }) =>
          this.link.run(presenceRefreshScript, this.roomKeys(room), [
            now + this.options.ttlMs,
            this.keyTtlMs,
            ...conns,
          ]),
        ),
    ]);
  }

  async users(room: string): Promise<UserInfo[]> {
    const now = this.options.clock.now();
    const reply = (await this.link.run(presenceUsersScript, this.roomKeys(room).slice(0, 2), [
      now,
    ])) as string[];
    const users = new Map<string, UserInfo>();
    for (const json of reply) {
      const user = JSON.parse(json) as UserInfo;
      users.set(user.id, user);
    }
    return [...users.values()];
  }

  async expire(): Promise<PresenceExpiry[]> {
    const now = this.options.clock.now();
    const expired: PresenceExpiry[] = [];
    // Own rooms: entries of connections whose removal failed (e.g. Redis was down) expire here.
    if (now - this.lastOwnSweep >= this.options.ttlMs / 2) {
      this.lastOwnSweep = now;
      const rooms = [...this.local.keys()];
      for (const left of await Promise.all(rooms.map((room) => this.expireRoom(room, now))))
        expired.push(...left);
    }
    expired.push(...(await this.sweepDeadInstances(now)));
    return expired;
  }

  private async expireRoom(room: string, now: number): Promise<PresenceExpiry[]> {
    const left = (await this.link.run(presenceExpireScript, this.roomKeys(room), [now])) as string[];
    return left.map((json) => ({ room, user: JSON.parse(json) as UserInfo }));
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
      for (const left of await Promise.all(rooms.map((room) => this.expireRoom(room, now))))
        expired.push(...left);
      await this.link.command('DEL', roomsKey);
      await this.link.command('ZREM', this.keys.presenceNodes(), instance);
    }
    return expired;
  }
}
