import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import {
  type ClusterView,
  type NodeActivity,
  type NodeStats,
  type StoreStats,
  totals,
} from './cluster/node-registry.js';
import type { Engine, StoreCounters } from './engine/engine.js';
import type { StatsFeed } from './http/stats-feed.js';
import type { Hub } from './hub/hub.js';
import { LOOP_DELAY_RESOLUTION_MS } from './metrics/loop-delay.js';
import type { Admission } from './transport/admission.js';
import type { Clock } from './util/clock.js';
import type { Logger } from './util/logger.js';

/** What `/api/stats` answers: this node, and the whole cluster as seen from it. */
export interface StatsResponse {
  self: NodeStats;
  cluster: ClusterView;
}

/** What the stats reporter reads. */
export interface NodeStatsDeps {
  nodeId: string;
  engine: Engine;
  hub: Hub;
  admission: Admission;
  clock: Clock;
  logger: Logger;
  /** The dashboard's live stream: the last five minutes at one point per stats interval. */
  feed: StatsFeed<StatsResponse>;
  /** True while the node serves (listening, engine ready, not draining). */
  isReady: () => boolean;
  /** The stats interval (rates are smoothed over about ten seconds of them). */
  intervalMs: number;
}

/** Counters sampled every interval, for rates over a sliding window. */
interface Sample {
  t: number;
  published: number;
  deliveries: number;
  opened: number;
  closed: number;
}

/** Rates are taken over this much time: a second without a message is not a drop to 0 on the charts. */
const RATE_WINDOW_MS = 10_000;

/**
 * A node's stats: what it reports of itself (connections, rates, latency, memory), what it publishes to the
 * registry every stats interval, and the cluster view the dashboard and `/api/stats` show.
 */
export class NodeStatsReporter {
  /** When the node started (set by the node's `start()`). */
  startedAt = 0;
  private rates = {
    publishedPerSec: 0,
    deliveriesPerSec: 0,
    latencyP50Ms: 0,
    latencyP99Ms: 0,
    latencyMeanMs: 0,
    cpuPercent: 0,
    eventLoopMeanMs: 0,
    eventLoopP99Ms: 0,
    connectionsOpenedPerSec: 0,
    connectionsClosedPerSec: 0,
  };
  private samples: Sample[] = [];
  private cpu = { at: 0, usage: process.cpuUsage() };
  /** Event-loop delay, read and reset every interval (a timer of LOOP_DELAY_RESOLUTION_MS, not a probe per tick). */
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({
    resolution: LOOP_DELAY_RESOLUTION_MS,
  });
  private store?: { last: StoreCounters; stats: StoreStats };
  /** The activity last reported and the versions it was taken at (see {@link activity}). */
  private reported?: { activity: NodeActivity; users: number; rooms: number };

  constructor(private readonly deps: NodeStatsDeps) {
    this.loopDelay.enable();
  }

  /** Stops measuring (shutdown). */
  stop(): void {
    this.loopDelay.disable();
  }

  /** This node's stats. */
  stats(): NodeStats {
    const { hub, engine, clock } = this.deps;
    const { counters } = hub;
    const engineCounters = engine.counters();
    const memory = process.memoryUsage();
    return {
      node: this.deps.nodeId,
      engine: engine.kind,
      store: engine.store,
      ready: this.deps.isReady(),
      startedAt: this.startedAt,
      uptimeMs: clock.now() - this.startedAt,
      connections: hub.sessions.size,
      users: this.deps.admission.userCount,
      rooms: hub.roomCount,
      published: counters.published,
      deliveries: counters.deliveries,
      slowConsumers: counters.slowConsumers,
      engineErrors: counters.engineErrors + engineCounters.errors,
      received: engineCounters.received,
      ...this.rates,
      redis: engine.kind === 'memory' ? 'none' : engine.isReady() ? 'connected' : 'disconnected',
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      rateLimited: counters.rateLimited,
      ...(this.store
        ? { storeStats: { ...this.store.stats, queued: engineCounters.store?.queued ?? 0 } }
        : {}),
    };
  }

  /** This node's stats and the cluster's, read in O(nodes). */
  async clusterStats(self: NodeStats = this.stats()): Promise<StatsResponse> {
    let cluster: ClusterView;
    try {
      cluster = await this.deps.engine.registry.view();
    } catch {
      // Engine down: the cluster is unknown; show what this node knows.
      cluster = { nodes: [self], totals: totals([self], self.users, self.rooms) };
    }
    return { self, cluster };
  }

