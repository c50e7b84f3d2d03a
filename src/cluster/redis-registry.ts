import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import type { Clock } from '../util/clock.js';
import {
  type ClusterView,
  type NodeActivity,
  type NodeRegistry,
  type NodeStats,
  totals,
} from './node-registry.js';

/** Members per ZADD, to keep single commands small. */
const CHUNK = 1000;

/**
 * The registry in Redis: a sorted set of instances scored by last heartbeat, one key per instance with its stats
 * (expiring on its own), and sorted sets of user ids and room names scored by when a node last reported them.
 */
export class RedisRegistry implements NodeRegistry {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
    private readonly instance: string,
    /** After this long without a heartbeat a node, user or room no longer counts. */
    private readonly staleMs: number,
  ) {}

  async heartbeat(stats: NodeStats, activity: NodeActivity): Promise<void> {
    const now = this.clock.now();
    const commands: Array<Promise<unknown>> = [
      this.link.command('SET', this.keys.instance(this.instance), JSON.stringify(stats), 'PX', this.staleMs),
      this.link.command('ZADD', this.keys.instances(), now, this.instance),
      this.link.command('ZREMRANGEBYSCORE', this.keys.instances(), '-inf', now - this.staleMs),
      this.link.command('ZREMRANGEBYSCORE', this.keys.onlineUsers(), '-inf', now - this.staleMs),
      this.link.command('ZREMRANGEBYSCORE', this.keys.activeRooms(), '-inf', now - this.staleMs),
    ];
    for (const [key, members] of [
      [this.keys.onlineUsers(), activity.users],
      [this.keys.activeRooms(), activity.rooms],
    ] as const) {
      for (let i = 0; i < members.length; i += CHUNK) {
        const args = members.slice(i, i + CHUNK).flatMap((member) => [now, member]);
        commands.push(this.link.command('ZADD', key, ...args));
      }
    }
    await Promise.all(commands);
  }

  async view(): Promise<ClusterView> {
    const now = this.clock.now();
    const since = now - this.staleMs;
    const [ids, usersOnline, rooms] = (await Promise.all([
      this.link.command('ZRANGEBYSCORE', this.keys.instances(), since, '+inf'),
      this.link.command('ZCOUNT', this.keys.onlineUsers(), since, '+inf'),
      this.link.command('ZCOUNT', this.keys.activeRooms(), since, '+inf'),
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
    await Promise.all([
      this.link.command('ZREM', this.keys.instances(), this.instance),
      this.link.command('DEL', this.keys.instance(this.instance)),
    ]);
  }
}
