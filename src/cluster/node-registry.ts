/** Stats one node publishes about itself. */
export interface NodeStats {
  node: string;
  engine: 'memory' | 'redis';
  /** Where this node's messages are kept: in memory, in Redis (the newest per room), embedded, or in PostgreSQL. */
  store: 'memory' | 'redis' | 'postgres' | 'embedded';
  ready: boolean;
  startedAt: number;
  uptimeMs: number;
  /** Open WebSocket connections. */
  connections: number;
  /** Distinct users connected to this node. */
  users: number;
  /** Rooms with a member on this node. */
  rooms: number;
  /** Messages accepted from this node's clients. */
  published: number;
  /** Message frames written to this node's clients. */
  deliveries: number;
  slowConsumers: number;
  engineErrors: number;
  /** Room payloads this node received from the shared layer (pub/sub). */
  received: number;
  /** Messages accepted per second, over the last ten seconds (so a quiet second is not a drop to 0). */
  publishedPerSec: number;
  /** Message frames written per second, over the last ten seconds. */
  deliveriesPerSec: number;
  /**
   * Delivery latency (publish to fan-out on this node) over the last interval, milliseconds to the microsecond for
   * messages sent through this node; those from other nodes are timed from their whole-millisecond `ts`
   * (LatencyWindow).
   */
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  /** Process CPU (user + system) over the last interval, percent of one core. */
  cpuPercent: number;
  /** Event-loop delay over the last interval: mean and p99, milliseconds. */
  eventLoopMeanMs: number;
  eventLoopP99Ms: number;
  /** Connections opened and closed per second (smoothed like the message rates). */
  connectionsOpenedPerSec: number;
  connectionsClosedPerSec: number;
  /** State of the shared layer: `none` for the in-memory engine. */
  redis: 'connected' | 'disconnected' | 'none';
  /** Process memory: resident set and JavaScript heap in use. */
  rssBytes: number;
  heapUsedBytes: number;
  /** Commands refused by rate limits. */
  rateLimited: number;
  /** The database store's figures, when the node has one (over the last stats interval unless said). */
  storeStats?: StoreStats;
}

/** What a node reports of its database store. */
export interface StoreStats {
  /** Mean time of a commit (one batch), milliseconds. */
  commitMs: number;
  /** Mean messages per committed batch. */
  batchSize: number;
  /** Messages waiting for their batch now. */
  queued: number;
  /** Share of history and resume reads the recent window answered (null: no read in the interval). */
  windowHitRatio: number | null;
  /** Failed commits and reads, and batches not published, since start. */
  errors: number;
}

/** The whole cluster, as any node sees it. */
export interface ClusterView {
  /** Every live node's latest stats. */
  nodes: NodeStats[];
  totals: {
    nodes: number;
    connections: number;
    /** Distinct users connected anywhere (a user on two nodes counts once). */
    usersOnline: number;
    /** Distinct rooms with a member anywhere. */
    rooms: number;
    published: number;
    deliveries: number;
    publishedPerSec: number;
    deliveriesPerSec: number;
    /** Deliveries-weighted mean of the nodes' medians (an approximation). */
    latencyP50Ms: number;
    /** The highest node p99 (conservative). */
    latencyP99Ms: number;
    /** Deliveries-weighted mean of the nodes' means. */
    latencyMeanMs: number;
  };
}

/**
 * What a node is doing right now, for the cluster-wide distinct counts. Neither list is changed once reported: a
 * node whose users and rooms did not change reports the same object again, and a registry may take that to mean
 * "no change" (the stats tick runs every second: copying the ids of 19,000 users into arrays and sets to find
 * nothing new took ~6 ms of CPU per tick).
 */
export interface NodeActivity {
  users: readonly string[];
  rooms: readonly string[];
}

/**
 * Where nodes announce themselves. Reading the cluster view costs O(nodes), not O(connections): each node
 * publishes its own totals, and distinct users and rooms are hashes counting the instances that hold each member,
 * read with one `HLEN` each.
 */
export interface NodeRegistry {
  /** Publishes this node's stats and activity; called every stats interval. */
  report(stats: NodeStats, activity: NodeActivity): Promise<void>;
  /** Every live node's latest stats, and cluster totals. */
  view(): Promise<ClusterView>;
  /** Removes this node at once (graceful shutdown). */
  leave(): Promise<void>;
}

/** Sums node stats into cluster totals (distinct users and rooms come from the registry). */
export function totals(nodes: NodeStats[], usersOnline: number, rooms: number): ClusterView['totals'] {
  const sum = (pick: (n: NodeStats) => number) => nodes.reduce((total, n) => total + pick(n), 0);
  // Rates have one decimal and latencies three: their sums and weighted means are rounded the same way (a sum of
  // floats shows 175.60000000000002 otherwise).
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  const rate = (pick: (n: NodeStats) => number) => round(sum(pick), 1);
  const deliveriesPerSec = rate((n) => n.deliveriesPerSec);
  return {
    nodes: nodes.length,
    connections: sum((n) => n.connections),
    usersOnline,
    rooms,
    published: sum((n) => n.published),
    deliveries: sum((n) => n.deliveries),
    publishedPerSec: rate((n) => n.publishedPerSec),
    deliveriesPerSec,
    latencyP50Ms:
      deliveriesPerSec > 0 ? round(sum((n) => n.latencyP50Ms * n.deliveriesPerSec) / deliveriesPerSec, 3) : 0,
    latencyP99Ms: Math.max(0, ...nodes.map((n) => n.latencyP99Ms)),
    latencyMeanMs:
      deliveriesPerSec > 0
        ? round(sum((n) => (n.latencyMeanMs ?? 0) * n.deliveriesPerSec) / deliveriesPerSec, 3)
        : 0,
  };
}
