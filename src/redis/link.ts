/**
 * The narrow interface the Redis engine uses, and its one implementation over ioredis: the only module that imports
 * the Redis client. Commands and subscriptions use separate connections. Commands are never queued while Redis is
 * unreachable: they fail at once with {@link EngineUnavailableError}, so callers can answer "try again" instead of
 * hanging, and nothing is acknowledged that Redis did not store.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { EngineUnavailableError } from '../engine/engine.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { LuaScript } from './scripts.js';

/** What the Redis engine needs from Redis. */
export interface RedisLink {
  /** `PUBLISH` on a single Redis, `SPUBLISH` (sharded pub/sub) on a cluster. */
  readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** Runs a Lua script (EVALSHA, loading it on first use). */
  run(script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown>;
  /** Runs one command. */
  command(name: string, ...args: Array<string | number>): Promise<unknown>;
  /** Subscribes to channels (one round trip for the batch on a single Redis). */
  subscribe(channels: string[]): Promise<void>;
  unsubscribe(channels: string[]): Promise<void>;
  /** Sets the handler of messages on subscribed channels. */
  onMessage(handler: (channel: string, message: string) => void): void;
  /** True while commands and subscriptions are connected. */
  isReady(): boolean;
  /** Called with `true` when the link (re)becomes ready, `false` when it is lost. */
  onReadyChange(listener: (ready: boolean) => void): void;
  /** Resolves once ready, or after `timeoutMs` (then `false`). */
  waitReady(timeoutMs: number): Promise<boolean>;
  /** Errors seen on the connections (for metrics). */
  readonly errorCount: number;
  /** Commands and scripts that failed (connection lost, timeout, error reply). */
  readonly commandErrorCount: number;
  /** Reconnection attempts after a connection to Redis was lost. */
  readonly reconnectCount: number;
  /** Times the room subscriptions were lost (a subscriber connection, or a cluster shard's) and taken again. */
  readonly resubscribeCount: number;
  close(): Promise<void>;
}

/** Where Redis is. */
export type RedisTarget = { url: string } | { cluster: Array<{ host: string; port: number }> };

/** How the link talks to Redis. */
export interface RedisLinkOptions {
  /**
   * A command without a reply after this long fails with EngineUnavailableError, and the link reports not ready
   * until Redis answers again: a frozen Redis (stopped process, full network buffers) keeps its TCP connections
   * open, so without this a command would wait as long as the freeze lasts.
   */
  commandTimeoutMs: number;
  /** The name the connections carry (CLIENT LIST). */
  name: string;
  /** For spacing out the reminders of an outage in the log. */
  clock: Clock;
}

/** While Redis stays unreachable, the log says so again this often (every error is counted, not logged). */
const OUTAGE_REMINDER_MS = 30_000;

/** Redis error replies that mean "not now" rather than "wrong". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|OOM|MOVED|ASK|NOREPLICAS)\b/;

function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

/** ioredis's error for a command that got no reply within `commandTimeout`. */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}

/** Maps client-side failures (disconnected, timed out) and transient replies to EngineUnavailableError. */
function classify(error: unknown): Error {
  if (isReplyError(error) && !TRANSIENT_REPLY.test(error.message)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EngineUnavailableError(`redis unavailable: ${message}`, { cause: error });
}

/** The error of a command cut by the link's own deadline (see {@link withDeadline}). */
const DEADLINE = 'Command timed out';

/**
 * Bounds a command by the link's command timeout, whatever the client does meanwhile: on a cluster, ioredis retries
 * a command to a failed-over shard (MOVED, CLUSTERDOWN, reconnects) beyond its own per-attempt timeout.
 */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(DEADLINE)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Commands written at once rather than batched with the others of the event-loop turn: the scripts, one per message
 * published. Auto-pipelining gives each batch a pipeline object, a promise per command and a deferred flush; for
 * scripts issued from separate client messages (rarely two in one turn) that cost more than the writes it saved:
 * two instances + Redis used 10-12% less CPU per delivery without it at 2,000 msg/s and 5-16% at 200 (bench/load,
 * two interleaved pairs at each rate). Everything else (presence, registry, pub/sub signals) stays batched. A single
 * Redis only: see ClusterLink.
 */
const UNBATCHED_COMMANDS = ['evalsha', 'eval'];

const BASE_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  enableAutoPipelining: true,
  autoPipeliningIgnoredCommands: UNBATCHED_COMMANDS,
  lazyConnect: true,
  retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
};

