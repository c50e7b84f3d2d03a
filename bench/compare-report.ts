/**
 * Renders `npm run bench:compare`'s results as the top of docs/benchmarks.md: what was measured, the tables, and
 * the targets, each a median over interleaved rounds of a ratio measured side by side in the same round.
 */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { makeConfig } from '../src/config/config.js';
import { defaultWorkers } from './load/options.js';
import type { PublishReport } from './load/run.js';
import { LOAD_BOUND_SHARE } from './load/run.js';
import { SYSTEM, type SystemName } from './systems.js';

const ROOT = new URL('../../', import.meta.url).pathname;
/** A round without CPU figures (a system that failed to run one). */
const EMPTY = { seconds: 0, loadSec: 0, loadUsPerDelivery: 0, loadShare: 0 };

/**
 * When the idle Redis count starts after the last join: a room that kept changing while its members connected sends
 * its last presence diff up to Parley's presenceBatchMaxMs after the last join; two seconds on top.
 */
export const PRESENCE_SETTLE_MS = makeConfig({}).presenceBatchMaxMs + 2000;

/**
 * Seconds after the last join that the run waited: before publishing, and to the crowd rounds' second CPU reading
 * (compare.ts passes both the same `--settle`); runs that did not record it waited PRESENCE_SETTLE_MS.
 */
function settledSeconds(results: CompareResults): number {
  return results.settleSeconds || Math.ceil(PRESENCE_SETTLE_MS / 1000);
}

/** How long publishing waited after the last join, and why; empty for runs that did not wait. */
function settleNote(results: CompareResults): string {
  if (!results.settleSeconds) return '';
  return ` Publishing starts ${results.settleSeconds} s after the last join, for every system alike: Parley's last presence diffs of the connect storm (a frame to every member) come up to \`presenceBatchMaxMs\` after the last join, and they are the connections' cost, not the messages': after the storm's span, so outside its rate and server CPU, but in the server CPU up to ${settledSeconds(results)} s after the last join (connect + join below).`;
}

export interface CompareResults {
  date: string;
  redisVersion: string;
  clients: number;
  deliveryRates: number[];
  fixedSeconds: number;
  /** Seconds between the last connection and the first published message (absent in runs before it existed). */
  settleSeconds?: number;
  crowd: { clients: number; roomSize: number };
  stepSeconds: number;
  pinned: { server: string; load: string };
  cpu: Array<{
    system: SystemName;
    round: number;
    rates: PublishReport[];
    scriptsPerMessage?: number;
    /** The server on `pinned.server`, the load on `pinned.load` (absent: unpinned, as every run before it existed). */
    pinned?: boolean;
  }>;
  crowds: Array<{
    system: SystemName;
    round: number;
    connected: number;
    connectsPerSec: number;
    /** The server's CPU per connection over the storm (absent in runs before it was recorded). */
    serverUsPerConnection?: number;
    /**
     * The same up to PRESENCE_SETTLE_MS after the last join: the storm's last presence diffs included (absent in
     * runs before it was recorded).
     */
    serverUsPerConnectionSettled?: number;
    bytesPerConnection: number;
  }>;
  max: Array<{
    system: SystemName;
    round: number;
    maxRate: number;
    deliveriesPerSec: number;
    p50: number;
    p99: number;
    serverCoresAtMax: number;
    failedRate: number;
    loadShareAtFailure: number;
    serverCoresAtFailure: number;
    loadBound: boolean;
  }>;
  redisIdle?: Array<{ clients: number; commandsPerMinute: number }>;
}

/**
 * The median: the middle value, or for an even count the mean of the two middle ones (the lower one alone would
 * favour every "at most" target); 0 for none.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const upper = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[upper] as number;
  return ((sorted[upper - 1] as number) + (sorted[upper] as number)) / 2;
}

/** The lower middle value (one of the values itself, to pick that round's row); 0 for none. */
function lowerMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const us = (value: number) => value.toFixed(1);
const x = (value: number) => (Number.isFinite(value) && value > 0 ? `${value.toFixed(2)}x` : 'n/a');
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

