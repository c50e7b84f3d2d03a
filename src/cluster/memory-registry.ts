import {
  type ClusterView,
  type NodeActivity,
  type NodeRegistry,
  type NodeStats,
  totals,
} from './node-registry.js';

/** The registry of a single node: the cluster is this node. */
export class MemoryRegistry implements NodeRegistry {
  private last?: NodeStats;

  /** Keeps the stats; the activity is not read (the stats count this node's distinct users and rooms). */
  async report(stats: NodeStats, _activity: NodeActivity): Promise<void> {
    this.last = stats;
  }

  async view(): Promise<ClusterView> {
    if (!this.last) return { nodes: [], totals: totals([], 0, 0) };
    const stats = this.last;
    return { nodes: [stats], totals: totals([stats], stats.users, stats.rooms) };
  }

  async leave(): Promise<void> {
    this.last = undefined;
  }
}