/** Opens a link to a single Redis or a Redis Cluster. */
export function createRedisLink(target: RedisTarget, logger: Logger, options: RedisLinkOptions): RedisLink {
  return 'url' in target
    ? new StandaloneLink(target.url, logger, options)
    : new ClusterLink(target.cluster, logger, options);
}

abstract class BaseLink {
  errorCount = 0;
  commandErrorCount = 0;
  reconnectCount = 0;
  resubscribeCount = 0;
  private readyListeners: Array<(ready: boolean) => void> = [];
  private wasReady = false;
  /** True once the link was ready at least once. */
  protected everReady = false;
  /** Connection errors since the link was last ready, and when the log last mentioned them. */
  private outage?: { errors: number; reportedAt: number };
  /** Set when a command timed out; cleared when a probe gets an answer (see {@link stalled}). */
  private stallProbe?: NodeJS.Timeout;
  protected messageHandler: (channel: string, message: string) => void = () => {};

  constructor(
    protected readonly logger: Logger,
    protected readonly options: RedisLinkOptions,
  ) {}

  /** True while the connections are up and subscribed (before stalls are taken into account). */
  protected abstract connected(): boolean;
  protected abstract commands(): Redis | Cluster;

  isReady(): boolean {
    return this.stallProbe === undefined && this.connected();
  }

  /**
   * A command timed out: Redis is frozen or overloaded while its connections look fine. The link says not ready
   * (so /readyz turns 503 and the load balancer moves traffic) and probes with PING until Redis answers; then it
   * is ready again and listeners hear of it as of any recovery (presence restored, positions announced).
   */
  private stalled(): void {
    if (this.stallProbe) return;
    this.logger.warn({ timeoutMs: this.options.commandTimeoutMs }, 'redis command timed out: not ready');
    const probe = () => {
      this.commands()
        .ping()
        .then(
          () => {
            this.stallProbe = undefined;
            this.checkReady();
          },
          () => {
            if (this.stallProbe) this.stallProbe = setTimeout(probe, this.probeIntervalMs()).unref();
          },
        );
    };
    this.stallProbe = setTimeout(probe, this.probeIntervalMs()).unref();
    this.checkReady();
  }

  protected stopProbing(): void {
    clearTimeout(this.stallProbe);
  }

  private probeIntervalMs(): number {
    return Math.min(1000, this.options.commandTimeoutMs);
  }

  /**
   * A command as callers wait for it. A single Redis needs nothing more: one attempt (no retries), bounded by the
   * client's command timeout. The cluster link bounds it again (see {@link withDeadline}).
   */
  protected bounded<T>(work: Promise<T>): Promise<T> {
    return work;
  }

  /** Counts a failed command and turns it into the error callers see. */
  protected failed(error: unknown): Error {
    this.commandErrorCount += 1;
    if (isTimeout(error)) this.stalled();
    return classify(error);
  }

  onMessage(handler: (channel: string, message: string) => void): void {
    this.messageHandler = handler;
  }

  onReadyChange(listener: (ready: boolean) => void): void {
    this.readyListeners.push(listener);
  }

