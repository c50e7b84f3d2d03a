import { type ClusterView, type NodeStats, totals } from './cluster/node-registry.js';
import type { Engine } from './engine/engine.js';
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
  }
}