  /** Every stats interval: sample rates and latency, publish this node's stats, feed the dashboards. */
  tick(): void {
    const { engine, hub, clock, logger, feed } = this.deps;
    this.sampleRates();
    const activity = this.activity();
    const self = this.stats();
    engine.registry
      .report(self, activity)
      .catch((error) => hub.reportFailure('stats report', error))
      .then(() => this.clusterStats(self))
      .then((stats) => feed.push({ t: clock.now(), stats }))
      .catch((error) => logger.debug({ err: error }, 'stats feed failed'));
  }

  /**
   * The node's users and rooms: the object reported last time while neither changed, so that the registry can skip
   * its work (see NodeActivity); a fresh copy of both lists otherwise.
   */
  private activity(): NodeActivity {
    const { admission, hub } = this.deps;
    const last = this.reported;
    if (last && last.users === admission.usersVersion && last.rooms === hub.roomsVersion)
      return last.activity;
    const activity = { users: admission.userIds(), rooms: hub.roomNames() };
    this.reported = { activity, users: admission.usersVersion, rooms: hub.roomsVersion };
    return activity;
  }

  private sampleRates(): void {
    const now = this.deps.clock.now();
    const { counters } = this.deps.hub;
    let closed = 0;
    for (const count of counters.connectionsClosed.values()) closed += count;
    const sample: Sample = {
      t: now,
      published: counters.published,
      deliveries: counters.deliveries,
      opened: counters.connectionsOpened,
      closed,
    };
    this.samples.push(sample);
    const keep = Math.max(2, Math.round(RATE_WINDOW_MS / Math.max(1, this.deps.intervalMs)) + 1);
    if (this.samples.length > keep) this.samples.splice(0, this.samples.length - keep);
    const first = this.samples[0] as Sample;
    const seconds = (now - first.t) / 1000;
    const rate = (pick: (s: Sample) => number) =>
      seconds > 0 ? Math.round(((pick(sample) - pick(first)) / seconds) * 10) / 10 : 0;
    // Over the rates' window too: a quiet second is no latency of 0.
    const latency = this.deps.hub.latency.rotate(keep - 1);
    const usage = process.cpuUsage();
    const cpuSeconds = (usage.user - this.cpu.usage.user + usage.system - this.cpu.usage.system) / 1e6;
    const measuredSince = this.cpu.at;
    const wallSeconds = (now - measuredSince) / 1000;
    this.cpu = { at: now, usage };
    const loop = this.loopDelay;
    // The histogram's values are nanoseconds; its floor is the timer's resolution.
    const loopMean = loop.count > 0 ? Math.max(0, loop.mean / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0;
    const loopP99 = loop.count > 0 ? Math.max(0, loop.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0;
    loop.reset();
    this.rates = {
      publishedPerSec: rate((s) => s.published),
      deliveriesPerSec: rate((s) => s.deliveries),
      latencyP50Ms: latency.p50,
      latencyP99Ms: latency.p99,
      latencyMeanMs: latency.mean,
      cpuPercent:
        wallSeconds > 0 && measuredSince > 0 ? Math.round((cpuSeconds / wallSeconds) * 1000) / 10 : 0,
      eventLoopMeanMs: Math.round(loopMean * 100) / 100,
      eventLoopP99Ms: Math.round(loopP99 * 100) / 100,
      connectionsOpenedPerSec: rate((s) => s.opened),
      connectionsClosedPerSec: rate((s) => s.closed),
    };
    this.sampleStore();
  }

  /** The store's means over the last interval (commit time, batch size, window hit ratio). */
  private sampleStore(): void {
    const current = this.deps.engine.counters().store;
    if (!current) return;
    const last = this.store?.last ?? {
      ...current,
      commits: 0,
      messages: 0,
      seconds: 0,
      windowReads: 0,
      databaseReads: 0,
    };
    const commits = current.commits - last.commits;
    const reads = current.windowReads - last.windowReads + current.databaseReads - last.databaseReads;
    this.store = {
      last: current,
      stats: {
        commitMs: commits > 0 ? ((current.seconds - last.seconds) * 1000) / commits : 0,
        batchSize: commits > 0 ? (current.messages - last.messages) / commits : 0,
        queued: current.queued,
        windowHitRatio: reads > 0 ? (current.windowReads - last.windowReads) / reads : null,
        errors: current.failures,
      },
    };
  }
}
