import { useEffect, useMemo, useState } from 'preact/hooks';
import type { NodeStats } from '../../../src/cluster/node-registry.js';
import { duration } from '../format.js';
import { ActionsPanel } from './ActionsPanel.js';
import { Chart, type Series } from './Chart.js';
import { ConnectionsPanel } from './ConnectionsPanel.js';
import { EventsPanel } from './EventsPanel.js';
import { StatsFeed } from './feed.js';

/** Bytes in MiB, one decimal. */
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#db2777', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];

/** How long after "Disconnect everywhere" the connections list is read again: the instances close them meanwhile. */
const DISCONNECT_SETTLE_MS = 500;

/** Delivery latency as the cards and the table show it: mean and p99, to the hundredth of a millisecond. */
function latencyText(figures: { latencyMeanMs?: number; latencyP99Ms?: number }): string {
  return `${(figures.latencyMeanMs ?? 0).toFixed(2)} / ${(figures.latencyP99Ms ?? 0).toFixed(2)} ms`;
}

function Card({
  label,
  value,
  testId,
  tone,
}: {
  label: string;
  value: string | number;
  testId: string;
  tone?: string;
}) {
  return (
    <div class={`stat${tone ? ` ${tone}` : ''}`}>
      <span class="label">{label}</span>
      <span
        class={`value${typeof value === 'string' && value.length > 12 ? ' text' : ''}`}
        data-testid={testId}
        title={String(value)}
      >
        {value}
      </span>
    </div>
  );
}

/** Where the cluster's messages are kept, in words a reader can act on. */
function storeSummary(nodes: NodeStats[]): { text: string; tone: string } {
  const stores = new Set(nodes.map((n) => n.store));
  if (stores.size === 0) return { text: '—', tone: '' };
  if (stores.size > 1) return { text: 'mixed', tone: 'bad' };
  const store = [...stores][0];
  if (store === 'postgres') return { text: 'PostgreSQL', tone: 'good' };
  if (store === 'embedded') return { text: 'embedded database', tone: 'good' };
  if (store === 'redis') return { text: 'Redis (recent only)', tone: '' };
  return { text: 'memory (lost on restart)', tone: '' };
}

/** The database store's figures across the instances that have one (undefined: no instance has a store). */
function storeFigures(nodes: NodeStats[]) {
  const withStore = nodes.filter((n) => n.storeStats);
  if (withStore.length === 0) return undefined;
  const stats = withStore.map((n) => n.storeStats as NonNullable<NodeStats['storeStats']>);
  const ratios = stats.map((s) => s.windowHitRatio).filter((r): r is number => r !== null);
  return {
    commitMs: Math.max(...stats.map((s) => s.commitMs)),
    batchSize: stats.reduce((sum, s) => sum + s.batchSize, 0) / stats.length,
    queued: stats.reduce((sum, s) => sum + s.queued, 0),
    hitRatio: ratios.length > 0 ? ratios.reduce((a, b) => a + b, 0) / ratios.length : null,
    errors: stats.reduce((sum, s) => sum + s.errors, 0),
  };
}

function redisSummary(nodes: NodeStats[]): { text: string; tone: string } {
  if (nodes.length === 0) return { text: '—', tone: '' };
  if (nodes.every((n) => n.redis === 'none')) return { text: 'not used (in-memory)', tone: '' };
  const down = nodes.filter((n) => n.redis === 'disconnected').length;
  return down === 0
    ? { text: 'connected', tone: 'good' }
    : { text: `${down} node(s) disconnected`, tone: 'bad' };
}

function TokenForm({ onToken, refused }: { onToken: (token: string) => void; refused: boolean }) {
  const [token, setToken] = useState('');
  return (
    <main class="signin">
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault();
          if (token) onToken(token);
        }}
      >
        <h1>Parley cluster</h1>
        <p class="muted">This server needs its admin token to show the dashboard.</p>
        {refused && (
          <p class="error" role="alert">
            That token was refused: check it against the server's --admin-token.
          </p>
        )}
        <label>
          Admin token
          <input
            id="admin-token"
            type="password"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Open dashboard</button>
      </form>
    </main>
  );
}

