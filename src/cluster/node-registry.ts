/** Stats one node publishes about itself. */
export interface NodeStats {
  node: string;
  engine: 'memory' | 'redis';
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
  };
}

/** What a node is doing right now, for the cluster-wide distinct counts. */
export interface NodeActivity {
  users: readonly string[];
  rooms: readonly string[];
}

/**
 * Where nodes announce themselves. Reading the cluster view costs O(nodes), not O(connections): each node
 * publishes its own totals, and distinct users and rooms are kept in sorted sets counted in one command.
 */
export interface NodeRegistry {
  /** Publishes this node's stats and activity; called every stats interval. */
  heartbeat(stats: NodeStats, activity: NodeActivity): Promise<void>;
  /** Every live node's latest stats, and cluster totals. */
  view(): Promise<ClusterView>;
  /** Removes this node at once (graceful shutdown). */
  leave(): Promise<void>;
}

/** Sums node stats into cluster totals (distinct users and rooms come from the registry). */
export function totals(nodes: NodeStats[], usersOnline: number, rooms: number): ClusterView['totals'] {
  return {
    nodes: nodes.length,
    connections: nodes.reduce((sum, n) => sum + n.connections, 0),
    usersOnline,
    rooms,
    published: nodes.reduce((sum, n) => sum + n.published, 0),
    deliveries: nodes.reduce((sum, n) => sum + n.deliveries, 0),
  };
}
