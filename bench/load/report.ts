import { NO_LIMIT_FLAGS } from './no-limits.js';
import type { BenchResult, PublishReport } from './run.js';

const n = (value: number) => value.toLocaleString('en-US');

function publishRows(label: string, p: PublishReport): string[][] {
  return [
    [label, `${n(p.ratePerSec)} msg/s target for ${p.durationSec} s`],
    ['  published', `${n(p.sent)} (${n(p.publishedPerSec)}/s), ${n(p.publishErrors)} errors`],
    [
      '  deliveries',
      p.churnedClients > 0
        ? `${n(p.deliveries)} (${n(p.deliveriesPerSec)}/s); to the clients that stayed connected ${n(p.deliveriesByStayed)} of ${n(p.expectedDeliveries)} expected`
        : `${n(p.deliveries)} of ${n(p.expectedDeliveries)} expected (${n(p.deliveriesPerSec)}/s)`,
    ],
    ['  missing / duplicate', `${n(p.missing)} / ${n(p.duplicates)}`],
    [
      '  latency ms',
      `p50 ${p.latencyMs.p50}  p95 ${p.latencyMs.p95}  p99 ${p.latencyMs.p99}  max ${p.latencyMs.max}`,
    ],
    [
      '  ack latency ms',
      `p50 ${p.ackLatencyMs.p50}  p95 ${p.ackLatencyMs.p95}  p99 ${p.ackLatencyMs.p99}  max ${p.ackLatencyMs.max}`,
    ],
    ['  cpu per delivery', cpuLine(p)],
    ...(p.reconnects > 0
      ? [['  churn', `${n(p.reconnects)} reconnects (${n(p.churnedClients)} clients)`]]
      : []),
  ];
}

/** Where a round's CPU went: the servers (and Redis) when their pids were given, and the load side always. */
function cpuLine(p: PublishReport): string {
  const c = p.cpu;
  const parts: string[] = [];
  if (c.serverUsPerDelivery !== undefined)
    parts.push(`server ${c.serverUsPerDelivery} us (${(c.serverCores ?? 0).toFixed(2)} cores)`);
  if (c.redisUsPerMessage !== undefined)
    parts.push(
      `Redis ${c.redisUsPerMessage} us per message, server + Redis ${c.serverAndRedisUsPerDelivery} us`,
    );
  parts.push(`load side ${c.loadUsPerDelivery} us (${Math.round(c.loadShare * 100)}% of its CPUs)`);
  return parts.join(', ');
}

/** The readable table printed at the end of a run. */
export function formatReport(result: BenchResult): string {
  const rows: string[][] = [
    ['scenario', `${result.scenario} (${result.driver}) -> ${result.urls.join(', ')}`],
    [
      'clients',
      `${n(result.clients)} in ${n(result.rooms)} rooms, ${n(result.publishers)} publishers, ${result.workers} load processes`,
    ],
    [
      'connect',
      `${n(result.connect.connected)} ok, ${n(result.connect.failed)} failed in ${result.connect.seconds} s (${n(result.connect.perSec)}/s)`,
    ],
  ];
  if (result.connect.errors.length > 0) rows.push(['  errors', result.connect.errors.join('; ')]);
  const { serverUsPerConnection, loadUsPerConnection } = result.connect;
  if (serverUsPerConnection !== undefined) {
    rows.push([
      'connect CPU',
      `server ${n(serverUsPerConnection)} us, load side ${n(loadUsPerConnection ?? 0)} us per connection`,
    ]);
  }
  if (result.serverMemory) {
    rows.push([
      'server memory',
      `${n(Math.round(result.serverMemory.bytesPerConnection / 102.4) / 10)} KiB per connection`,
    ]);
  }
  if (result.publish) rows.push(...publishRows('publish', result.publish));
  for (const round of result.fixedRates ?? []) rows.push(...publishRows('fixed rate', round));
  if (result.findMax) {
    rows.push([
      'find-max',
      `highest sustainable: ${n(result.findMax.maxSustainableRate)} msg/s (p99 <= ${result.findMax.p99BoundMs} ms)`,
    ]);
    if (result.findMax.loadBound)
      rows.push(['  load-bound', "the load side was at its CPUs' limit at the failing rate: inconclusive"]);
    for (const [i, step] of result.findMax.steps.entries())
      rows.push(...publishRows(`  step ${i + 1}`, step));
  }
  const width = Math.max(...rows.map((r) => (r[0] as string).length));
  return `${rows.map(([k, v]) => `${(k as string).padEnd(width)}  ${v}`).join('\n')}\n`;
}

/** Connect errors that are the server's abuse limits, not its capacity: too many per address or user, too fast. */
const LIMIT_REFUSAL = /\b429\b|\b4029\b|too_many_connections|rate_limited/;

/**
 * A warning when the server's abuse limits refused this run's connections or sends, naming the flags that lift
 * them; undefined otherwise. A load test from one machine is many "users" at one address sending far above a
 * person's rate: with the limits on, it measures the limits.
 */
export function limitsWarning(result: BenchResult): string | undefined {
  const refusedConnects = result.connect.errors.some((e) => LIMIT_REFUSAL.test(e));
  const steps = [result.publish, ...(result.findMax?.steps ?? []), ...(result.fixedRates ?? [])].filter(
    (p) => p !== undefined,
  );
  const rateLimited = steps.reduce((sum, p) => sum + p.rateLimited, 0);
  if (!refusedConnects && rateLimited === 0) return undefined;
  const what = [
    refusedConnects ? 'refused connections (per-address or per-user connection caps, handshake rate)' : '',
    rateLimited > 0 ? `refused ${n(rateLimited)} sends (per-user message rate)` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const flags: string[] = [];
  for (let i = 0; i < NO_LIMIT_FLAGS.length; i += 2)
    flags.push(`${NO_LIMIT_FLAGS[i]} ${NO_LIMIT_FLAGS[i + 1]}`);
  return (
    `warning: the server's abuse limits ${what}: this run measured the limits, not the server. ` +
    `For load tests start the server with ${flags.join(' ')} (README, "Measuring it").`
  );
}