function versions(results: CompareResults): string {
  const pkg = (name: string) =>
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  const own = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return `Node.js ${process.version}; Parley ${own}; ws ${pkg('ws')}; socket.io ${pkg('socket.io')}; @socket.io/redis-adapter ${pkg('@socket.io/redis-adapter')}; ioredis ${pkg('ioredis')}; ${results.redisVersion}`;
}

/** Per-round values of one system's figure, in round order. */
function perRound<T extends { system: SystemName; round: number }>(
  rows: readonly T[],
  system: SystemName,
  value: (row: T) => number,
): number[] {
  return rows
    .filter((r) => r.system === system)
    .sort((a, b) => a.round - b.round)
    .map(value);
}

/** The median over rounds of `a / b`, each ratio taken within one round (the host's slow minutes move both). */
function pairedRatio<T extends { system: SystemName; round: number }>(
  rows: readonly T[],
  a: SystemName,
  b: SystemName,
  value: (row: T) => number,
): { median: number; rounds: number[] } {
  const bs = new Map(rows.filter((r) => r.system === b).map((r) => [r.round, value(r)]));
  const ratios = rows
    .filter((r) => r.system === a && (bs.get(r.round) ?? 0) > 0)
    .sort((p, q) => p.round - q.round)
    .map((r) => value(r) / (bs.get(r.round) as number));
  return { median: median(ratios), rounds: ratios };
}

