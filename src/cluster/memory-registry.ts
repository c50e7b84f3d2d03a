import {
  type ClusterView,
  type NodeActivity,
  type NodeRegistry,
  type NodeStats,
  totals,
} from './node-registry.js';

/** The registry of a single node: the cluster is this node. */
export class MemoryRegistry implements NodeRegistry {
  private last?: { stats: NodeStats; activity: NodeActivity; users: number; rooms: number };

  async report(stats: NodeStats, activity: NodeActivity): Promise<void> {
    const last = this.last;
    // Distinct, as the Redis registry counts them (its sets hold each member once); counted again only when the
    // activity is a new one (see NodeActivity).
    if (last?.activity === activity) this.last = { ...last, stats };
    else {
      const users = new Set(activity.users).size;
      this.last = { stats, activity, users, rooms: new Set(activity.rooms).size };
    }
  }

  async view(): Promise<ClusterView> {
    if (!this.last) return { nodes: [], totals: totals([], 0, 0) };
    const { stats, users, rooms } = this.last;
    return { nodes: [stats], totals: totals([stats], users, rooms) };
  }

  async leave(): Promise<void> {
    this.last = undefined;
  }
}
