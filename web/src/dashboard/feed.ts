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

/** Where the admin token (if the server needs one) is kept for this tab. */
const TOKEN_KEY = 'parley.adminToken';

export class StatsFeed {
  readonly points = signal<StatsPoint[]>([]);
  readonly connected = signal(false);
  /** The server asked for an admin token (none or a wrong one was given). */
  readonly needsToken = signal(false);
  /** The token given was refused (said on the token form). */
  readonly tokenRefused = signal(false);
  /** The admin token in use ('' when the server needs none). */
  readonly token = signal('');
  private source?: EventSource;

  /** Uses this admin token from now on. */
  setToken(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
    this.stop();
    void this.start();
  }

  async start(): Promise<void> {
    const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
    // Probe once with the token: EventSource cannot tell a 401 from a network error.
    const probe = await fetch('/api/stats', { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (probe.status === 401) {
      this.needsToken.value = true;
      this.tokenRefused.value = token !== '';
      if (token) sessionStorage.removeItem(TOKEN_KEY);
      return;
    }
    this.needsToken.value = false;
    this.tokenRefused.value = false;
    this.token.value = token;
    const query = token ? `?access_token=${encodeURIComponent(token)}` : '';
    const source = new EventSource(`/api/stats/stream${query}`);
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
