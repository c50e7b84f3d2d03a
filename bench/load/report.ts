import type { BenchResult, PublishReport } from './run.js';

const n = (value: number) => value.toLocaleString('en-US');

function publishRows(label: string, p: PublishReport): string[][] {
  return [
    [label, `${n(p.ratePerSec)} msg/s target for ${p.durationSec} s`],
    ['  published', `${n(p.sent)} (${n(p.publishedPerSec)}/s), ${n(p.publishErrors)} errors`],
    [
      '  deliveries',
      `${n(p.deliveries)} of ${n(p.expectedDeliveries)} expected (${n(p.deliveriesPerSec)}/s)`,
    ],
    ['  missing / duplicate', `${n(p.missing)} / ${n(p.duplicates)}`],
    [
      '  latency ms',
      `p50 ${p.latencyMs.p50}  p95 ${p.latencyMs.p95}  p99 ${p.latencyMs.p99}  max ${p.latencyMs.max}`,
    ],
    ...(p.reconnects > 0
      ? [['  churn', `${n(p.reconnects)} reconnects (${n(p.churnedClients)} clients)`]]
      : []),
  ];
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
  if (result.serverMemory) {
    rows.push([
      'server memory',
      `${n(Math.round(result.serverMemory.bytesPerConnection / 102.4) / 10)} KiB per connection`,
    ]);
  }
  if (result.publish) rows.push(...publishRows('publish', result.publish));
  if (result.findMax) {
    rows.push([
      'find-max',
      `highest sustainable: ${n(result.findMax.maxSustainableRate)} msg/s (p99 <= ${result.findMax.p99BoundMs} ms)`,
    ]);
    for (const [i, step] of result.findMax.steps.entries())
      rows.push(...publishRows(`  step ${i + 1}`, step));
  }
  const width = Math.max(...rows.map((r) => (r[0] as string).length));
  return `${rows.map(([k, v]) => `${(k as string).padEnd(width)}  ${v}`).join('\n')}\n`;
}