/** The live cluster dashboard: totals, per-instance health, and the last minutes as charts. */
export function Dashboard() {
  const feed = useMemo(() => new StatsFeed(), []);
  useEffect(() => {
    void feed.start();
    return () => feed.stop();
  }, [feed]);
  const [disconnectTarget, setDisconnectTarget] = useState('');
  // Bumped to read the connections list again (after a disconnect: its closes take a moment on every instance).
  const [connectionsRead, setConnectionsRead] = useState(0);
  if (feed.needsToken.value)
    return <TokenForm refused={feed.tokenRefused.value} onToken={(token) => feed.setToken(token)} />;
  const token = feed.token.value;
  const points = feed.points.value;
  const latest = points.at(-1)?.stats;
  const totals = latest?.cluster.totals;
  const nodes = latest?.cluster.nodes ?? [];
  const redis = redisSummary(nodes);
  const store = storeSummary(nodes);
  const figures = storeFigures(nodes);
  const times = points.map((p) => p.t / 1000);
  const nodeIds = [...new Set(points.flatMap((p) => p.stats.cluster.nodes.map((n) => n.node)))].sort();
  const perNode = (pick: (n: NodeStats) => number): Series[] =>
    nodeIds.map((id, i) => ({
      label: id,
      color: PALETTE[(i + 1) % PALETTE.length] as string,
      values: points.map((p) => {
        const node = p.stats.cluster.nodes.find((n) => n.node === id);
        return node ? pick(node) : null;
      }),
    }));
  return (
    <main class="dashboard">
      <header>
        <h1>Parley cluster</h1>
        <span class={`live${feed.connected.value ? ' on' : ''}`}>
          {feed.connected.value ? 'live' : 'reconnecting…'}
        </span>
        <a href="/">Chat</a>
      </header>
      <section class="cards" aria-label="Cluster totals">
        <Card label="Connections" value={totals?.connections ?? '—'} testId="total-connections" />
        <Card label="Users online" value={totals?.usersOnline ?? '—'} testId="users-online" />
        <Card label="Rooms" value={totals?.rooms ?? '—'} testId="rooms" />
        <Card label="Messages in /s" value={totals?.publishedPerSec ?? '—'} testId="published-rate" />
        <Card label="Deliveries out /s" value={totals?.deliveriesPerSec ?? '—'} testId="deliveries-rate" />
        <Card label="Latency mean / p99" value={totals ? latencyText(totals) : '—'} testId="latency" />
        <Card label="Redis" value={redis.text} testId="redis" tone={redis.tone} />
        <Card label="Messages kept in" value={store.text} testId="store" tone={store.tone} />
        <Card
          label="Instances ready"
          value={`${nodes.filter((n) => n.ready).length} / ${nodes.length}`}
          testId="instances"
          tone={nodes.every((n) => n.ready) ? 'good' : 'bad'}
        />
      </section>
      {figures && (
        <section class="cards" aria-label="Message store">
          <Card
            label="Commit time (slowest)"
            value={`${figures.commitMs.toFixed(1)} ms`}
            testId="store-commit"
          />
          <Card label="Messages per commit" value={figures.batchSize.toFixed(1)} testId="store-batch" />
          <Card label="Waiting to commit" value={figures.queued} testId="store-queue" />
          <Card
            label="History from cache"
            value={figures.hitRatio === null ? '—' : `${Math.round(figures.hitRatio * 100)} %`}
            testId="store-hits"
          />
          <Card
            label="Store errors"
            value={figures.errors}
            testId="store-errors"
            tone={figures.errors > 0 ? 'bad' : ''}
          />
        </section>
      )}
      <section class="charts" aria-label="Last minutes">
        <Chart
          title="Connections"
          unit="connections"
          times={times}
          series={[
            {
              label: 'cluster',
              color: PALETTE[0] as string,
              values: points.map((p) => p.stats.cluster.totals.connections),
            },
            ...perNode((n) => n.connections),
          ]}
        />
        <Chart
          title="Messages per second"
          unit="per second"
          times={times}
          series={[
            {
              label: 'in',
              color: PALETTE[0] as string,
              values: points.map((p) => p.stats.cluster.totals.publishedPerSec),
            },
            {
              label: 'deliveries out',
              color: PALETTE[1] as string,
              values: points.map((p) => p.stats.cluster.totals.deliveriesPerSec),
            },
          ]}
        />
        <Chart
          title="Delivery latency"
          unit="ms"
          times={times}
          series={[
            {
              label: 'p50',
              color: PALETTE[0] as string,
              values: points.map((p) => p.stats.cluster.totals.latencyP50Ms),
            },
            {
              label: 'p99',
              color: PALETTE[2] as string,
              values: points.map((p) => p.stats.cluster.totals.latencyP99Ms),
            },
          ]}
        />
        <Chart title="CPU" unit="% of a core" times={times} series={perNode((n) => n.cpuPercent ?? 0)} />
        <Chart
          title="Memory (RSS)"
          unit="MiB"
          times={times}
          series={perNode((n) => Math.round(n.rssBytes / 1048576))}
        />
        <Chart
          title="Event-loop delay p99"
          unit="ms"
          times={times}
          series={perNode((n) => n.eventLoopP99Ms ?? 0)}
        />
        {figures && (
          <Chart
            title="Commit time"
            unit="ms"
            times={times}
            series={perNode((n) => n.storeStats?.commitMs ?? 0)}
          />
        )}
      </section>
      <section aria-label="Instances">
        <h2>Instances</h2>
        <div class="table-wrap">
          <table class="instances">
            <thead>
              <tr>
                <th>Instance</th>
                <th>Health</th>
                <th>Redis</th>
                <th>Connections</th>
                <th>
                  Users /
                  <br />
                  rooms
                </th>
                <th>
                  Messages /s
                  <br />
                  in / out
                </th>
                <th>
                  Latency
                  <br />
                  mean / p99
                </th>
                <th>CPU</th>
                <th>
                  Memory
                  <br />
                  RSS / heap
                </th>
                <th>
                  Loop delay
                  <br />
                  p99
                </th>
                <th>
                  Conn. /s
                  <br />
                  opened / closed
                </th>
                <th>Errors</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.node} data-node={n.node}>
                  <td>
                    {n.node}
                    <span class="uptime">
                      {n.node === latest?.self.node ? 'this one, ' : ''}up {duration(n.uptimeMs)}
                    </span>
                  </td>
                  <td class={n.ready ? 'good' : 'bad'}>{n.ready ? 'ready' : 'not ready'}</td>
                  <td class={n.redis === 'disconnected' ? 'bad' : ''}>{n.redis}</td>
                  <td data-testid={`connections-${n.node}`}>{n.connections}</td>
                  <td>
                    {n.users} / {n.rooms}
                  </td>
                  <td>
                    {n.publishedPerSec} / {n.deliveriesPerSec}
                  </td>
                  <td>{latencyText(n)}</td>
                  <td data-testid={`cpu-${n.node}`}>{(n.cpuPercent ?? 0).toFixed(1)} %</td>
                  <td>
                    {mib(n.rssBytes)} / {mib(n.heapUsedBytes)}
                  </td>
                  <td>{(n.eventLoopP99Ms ?? 0).toFixed(1)} ms</td>
                  <td>
                    {n.connectionsOpenedPerSec ?? 0} / {n.connectionsClosedPerSec ?? 0}
                  </td>
                  <td class={n.engineErrors > 0 ? 'bad' : ''}>{n.engineErrors}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <div class="panels">
        <ConnectionsPanel
          token={token}
          canAct={token !== ''}
          onDisconnect={setDisconnectTarget}
          reread={connectionsRead}
        />
        <EventsPanel token={token} />
        <ActionsPanel
          token={token}
          disconnectTarget={disconnectTarget}
          onDisconnected={() => setTimeout(() => setConnectionsRead((n) => n + 1), DISCONNECT_SETTLE_MS)}
        />
      </div>
    </main>
  );
}
