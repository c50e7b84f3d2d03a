import { type ClusterView, type NodeStats, type StoreStats, totals } from './cluster/node-registry.js';
import type { Engine, StoreCounters } from './engine/engine.js';
import type { StatsFeed } from './http/stats-feed.js';
import type { Hub } from './hub/hub.js';
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
}

/**
 * A node's stats: what it reports of itself (connections, rates, latency, memory), what it publishes to the
 * registry every stats interval, and the cluster view the dashboard and `/api/stats` show.
 */
export class NodeStatsReporter {
  /** When the node started (set by the node's `start()`). */
  startedAt = 0;
  private rates = { publishedPerSec: 0, deliveriesPerSec: 0, latencyP50Ms: 0, latencyP99Ms: 0 };
  private lastSample = { t: 0, published: 0, deliveries: 0 };
  private store?: { last: StoreCounters; stats: StoreStats };

  constructor(private readonly deps: NodeStatsDeps) {}

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
    const { engine, hub, admission, clock, logger, feed } = this.deps;
    this.sampleRates();
    const activity = { users: admission.userIds(), rooms: hub.roomNames() };
    const self = this.stats();
    engine.registry
      .report(self, activity)
      .catch((error) => hub.reportFailure('stats report', error))
      .then(() => this.clusterStats(self))
      .then((stats) => feed.push({ t: clock.now(), stats }))
      .catch((error) => logger.debug({ err: error }, 'stats feed failed'));
  }

  private sampleRates(): void {
    const now = this.deps.clock.now();
    const { published, deliveries } = this.deps.hub.counters;
    const seconds = (now - this.lastSample.t) / 1000;
    const latency = this.deps.hub.latency.rotate();
    if (this.lastSample.t > 0 && seconds > 0) {
      this.rates = {
        publishedPerSec: Math.round((published - this.lastSample.published) / seconds),
        deliveriesPerSec: Math.round((deliveries - this.lastSample.deliveries) / seconds),
        latencyP50Ms: latency.p50,
        latencyP99Ms: latency.p99,
      };
    }
    this.lastSample = { t: now, published, deliveries };
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