  async waitReady(timeoutMs: number): Promise<boolean> {
    if (this.isReady()) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.isReady()), timeoutMs);
      this.onReadyChange((ready) => {
        if (!ready) return;
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async run(script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
    const redis = this.commands();
    try {
      return await this.bounded(redis.evalsha(script.sha, keys.length, ...keys, ...args));
    } catch (error) {
      if (isReplyError(error) && error.message.startsWith('NOSCRIPT')) {
        try {
          return await this.bounded(redis.eval(script.source, keys.length, ...keys, ...args));
        } catch (retryError) {
          throw this.failed(retryError);
        }
      }
      throw this.failed(error);
    }
  }

  async command(name: string, ...args: Array<string | number>): Promise<unknown> {
    try {
      return await this.bounded(this.commands().call(name, ...args));
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** Re-evaluates readiness and tells listeners when it changed. */
  protected checkReady(): void {
    const ready = this.isReady();
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    if (ready) {
      this.everReady = true;
      this.logger.info({ ready, errorsWhileLost: this.outage?.errors ?? 0 }, 'redis ready');
      this.outage = undefined;
    } else {
      this.logger.warn({ ready }, 'redis lost');
    }
    for (const listener of this.readyListeners) listener(ready);
  }

  /**
   * A connection error: counted every time; logged once when an outage starts (one line, no stack trace) and then
   * as a reminder every {@link OUTAGE_REMINDER_MS} while it lasts. A reconnect loop or a failover emits an error per
   * attempt and per queued command: hundreds of lines for one event, before.
   */
  private connectionError(error: Error, role: string): void {
    this.errorCount += 1;
    const now = this.options.clock.now();
    if (!this.outage) {
      this.outage = { errors: 1, reportedAt: now };
      this.logger.warn({ role, error: error.message }, 'redis connection error');
      return;
    }
    this.outage.errors += 1;
    if (now - this.outage.reportedAt < OUTAGE_REMINDER_MS) {
      this.logger.debug({ role, error: error.message }, 'redis connection error');
      return;
    }
    this.outage.reportedAt = now;
    this.logger.warn({ role, error: error.message, errors: this.outage.errors }, 'redis still unreachable');
  }

  protected watch(client: Redis | Cluster, role: string): void {
    client.on('error', (error: Error) => this.connectionError(error, role));
    client.on('ready', () => this.checkReady());
    client.on('close', () => this.checkReady());
    client.on('end', () => this.checkReady());
    client.on('reconnecting', () => {
      this.reconnectCount += 1;
      this.checkReady();
    });
  }
}

class StandaloneLink extends BaseLink implements RedisLink {
  readonly publishCommand = 'PUBLISH' as const;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  /** Channels this node wants; re-subscribed as a whole whenever the subscriber connection comes back. */
  private readonly channels = new Set<string>();
  private subscribed = false;

  constructor(url: string, logger: Logger, options: RedisLinkOptions) {
    super(logger, options);
    const { name, commandTimeoutMs: commandTimeout } = options;
    this.cmd = new Redis(url, { ...BASE_OPTIONS, commandTimeout, connectionName: `${name}:cmd` });
    this.sub = new Redis(url, {
      ...BASE_OPTIONS,
      commandTimeout,
      enableAutoPipelining: false,
      connectionName: `${name}:sub`,
      autoResubscribe: false,
    });
    this.sub.on('message', (channel: string, message: string) => this.messageHandler(channel, message));
    this.watch(this.cmd, 'commands');
    this.watch(this.sub, 'subscriber');
    // Ready only once every wanted channel is subscribed again, so "ready" means "receiving".
    this.sub.on('ready', () => {
      this.resubscribe().catch((error) => this.logger.warn({ err: error }, 'redis resubscribe failed'));
    });
    for (const event of ['close', 'reconnecting', 'end']) {
      this.sub.on(event, () => {
        this.subscribed = false;
        this.checkReady();
      });
    }
    this.cmd.connect().catch(() => {});
    this.sub.connect().catch(() => {});
  }

  private async resubscribe(): Promise<void> {
    this.resubscribeCount += 1;
    const all = [...this.channels];
    for (let i = 0; i < all.length; i += 1000) await this.sub.subscribe(...all.slice(i, i + 1000));
    this.subscribed = this.sub.status === 'ready';
    this.checkReady();
  }

  protected commands(): Redis {
    return this.cmd;
  }

  protected connected(): boolean {
    return this.cmd.status === 'ready' && this.sub.status === 'ready' && this.subscribed;
  }

  async subscribe(channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    for (const channel of channels) this.channels.add(channel);
    try {
      await this.sub.subscribe(...channels);
    } catch (error) {
      // The caller treats the room as not subscribed, so it is not wanted either.
      for (const channel of channels) this.channels.delete(channel);
      throw this.failed(error);
    }
  }

  async unsubscribe(channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    for (const channel of channels) this.channels.delete(channel);
    if (this.sub.status !== 'ready') return; // nothing to undo: the reconnect subscribes only what is wanted
    try {
      await this.sub.unsubscribe(...channels);
    } catch (error) {
      throw this.failed(error);
    }
  }

  async close(): Promise<void> {
    this.stopProbing();
    await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}

/** What the link reads of ioredis' sharded subscriber group (not public API; checked for at run time). */
interface SubscriberGroup {
  isResetting: boolean;
  hasUnhealthySubscribers(): boolean;
}

class ClusterLink extends BaseLink implements RedisLink {
  readonly publishCommand = 'SPUBLISH' as const;
  private readonly cluster: Cluster;
  /** Channels this node wants; subscribed again as a whole when a shard's subscriber was replaced. */
  private readonly channels = new Set<string>();
  /**
   * Set when a shard's subscriber connection went (its master failed, a topology change): until every wanted
   * channel is subscribed again, the link is not ready, and the node re-syncs its rooms when it is.
   */
  private subscriptionsLost = false;
  private healthCheck?: NodeJS.Timeout;

  constructor(nodes: Array<{ host: string; port: number }>, logger: Logger, options: RedisLinkOptions) {
    super(logger, options);
    const { name, commandTimeoutMs: commandTimeout } = options;
    // Sharded subscribers: one extra connection per master, each SSUBSCRIBEd to the channels of its slots.
    this.cluster = new Cluster(nodes, {
      shardedSubscribers: true,
      enableOfflineQueue: false,
      // Scripts stay batched here: unbatched, a command sent before the slot map is known (or after a failover)
      // is redirected (MOVED) while later ones go straight to their master, and a room's publishes can overtake
      // one another (seen once in CI: the broker conformance suite on PostgreSQL + Redis Cluster). Batching waits
      // for the slot map and keeps a slot's commands in order.
      enableAutoPipelining: true,
      lazyConnect: true,
      // Redirections and retries after a failover stay within the command deadline (withDeadline).
      retryDelayOnFailover: 50,
      retryDelayOnClusterDown: 50,
      retryDelayOnTryAgain: 50,
      maxRedirections: 4,
      clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
      redisOptions: { maxRetriesPerRequest: 0, connectionName: name, commandTimeout },
    });
    this.cluster.on('smessage', (channel: string, message: string) => this.messageHandler(channel, message));
    this.cluster.on('-node', () => this.subscriptionLost());
    this.cluster.on('-subscriber', () => this.subscriptionLost());
    this.cluster.on('subscribersReady', () => this.checkSubscriptions());
    this.watch(this.cluster, 'cluster');
    this.cluster.connect().catch(() => {});
  }

  protected commands(): Cluster {
    return this.cluster;
  }

  /** ioredis retries a command to a failed-over shard beyond its per-attempt timeout: the deadline cuts that. */
  protected override bounded<T>(work: Promise<T>): Promise<T> {
    return withDeadline(work, this.options.commandTimeoutMs);
  }

  protected connected(): boolean {
    return this.cluster.status === 'ready' && !this.subscriptionsLost;
  }

  /** A subscriber (or a node) went: not ready until every wanted channel is subscribed again. */
  private subscriptionLost(): void {
    if (this.subscriptionsLost) return;
    this.subscriptionsLost = true;
    // ioredis replaces subscribers while it first connects too: only a loss after that is news.
    const line = { channels: this.channels.size };
    if (this.everReady) this.logger.warn(line, 'redis cluster: a shard subscriber was lost');
    else this.logger.debug(line, 'redis cluster: subscribers starting');
    this.checkReady();
    this.scheduleCheck();
  }

  private scheduleCheck(): void {
    clearTimeout(this.healthCheck);
    this.healthCheck = setTimeout(() => this.checkSubscriptions(), 250).unref();
  }

  /** Once ioredis has healthy subscribers for every shard again, subscribes every wanted channel and is ready. */
  private checkSubscriptions(): void {
    if (!this.subscriptionsLost) return;
    const group = (this.cluster as unknown as { shardedSubscribers?: SubscriberGroup }).shardedSubscribers;
    if (this.cluster.status !== 'ready' || group?.isResetting || group?.hasUnhealthySubscribers()) {
      this.scheduleCheck();
      return;
    }
    // SSUBSCRIBE again (a no-op where the subscription held): ready means receiving, on every shard.
    // Bounded like every command: a subscribe that never answers is tried again, not waited for forever.
    withDeadline(
      Promise.all([...this.channels].map((channel) => this.cluster.ssubscribe(channel))),
      this.options.commandTimeoutMs,
    ).then(
      () => {
        if (!this.subscriptionsLost) return;
        this.subscriptionsLost = false;
        if (this.everReady) {
          this.resubscribeCount += 1;
          this.logger.info({ channels: this.channels.size }, 'redis cluster: every shard subscribed again');
        }
        this.checkReady();
      },
      () => this.scheduleCheck(),
    );
  }

  async subscribe(channels: string[]): Promise<void> {
    for (const channel of channels) this.channels.add(channel);
    // SSUBSCRIBE takes channels of one slot only: one call per room channel (auto-pipelined per shard).
    try {
      await withDeadline(
        Promise.all(channels.map((channel) => this.cluster.ssubscribe(channel))),
        this.options.commandTimeoutMs,
      );
    } catch (error) {
      for (const channel of channels) this.channels.delete(channel);
      throw this.failed(error);
    }
  }

  async unsubscribe(channels: string[]): Promise<void> {
    for (const channel of channels) this.channels.delete(channel);
    try {
      await withDeadline(
        Promise.all(channels.map((channel) => this.cluster.sunsubscribe(channel))),
        this.options.commandTimeoutMs,
      );
    } catch (error) {
      throw this.failed(error);
    }
  }

  async close(): Promise<void> {
    this.stopProbing();
    clearTimeout(this.healthCheck);
    await Promise.allSettled([this.cluster.quit()]);
    this.cluster.disconnect();
  }
}
