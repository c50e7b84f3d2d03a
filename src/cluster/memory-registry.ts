import {
  type ClusterView,
  type NodeActivity,
  type NodeRegistry,
  type NodeStats,
  totals,
} from './node-registry.js';

/** The registry of a single node: the cluster is this node. */
export class MemoryRegistry implements NodeRegistry {
  private last?: { stats: NodeStats; activity: NodeActivity };

  async report(stats: NodeStats, activity: NodeActivity): Promise<void> {
    this.last = { stats, activity };
  }

  async view(): Promise<ClusterView> {
    if (!this.last) return { nodes: [], totals: totals([], 0, 0) };
    const { stats, activity } = this.last;
    // Distinct, as the Redis registry counts them (its sets hold each member once).
    const users = new Set(activity.users).size;
    return { nodes: [stats], totals: totals([stats], users, new Set(activity.rooms).size) };
  }

  async leave(): Promise<void> {
    this.last = undefined;
  }
}
