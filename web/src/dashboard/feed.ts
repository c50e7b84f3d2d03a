/** The dashboard's data: the server's live stats stream (server-sent events), kept as signals. */
import { signal } from '@preact/signals';
import type { ClusterView, NodeStats } from '../../../src/cluster/node-registry.js';

/** One point as the server sends it. */
export interface StatsPoint {
  t: number;
  stats: { self: NodeStats; cluster: ClusterView };
}

/** Points kept for the charts: five minutes at one per second. */
const KEEP = 300;

export class StatsFeed {
  readonly points = signal<StatsPoint[]>([]);
  readonly connected = signal(false);
  private source?: EventSource;

  start(): void {
    const source = new EventSource('/api/stats/stream');
    this.source = source;
    source.addEventListener('open', () => {
      this.connected.value = true;
    });
    source.addEventListener('error', () => {
      // EventSource reconnects by itself (retry: 2 s); say we are behind meanwhile.
      this.connected.value = false;
    });
    source.addEventListener('history', (event) => {
      this.points.value = (JSON.parse((event as MessageEvent<string>).data) as StatsPoint[]).slice(-KEEP);
    });
    source.addEventListener('stats', (event) => {
      const point = JSON.parse((event as MessageEvent<string>).data) as StatsPoint;
      const points = this.points.value;
      this.points.value = points.length >= KEEP ? [...points.slice(1), point] : [...points, point];
    });
  }

  stop(): void {
    this.source?.close();
  }
}