export function renderCompare(results: CompareResults): string {
  const rounds = Math.max(0, ...results.cpu.map((r) => r.round));
  const rates = results.deliveryRates;
  /** A system's CPU per delivery at the k-th fixed rate: servers, plus Redis for the multi-instance systems. */
  const cpuAt = (k: number) => (row: CompareResults['cpu'][number]) => {
    const c = row.rates[k]?.cpu;
    return c?.serverAndRedisUsPerDelivery ?? c?.serverUsPerDelivery ?? 0;
  };
  type CpuRow = CompareResults['cpu'][number];
  const unpinnedCpu = results.cpu.filter((r) => !r.pinned);
  const pinnedCpu = results.cpu.filter((r) => r.pinned);
  /** Runs before the pinned rounds existed have none: their one-instance figures are the unpinned ones. */
  const hasPinned = pinnedCpu.length > 0;
  /** One instance's headline and targets: the pinned rounds, or for a run without them the unpinned ones. */
  const singleCpu = hasPinned ? pinnedCpu : unpinnedCpu;
  const fellBehind = (rows: readonly CpuRow[], system: SystemName, k: number) =>
    rows
      .filter((r) => r.system === system)
      .some((r) => {
        const round = r.rates[k];
        return !round || round.missing > 0 || round.deliveriesByStayed < round.expectedDeliveries;
      });
  const cpuTable = (rows: readonly CpuRow[], systems: SystemName[], base: SystemName, multi: boolean) => {
    const head = rates.map(
      (d) => `${n(d)} deliveries/s: us per delivery (rounds) | vs ${multi ? 'bare ws x2' : 'bare ws'}`,
    );
    const lines = systems.map((system) => {
      const cells = rates.map((_, k) => {
        const values = perRound(rows, system, cpuAt(k));
        const ratio = pairedRatio(rows, system, base, cpuAt(k));
        const behind = fellBehind(rows, system, k) ? ' (fell behind)' : '';
        return `${us(median(values))} (${values.map(us).join(' / ')})${behind} | ${x(ratio.median)}`;
      });
      const atEachRate = (value: (c: PublishReport['cpu']) => number | undefined) =>
        rates
          .map((_, k) => us(median(perRound(rows, system, (r) => value(r.rates[k]?.cpu ?? EMPTY) ?? 0))))
          .join(' / ');
      const load = atEachRate((c) => c.loadUsPerDelivery);
      const redis = multi ? ` | ${atEachRate((c) => c.redisUsPerMessage)}` : '';
      return `| ${system} | ${cells.join(' | ')}${redis} | ${load} |`;
    });
    const redisHead = multi ? ' | Redis CPU per published message, us (each rate)' : '';
    const align = rates.map(() => '---: | ---:').join(' | ');
    return `| system | ${head.join(' | ')}${redisHead} | load side us per delivery (each rate) |
| --- | ${align}${multi ? ' | ---:' : ''} | ---: |
${lines.join('\n')}`;
  };

  const single: SystemName[] = [SYSTEM.bareWs, SYSTEM.parley, SYSTEM.socketIo];
  const multi = [SYSTEM.bareWsRedis, SYSTEM.parleyRedis, SYSTEM.socketIoRedis];
  const crowdRows = single.map((system) => {
    const mem = perRound(results.crowds, system, (r) => r.bytesPerConnection / 1024);
    const rate = perRound(results.crowds, system, (r) => r.connectsPerSec);
    const connected = Math.min(...perRound(results.crowds, system, (r) => r.connected));
    // Runs before a figure was recorded have none (and a system without rounds none either).
    const cpuCells = (figure: (r: CompareResults['crowds'][number]) => number) => {
      const cpu = perRound(results.crowds, system, figure);
      return cpu.length > 0 && cpu.every((v) => v > 0)
        ? `${n(median(cpu))} (${cpu.map(n).join(' / ')}) | ${x(pairedRatio(results.crowds, system, SYSTEM.bareWs, figure).median)}`
        : 'n/a | n/a';
    };
    return `| ${system} | ${us(median(mem))} (${mem.map(us).join(' / ')}) | ${x(pairedRatio(results.crowds, system, SYSTEM.bareWs, (r) => r.bytesPerConnection).median)} | ${n(median(rate))} (${rate.map(n).join(' / ')}) | ${x(pairedRatio(results.crowds, system, SYSTEM.bareWs, (r) => r.connectsPerSec).median)} | ${cpuCells((r) => r.serverUsPerConnection ?? 0)} | ${cpuCells((r) => r.serverUsPerConnectionSettled ?? 0)} | ${n(connected)} |`;
  });
  const maxRows = single.map((system) => {
    const rows = results.max.filter((r) => r.system === system).sort((a, b) => a.round - b.round);
    const each = rows
      .map((r) => `${n(r.deliveriesPerSec / 1000)}k${r.loadBound ? ' (load-bound)' : ''}`)
      .join(' / ');
    const mid = lowerMedian(rows.map((r) => r.deliveriesPerSec));
    const row = rows.find((r) => r.deliveriesPerSec === mid);
    return `| ${system} | ${n(lowerMedian(rows.map((r) => r.maxRate)))} | ${n(mid)} | ${each} | ${row ? `${row.p50} / ${row.p99}` : ''} | ${row ? row.serverCoresAtMax.toFixed(2) : ''} | ${rows.map((r) => `${Math.round(r.loadShareAtFailure * 100)}%`).join(' / ')} |`;
  });

  const pinnedLabel = hasPinned ? ' (pinned)' : '';
  const pinnedNote = hasPinned
    ? ` One instance runs **pinned**, for its table and targets: the server on CPU ${results.pinned.server}, the load processes on CPU ${results.pinned.load}
  (\`taskset\`), so that the load side never runs on the server's core and the server's CPU time is its own work, not
  also the cache refills after the load side ran there; then once more unpinned, as earlier runs measured. Two
  instances and Redis run unpinned: three processes on one core would not be a two-instance deployment.`
    : '';
  /** With pinned rounds, the same systems unpinned as well: how every run before them measured. */
  const unpinnedSingle =
    hasPinned && unpinnedCpu.some((r) => single.includes(r.system))
      ? `
The same, unpinned (server and load processes wherever the scheduler puts them, as runs before the pinned rounds
measured; not a target):

${cpuTable(unpinnedCpu, single, SYSTEM.bareWs, false)}
`
      : '';

  // Targets.
  const ratioAt = (rows: readonly CpuRow[], a: SystemName, b: SystemName, k: number) =>
    pairedRatio(rows, a, b, cpuAt(k)).median;
  const rounded = (v: number) => Number(v.toFixed(2));
  const cpuTarget = (rows: readonly CpuRow[], a: SystemName, b: SystemName, bound: number, label: string) =>
    rates.map((d, k) => {
      const ratio = ratioAt(rows, a, b, k);
      const behind = fellBehind(rows, a, k) || fellBehind(rows, b, k);
      const state =
        rounds < 3
          ? '**not measured** (fewer than 3 rounds)'
          : behind
            ? '**inconclusive** (a system fell behind the rate)'
            : verdict(rounded(ratio) <= bound);
      return `| ${label} at ${n(d)} deliveries/s <= ${bound}x | ${x(ratio)} | ${state} |`;
    });
  const mem = pairedRatio(results.crowds, SYSTEM.parley, SYSTEM.bareWs, (r) => r.bytesPerConnection).median;
  const connects = pairedRatio(results.crowds, SYSTEM.parley, SYSTEM.bareWs, (r) => r.connectsPerSec).median;
  const crowdMeasured = results.crowds.length > 0;
  /**
   * The storm shares the cores with the load side, so its rate is not the server's alone. Bare ws's server CPU per
   * connection over Parley's, per round, is the rate a storm bound by the server alone would read: the target is met
   * only when that figure meets it too.
   */
  const serverBound = pairedRatio(
    results.crowds,
    SYSTEM.bareWs,
    SYSTEM.parley,
    (r) => r.serverUsPerConnection ?? 0,
  ).median;
  const connectTarget = () => {
    if (!crowdMeasured) return `${x(connects)} | **not measured**`;
    if (!(serverBound > 0)) {
      return `${x(connects)} (server CPU not recorded) | **inconclusive** (the rate alone is not server-bound)`;
    }
    const measured = `${x(connects)} (rate, cores shared with the load); ${x(serverBound)} by server CPU per connection`;
    return `${measured} | ${verdict(rounded(connects) >= 0.75 && rounded(serverBound) >= 0.75)}`;
  };
  /**
   * A ratio of maxima counts only from rounds where neither system's search stopped at the load side's limit: with
   * none left, the target is inconclusive.
   */
  const maxTarget = (base: SystemName, bound: number) => {
    const rows = results.max.filter((r) => r.system === base || r.system === SYSTEM.parley);
    if (rows.length === 0) return '**not measured** |';
    const loadBoundRounds = new Set(rows.filter((r) => r.loadBound).map((r) => r.round));
    const serverBound = rows.filter((r) => !loadBoundRounds.has(r.round));
    const all = pairedRatio(results.max, SYSTEM.parley, base, (r) => r.deliveriesPerSec);
    const valid = pairedRatio(serverBound, SYSTEM.parley, base, (r) => r.deliveriesPerSec);
    if (valid.rounds.length === 0)
      return `${x(all.median)} (every round load-bound) | **load-bound, inconclusive**`;
    const each = valid.rounds.map((v) => v.toFixed(2)).join(' / ');
    const state =
      valid.rounds.length < 2
        ? '**inconclusive** (one server-bound round)'
        : verdict(rounded(valid.median) >= bound);
    return `${x(valid.median)} (server-bound rounds: ${each}; ${loadBoundRounds.size} load-bound left out) | ${state}`;
  };
  const scripts = median(
    results.cpu.filter((r) => r.scriptsPerMessage !== undefined).map((r) => r.scriptsPerMessage as number),
  );
  const idle = [...(results.redisIdle ?? [])].sort((a, b) => a.clients - b.clients);
  const few = idle[0];
  const all = idle.at(-1);
  const marginal =
    few && all && all.clients > few.clients
      ? (all.commandsPerMinute - few.commandsPerMinute) / (all.clients - few.clients)
      : undefined;

  return `# Benchmarks

Generated by \`npm run bench:compare\` on ${results.date}: every system on this machine, in ${rounds} interleaved
round${rounds === 1 ? '' : 's'} (each system once per round, one after the other, so a slow minute of the shared host
hits all of them). Tables give medians over the rounds with each round in brackets; ratios are taken within a
round, then their median (for an even number of rounds, the mean of the two middle ones; the max fan-out table
shows its middle round, the lower of the two). The load generator (\`parley bench\`) runs on the same two cores:
compare the ratios, not the absolute numbers.

## Machine and versions

- ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}
- ${versions(results)}

## Workloads

- **CPU per delivery at fixed rates** (the headline): ${n(results.clients)} connections in ${n(results.clients / 50)} rooms of 50, one
  publisher per room, 100-byte messages, publishers out of phase with each other.${settleNote(results)} After a 3 s warm-up, one
  ${results.fixedSeconds}-second round at each of ${rates.map((d) => `${n(d)}`).join(' and ')} deliveries/s (${rates.map((d) => n(d / 50)).join(' and ')} msg/s). CPU (user + system) of the
  server processes, and of Redis for the two-instance systems, read from \`/proc\` from the start of the round to the
  end of its accounting, divided by the deliveries. Every delivery is checked (per publisher sequence: no missing,
  no duplicate); "fell behind" marks a rate a system did not keep up with. Two instances: bare ws with one Redis
  channel per room (subscribed while the instance has a member there, one \`PUBLISH\` per message), Parley with
  \`--store redis\`, Socket.IO with @socket.io/redis-adapter.${pinnedNote}
- **Memory and connect rate**: ${n(results.crowd.clients)} clients connect to one instance (${defaultWorkers(results.crowd.clients)} load processes, 50 handshakes in flight
  each, ${Math.ceil(results.crowd.clients / 1000)} source addresses), each joins its room of ${results.crowd.roomSize} (Parley: presence registered and announced);
  connects/s from the first handshake to the last join acknowledged; server RSS growth per connection 1 s after. The
  server's CPU (\`/proc\`) over the same span, per connection: the storm shares the two cores with the load
  processes, so its rate follows both sides' CPU together, and the connect target counts as met only when bare ws's
  server CPU per connection over Parley's (the rate a storm bound by the server alone would read) meets it too. The
  server's CPU per connection again, from the first handshake to ${settledSeconds(results)} s after the last join: what the storm set going
  after its span is in it (Parley's last presence diffs, a frame to every member of a room that kept changing, up to
  \`presenceBatchMaxMs\` after the last join), and so are those seconds' idle costs (heartbeats); stated, not a target.
- **Max fan-out, pinned**: the server on CPU ${results.pinned.server}, the load processes on CPU ${results.pinned.load} (\`taskset\`), so that the server,
  not the load side, can be what saturates. The fan-out shape above; \`--find-max\` raises the rate by 1.5x per ${results.stepSeconds}-second step from ${n((results.clients / 50) * 3)} msg/s
  while every delivery arrives and p99 <= 200 ms, tries a failing rate twice, then bisects twice (~11%). When the
  load processes used >= ${Math.round(LOAD_BOUND_SHARE * 100)}% of their CPU at the failing rate, the round is **load-bound**: its maximum is the load
  side's, and a ratio from it is inconclusive.
- The load side is lean for every system alike: a raw WebSocket client (\`bench/load/raw-websocket.ts\`, no
  client library), deliveries found by their payload's marker in the raw frame without decoding it.

Commands: \`npm run bench:compare\` (this page; \`BENCH_RUNS\`, \`BENCH_SKIP_MAX=1\`, \`BENCH_REPORT_ONLY=1\` to re-render),
or by hand: \`parley serve --port 8080 …\` then \`parley bench --url ws://127.0.0.1:8080/ws --rates 200,660 --server-pid <pid>\`
(\`--find-max --load-cpus 1\` with the server under \`taskset -c 0\`). Parley runs with its abuse limits off
(\`--commands-per-sec 0 --user-messages-per-sec 0 --max-connections-per-ip 0 --max-connections-per-user 0
--handshakes-per-ip-per-sec 0\`): the load tool is one "user" per connection sending far above human rates.

## Results

### CPU per delivery at fixed rates, one instance${hasPinned ? `, pinned (server on CPU ${results.pinned.server}, load on CPU ${results.pinned.load})` : ''}

${cpuTable(singleCpu, single, SYSTEM.bareWs, false)}
${unpinnedSingle}
### CPU per delivery at fixed rates, two instances + Redis (servers and Redis together)

${cpuTable(unpinnedCpu, multi, SYSTEM.bareWsRedis, true)}

Redis: Parley x2 ran ${scripts.toFixed(2)} \`EVALSHA\` per published message (the publish script: idempotency, offset,
\`XADD\`, \`PUBLISH\`). With every client connected but silent, Redis ran ${few ? `${n(few.commandsPerMinute)} commands per minute with ${n(few.clients)}` : 'n/a'} and
${all ? `${n(all.commandsPerMinute)} with ${n(all.clients)}` : 'n/a'} idle clients (two instances, fresh for each count, 20 s from ${(PRESENCE_SETTLE_MS / 1000).toFixed(0)} s after the last join):
${marginal === undefined ? 'n/a' : marginal.toFixed(3)} commands per minute per added idle connection (a count catches a heartbeat more or less: about +-0.015).

### ${n(results.crowd.clients)} connections in rooms of ${results.crowd.roomSize}, one instance

| system | idle KiB per connection (rounds) | vs bare ws | connects + joins per second (rounds) | vs bare ws | server CPU us per connection (rounds) | vs bare ws | the same to ${settledSeconds(results)} s after the last join (rounds) | vs bare ws | connected (fewest) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${crowdRows.join('\n')}

### Max fan-out, server pinned to one CPU, load to the other

| system | max msg/s (p99 <= 200 ms) | deliveries/s | deliveries/s of each round | p50 / p99 ms | server cores at max | load side's CPU at the failing rate (rounds) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${maxRows.join('\n')}

## Targets

| target | measured | |
| --- | --- | --- |
${cpuTarget(singleCpu, SYSTEM.parley, SYSTEM.bareWs, 1.1, `single instance${pinnedLabel}, CPU per delivery vs bare ws`).join('\n')}
${cpuTarget(singleCpu, SYSTEM.parley, SYSTEM.socketIo, 0.65, `single instance${pinnedLabel}, CPU per delivery vs Socket.IO`).join('\n')}
${cpuTarget(unpinnedCpu, SYSTEM.parleyRedis, SYSTEM.bareWsRedis, 1.15, 'two instances + Redis, CPU per delivery vs bare ws x2 + Redis').join('\n')}
${cpuTarget(unpinnedCpu, SYSTEM.parleyRedis, SYSTEM.socketIoRedis, 0.7, 'two instances + Redis, CPU per delivery vs Socket.IO x2 + redis-adapter').join('\n')}
| idle memory per connection at ${n(results.crowd.clients)} in rooms of ${results.crowd.roomSize} <= 1.2x bare ws | ${x(mem)} | ${crowdMeasured ? verdict(rounded(mem) <= 1.2) : '**not measured**'} |
| connect + join rate at ${n(results.crowd.clients)} in rooms of ${results.crowd.roomSize} >= 0.75x bare ws | ${connectTarget()} |
| max fan-out, pinned, >= 0.9x bare ws | ${maxTarget(SYSTEM.bareWs, 0.9)} |
| max fan-out, pinned, >= 3x Socket.IO | ${maxTarget(SYSTEM.socketIo, 3)} |
| one Redis round trip per published message | ${scripts.toFixed(2)} \`EVALSHA\` per message | ${verdict(scripts > 0 && scripts < 1.1)} |
| Redis operations per idle connection per minute near zero | ${marginal === undefined ? 'n/a' : marginal.toFixed(3)} per added connection | ${marginal === undefined ? '**not measured**' : verdict(Math.abs(marginal) < 0.05)} |
`;
}
