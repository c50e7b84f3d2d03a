import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import { registryDropScript, registrySyncScript } from '../redis/scripts.js';
import type { Clock } from '../util/clock.js';
import {
  type ClusterView,
  type NodeActivity,
  type NodeRegistry,
  type NodeStats,
  totals,
} from './node-registry.js';

/** Arguments per sync script call, at most (Lua's unpack and Redis's argument buffers stay small). */
const CHUNK = 2000;
/** Dead instances dropped per report, at most. */
const DROP_BATCH = 16;
/**
 * Heartbeats between two checks that Redis still holds what this instance reported (two `SCARD`s). Redis may have
 * lost its data (a restart without persistence, eviction) or a sweeper may have taken this instance for dead during
 * a long pause; either way the next report sends everything again.
 */
const CHECK_EVERY = 10;

/** What this instance last reported, so that reports send changes only. */
interface Reported {
  users: Set<string>;
  rooms: Set<string>;
  /** The activity these sets were made from, once Redis agreed with them: reported again, it changes nothing. */
  from?: NodeActivity;
}

function difference(a: Iterable<string>, b: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const x of a) if (!b.has(x)) out.push(x);
  return out;
}

/**
 * The registry in Redis: a sorted set of instances scored by last stats report, one key per instance with its stats
 * (expiring on its own), and the cluster's distinct users and rooms as hashes counting the instances that hold
 * each. Each instance keeps the set of users and rooms it reported and sends only what changed, so an idle
 * cluster costs Redis a few commands per instance per report, whatever its number of connections; reading the
 * distinct counts is `HLEN`. A dead instance's users and rooms are subtracted by whichever node notices it first.
 */
export class RedisRegistry implements NodeRegistry {
  private reported: Reported = { users: new Set(), rooms: new Set() };
  private beats = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
    private readonly instance: string,
    /** After this long without a report a node no longer counts, and its users and rooms are dropped. */
    private readonly staleMs: number,
  ) {}

  private scriptKeys(instance: string): string[] {
    return [
      this.keys.onlineUsers(),
      this.keys.activeRooms(),
      this.keys.instanceUsers(instance),
      this.keys.instanceRooms(instance),
      this.keys.instances(),
    ];
  }

  async report(stats: NodeStats, activity: NodeActivity): Promise<void> {
    const now = this.clock.now();
    this.beats += 1;
    if (this.beats % CHECK_EVERY === 0) await this.checkReported();
    await Promise.all([
      this.link.command('SET', this.keys.instance(this.instance), JSON.stringify(stats), 'PX', this.staleMs),
      this.link.command('ZADD', this.keys.instances(), now, this.instance),
      this.sendChanges(activity),
    ]);
    await this.dropDead(now);
  }

  /**
   * Compares the sizes of this instance's sets in Redis with what it reported, in O(1): a mismatch means Redis
   * lost them, and everything is reported again. (Re-reporting everything on a timer instead cost Redis a command
   * per user: an idle cost that grew with the connections.)
   */
  private async checkReported(): Promise<void> {
    const [users, rooms] = (await Promise.all([
      this.link.command('SCARD', this.keys.instanceUsers(this.instance)),
      this.link.command('SCARD', this.keys.instanceRooms(this.instance)),
    ])) as [number, number];
    if (Number(users) !== this.reported.users.size || Number(rooms) !== this.reported.rooms.size) {
      this.reported = { users: new Set(), rooms: new Set() };
    }
  }

  /** Sends the users and rooms that came or went since the last successful report. */
  private async sendChanges(activity: NodeActivity): Promise<void> {
    if (this.reported.from === activity) return;
    const users = new Set(activity.users);
    const rooms = new Set(activity.rooms);
    const change = {
      usersAdded: difference(users, this.reported.users),
      usersRemoved: difference(this.reported.users, users),
      roomsAdded: difference(rooms, this.reported.rooms),
      roomsRemoved: difference(this.reported.rooms, rooms),
    };
    const total =
      change.usersAdded.length +
      change.usersRemoved.length +
      change.roomsAdded.length +
      change.roomsRemoved.length;
    if (total === 0) {
      this.reported.from = activity;
      return;
    }
    let sizes: [number, number] = [0, 0];
    // Chunks apply in order on one connection; each is atomic, and together they reach the same end state.
    for (let start = 0; start < total; start += CHUNK) {
      const part = slice(change, start, start + CHUNK);
      sizes = (await this.link.run(registrySyncScript, this.scriptKeys(this.instance).slice(0, 4), [
        part.usersAdded.length,
        part.usersRemoved.length,
        part.roomsAdded.length,
        ...part.usersAdded,
        ...part.usersRemoved,
        ...part.roomsAdded,
        ...part.roomsRemoved,
      ])) as [number, number];
    }
    // Redis and this instance now agree, unless Redis lost the sets or a sweeper dropped this instance during a
    // long pause: then report everything again next time.
    this.reported =
      sizes[0] === users.size && sizes[1] === rooms.size
        ? { users, rooms, from: activity }
        : { users: new Set(), rooms: new Set() };
  }

  /** Subtracts the users and rooms of instances that stopped reporting. */
  private async dropDead(now: number): Promise<void> {
    const dead = (await this.link.command(
      'ZRANGEBYSCORE',
      this.keys.instances(),
      '-inf',
      now - this.staleMs,
      'LIMIT',
      0,
      DROP_BATCH,
    )) as string[];
    for (const instance of dead) {
      if (instance === this.instance) continue;
      await this.link.run(registryDropScript, this.scriptKeys(instance), [instance]);
    }
  }

  async view(): Promise<ClusterView> {
    const since = this.clock.now() - this.staleMs;
    const [ids, usersOnline, rooms] = (await Promise.all([
      this.link.command('ZRANGEBYSCORE', this.keys.instances(), since, '+inf'),
      this.link.command('HLEN', this.keys.onlineUsers()),
      this.link.command('HLEN', this.keys.activeRooms()),
    ])) as [string[], number, number];
    // One GET per node (not MGET: the keys may live in different cluster slots); pipelined together.
    const values = (await Promise.all(
      ids.map((id) => this.link.command('GET', this.keys.instance(id))),
    )) as Array<string | null>;
    const nodes = values.flatMap((json) => (json ? [JSON.parse(json) as NodeStats] : []));
    nodes.sort((a, b) => a.node.localeCompare(b.node));
    return { nodes, totals: totals(nodes, Number(usersOnline), Number(rooms)) };
  }

  async leave(): Promise<void> {
    this.reported = { users: new Set(), rooms: new Set() };
    await Promise.all([
      this.link.run(registryDropScript, this.scriptKeys(this.instance), [this.instance]),
      this.link.command('DEL', this.keys.instance(this.instance)),
    ]);
  }
}

type Change = { usersAdded: string[]; usersRemoved: string[]; roomsAdded: string[]; roomsRemoved: string[] };

/** Items [from, to) of the change's four lists taken as one sequence, in order. */
function slice(change: Change, from: number, to: number): Change {
  const out: Change = { usersAdded: [], usersRemoved: [], roomsAdded: [], roomsRemoved: [] };
  let offset = 0;
  for (const key of ['usersAdded', 'usersRemoved', 'roomsAdded', 'roomsRemoved'] as const) {
    const list = change[key];
    out[key] = list.slice(Math.max(0, from - offset), Math.max(0, to - offset));
    offset += list.length;
  }
  return out;
}
