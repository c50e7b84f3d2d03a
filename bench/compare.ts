/**
 * `npm run bench:compare`: Parley against what users would pick instead, side by side in one run on this machine,
 * in interleaved rounds (every system once per round, so a slow minute of the shared host hits all alike), and
 * writes docs/benchmarks.md. Loopback only; bounded.
 *
 * - CPU per delivery at fixed rates (the headline: least distorted by the load side sharing the cores), single
 *   instance and two instances + Redis, server and Redis CPU read from /proc.
 * - Idle memory per connection and connect + join rate at 19,000 connections in rooms of 190.
 * - Max fan-out with the server pinned to one CPU and the load to the other, reported as "load-bound,
 *   inconclusive" when the load side was at its CPU's limit where the search stopped.
 * - Redis commands per published message and per idle connection (Parley x2).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startBenchRedis } from './bench-redis.js';
import { type CompareResults, PRESENCE_SETTLE_MS, renderCompare } from './compare-report.js';
import { type BenchOptions, parseBenchArgs } from './load/options.js';
import { type BenchHooks, runBench } from './load/run.js';
import { READS_HEADING, readsSection, runReadBenchmarks } from './reads.js';
import { ROOMS_HEADING, roomsSection, runRoomBenchmarks } from './rooms.js';
import { headingAt, saveSection, sectionOf, withSection } from './sections.js';
import { runStoreBenchmarks, STORE_HEADING, storeSection } from './store.js';
import { MULTI, type Running, SINGLE, SYSTEM, type SystemUnderTest } from './systems.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/**
 * Rounds over all systems; medians over rounds are reported (at least 3 for a target to count). Five by default: on
 * this shared host one system's CPU per delivery moves by 15-25 % from round to round, and the median of three moved
 * a ratio by +-0.1 between two runs an hour apart.
 */
const RUNS = Math.max(1, env('BENCH_RUNS', 5));
/** The fan-out shape: clients in rooms of 50, one publisher per room. */
const CLIENTS = env('BENCH_CLIENTS', 5000);
const ROOMS = Math.ceil(CLIENTS / 50);
/** Fixed deliveries per second measured for CPU per delivery (messages/s = deliveries / 50). */
const DELIVERY_RATES = (process.env.BENCH_DELIVERY_RATES ?? '10000,33000').split(',').map(Number);
const FIXED_SECONDS = env('BENCH_FIXED_SECONDS', 10);
/**
 * Connections for memory and connect rate: 19,000 in rooms of 190 (the open-files limit here is 20,000 per
 * process, and the server needs a few of its own). 0 skips it.
 */
const CROWD = env('BENCH_CROWD_CLIENTS', 19_000);
const CROWD_ROOM = env('BENCH_CROWD_ROOM', 190);
const STEP_SECONDS = env('BENCH_STEP_SECONDS', 5);
/** BENCH_SKIP_MAX=1 leaves out the pinned find-max (the longest part). */
const SKIP_MAX = Boolean(process.env.BENCH_SKIP_MAX);
/** CPUs for the pinned runs (one-instance fixed rates, find-max): the server on the first, the load on the second. */
const SERVER_CPU = '0';
const LOAD_CPU = '1';

/** The raw results behind docs/benchmarks.md, committed with it: BENCH_REPORT_ONLY=1 re-renders the page. */
const RAW_RESULTS = join(ROOT, 'docs/benchmarks.json');
/** Where the hand-written analysis of docs/benchmarks.md starts; the generator keeps what follows. */
const ANALYSIS_MARKER = '## Analysis';

function options(args: string[]): BenchOptions {
  const parsed = parseBenchArgs(args);
  if (parsed === 'help') throw new Error('unexpected help');
  return parsed;
}

/** Load options for `clients` connections in rooms of `roomSize` on `running`. */
function load(
  system: SystemUnderTest,
  running: Running,
  clients: number,
  roomSize: number,
  ...rest: string[]
) {
  return options([
    '--driver',
    system.driver,
    '--url',
    running.urls.join(','),
    '--clients',
    String(clients),
    '--rooms',
    String(Math.ceil(clients / roomSize)),
    ...running.pids.flatMap((p) => ['--server-pid', String(p)]),
    ...rest,
  ]);
}

async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Client round trips that ran a script (the publish path is one EVALSHA per message). */
async function evalshaCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

const SETTLE_SECONDS = Math.ceil(PRESENCE_SETTLE_MS / 1000);

/**
 * Load options for the fan-out shape: CLIENTS connections in rooms of 50, one publisher per room. Publishing starts
 * PRESENCE_SETTLE_MS after the last join, for every system alike: Parley's last presence diffs of the connect
 * storm (a frame to every member of every room) come up to presenceBatchMaxMs after the last join, and counted in
 * the first round they would be charged to the messages (they are the connections' cost: the crowd rounds state the
 * server's CPU per connection up to the same point, see `crowd`).
 */
function fanoutLoad(system: SystemUnderTest, running: Running, ...rest: string[]) {
  return load(system, running, CLIENTS, 50, '--settle', String(SETTLE_SECONDS), ...rest);
}

class Comparison {
  readonly results: CompareResults;

  constructor(
    private readonly redis: Redis,
    private readonly redisUrl: string,
    private readonly redisPid: number,
    redisVersion: string,
  ) {
    this.results = {
      date: new Date().toISOString().slice(0, 10),
      redisVersion,
      clients: CLIENTS,
      deliveryRates: DELIVERY_RATES,
      fixedSeconds: FIXED_SECONDS,
      settleSeconds: SETTLE_SECONDS,
      crowd: { clients: CROWD, roomSize: CROWD_ROOM },
      stepSeconds: STEP_SECONDS,
      pinned: { server: SERVER_CPU, load: LOAD_CPU },
      cpu: [],
      crowds: [],
      max: [],
    };
  }

  /** Runs `phase` against fresh instances of `system`, stopped afterwards whatever happens. */
  private async onFresh<T>(
    system: SystemUnderTest,
    phase: (running: Running) => Promise<T>,
    cpus?: string,
  ): Promise<T> {
    const running = await system.start(this.redisUrl, cpus);
    try {
      return await phase(running);
    } finally {
      await running.stop();
    }
  }

  /**
   * The fan-out load with `args` against fresh instances of `system`; `pinned` puts the server on SERVER_CPU and the
   * load processes on LOAD_CPU.
   */
  private fanout(
    system: SystemUnderTest,
    label: string,
    args: string[],
    pinned: boolean,
    hooks: BenchHooks = {},
  ) {
    const pinLoad = pinned ? ['--load-cpus', LOAD_CPU] : [];
    return this.onFresh(
      system,
      (running) =>
        runBench(
          fanoutLoad(system, running, ...args, ...pinLoad),
          this.progress(`${system.name}, ${label}`),
          hooks,
        ),
      pinned ? SERVER_CPU : undefined,
    );
  }

  private progress(label: string) {
    return (line: string) => process.stderr.write(`\r\x1b[2K${label}: ${line}`);
  }

  /**
   * CPU per delivery at each fixed rate (after a warm-up), and for Parley x2 the scripts per message. `pinned` puts
   * the server on SERVER_CPU and the load processes on LOAD_CPU, as the max fan-out does: the load side then never
   * runs on the server's core, so the server's CPU time is its own work, not also the cache refills after the load
   * side ran there (the single-instance targets read these rounds; see docs/benchmarks.md).
   */
  async cpuPerDelivery(system: SystemUnderTest, round: number, pinned = false): Promise<void> {
    const rates = DELIVERY_RATES.map((d) => Math.round(d / 50));
    const scripts: number[] = [];
    let before = 0;
    const hooks: BenchHooks =
      system.name === SYSTEM.parleyRedis
        ? {
            publishStarting: async () => {
              before = await evalshaCalls(this.redis);
            },
            publishEnded: async () => {
              scripts.push((await evalshaCalls(this.redis)) - before);
            },
          }
        : {};
    const redisPid = system.instances > 1 ? ['--redis-pid', String(this.redisPid)] : [];
    const result = await this.fanout(
      system,
      `fixed rates${pinned ? ' (pinned)' : ''}`,
      ['--rates', rates.join(','), '--duration', String(FIXED_SECONDS), ...redisPid],
      pinned,
      hooks,
    );
    const measured = result.fixedRates ?? [];
    // The first publishing round is the warm-up.
    const counted = scripts.slice(1).reduce((a, b) => a + b, 0);
    const sent = measured.reduce((a, r) => a + r.sent, 0);
    this.results.cpu.push({
      system: system.name,
      round,
      rates: measured,
      ...(pinned ? { pinned } : {}),
      ...(system.name === SYSTEM.parleyRedis ? { scriptsPerMessage: counted / Math.max(1, sent) } : {}),
    });
  }

  /**
   * Idle memory per connection and connect + join rate with CROWD connections in rooms of CROWD_ROOM; the server's
   * CPU per connection over the storm, and up to PRESENCE_SETTLE_MS after its last join (the storm's last presence
   * diffs, which the storm's own span ends before).
   */
  async crowd(system: SystemUnderTest, round: number): Promise<void> {
    if (CROWD <= 0) return;
    const result = await this.onFresh(system, (running) =>
      runBench(
        load(system, running, CROWD, CROWD_ROOM, '--scenario', 'idle', '--settle', String(SETTLE_SECONDS)),
        this.progress(`${system.name}, ${CROWD} connections`),
      ),
    );
    this.results.crowds.push({
      system: system.name,
      round,
      connected: result.connect.connected,
      connectsPerSec: result.connect.perSec,
      ...(result.connect.serverUsPerConnection !== undefined
        ? { serverUsPerConnection: result.connect.serverUsPerConnection }
        : {}),
      ...(result.connect.serverUsPerConnectionSettled !== undefined
        ? { serverUsPerConnectionSettled: result.connect.serverUsPerConnectionSettled }
        : {}),
      bytesPerConnection: result.serverMemory?.bytesPerConnection ?? 0,
    });
  }

  /** Find-max with the server pinned to SERVER_CPU and the load processes to LOAD_CPU. */
  async maxFanout(system: SystemUnderTest, round: number): Promise<void> {
    const result = await this.fanout(
      system,
      'max fan-out (pinned)',
      ['--find-max', '--rate', String(ROOMS * 3), '--duration', String(STEP_SECONDS)],
      true,
    );
    const found = result.findMax;
    const max = found?.maxSustainableRate ?? 0;
    const held = found?.steps.filter((s) => s.ratePerSec === max).at(-1);
    const failing = found?.steps.filter((s) => s.ratePerSec === found.failedRate) ?? [];
    this.results.max.push({
      system: system.name,
      round,
      maxRate: max,
      deliveriesPerSec: held?.deliveriesPerSec ?? 0,
      p50: held?.latencyMs.p50 ?? 0,
      p99: held?.latencyMs.p99 ?? 0,
      serverCoresAtMax: held?.cpu.serverCores ?? 0,
      failedRate: found?.failedRate ?? 0,
      loadShareAtFailure: Math.max(0, ...failing.map((s) => s.cpu.loadShare)),
      serverCoresAtFailure: Math.max(0, ...failing.map((s) => s.cpu.serverCores ?? 0)),
      loadBound: found?.loadBound ?? false,
    });
  }

  /**
   * Redis commands per minute with every client of Parley x2 connected and silent, at a fifth of the clients and at
   * all of them: the difference is what one more idle connection costs Redis.
   */
  async redisIdle(): Promise<void> {
    const system = MULTI.find((s) => s.name === SYSTEM.parleyRedis) as SystemUnderTest;
    const counts: Array<{ clients: number; commandsPerMinute: number }> = [];
    for (const clients of [Math.ceil(CLIENTS / 5), CLIENTS]) {
      await this.onFresh(system, (running) =>
        runBench(load(system, running, clients, 50, '--scenario', 'idle'), this.progress('Redis idle'), {
          connected: async () => {
            // A room that kept changing while its members connected sends its last diff (one PUBLISH per room and
            // instance) up to presenceBatchMaxMs after the last join: idle starts after that.
            await new Promise((r) => setTimeout(r, PRESENCE_SETTLE_MS));
            const before = await redisCommands(this.redis);
            await new Promise((r) => setTimeout(r, 20_000));
            counts.push({ clients, commandsPerMinute: ((await redisCommands(this.redis)) - before) * 3 });
          },
        }),
      );
    }
    this.results.redisIdle = counts;
  }

  save(): void {
    writeFileSync(RAW_RESULTS, `${JSON.stringify(this.results)}\n`);
  }
}

/** Writes docs/benchmarks.md from the results, keeping the analysis (by hand) and the other benchmarks' sections. */
function writeReport(results: CompareResults): void {
  const path = join(ROOT, 'docs/benchmarks.md');
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const at = headingAt(previous, ANALYSIS_MARKER);
  // One blank line between the rendered part and the kept analysis, however many a re-render would add.
  let markdown = `${renderCompare(results).trimEnd()}\n\n${at >= 0 ? previous.slice(at) : ''}`;
  // The store, group chat and read state sections come from their own runs (below, or their own npm scripts).
  for (const heading of [STORE_HEADING, ROOMS_HEADING, READS_HEADING]) {
    const kept = sectionOf(previous, heading);
    if (kept) markdown = withSection(markdown, heading, kept);
  }
  writeFileSync(path, markdown);
  process.stdout.write(markdown);
}

/** Runs the other benchmarks that own a section of the page (BENCH_SKIP_STORE / _ROOMS / _READS=1 skip one). */
async function sectionBenchmarks(): Promise<void> {
  if (!process.env.BENCH_SKIP_STORE) {
    process.stderr.write('\n### durable store\n');
    const results = await runStoreBenchmarks();
    saveSection(STORE_HEADING, storeSection(results), 'benchmarks-store.json', results);
  }
  if (!process.env.BENCH_SKIP_ROOMS) {
    process.stderr.write('\n### group chat\n');
    const results = await runRoomBenchmarks();
    saveSection(ROOMS_HEADING, roomsSection(results), 'benchmarks-rooms.json', results);
  }
  if (!process.env.BENCH_SKIP_READS) {
    process.stderr.write('\n### read state\n');
    const results = await runReadBenchmarks();
    saveSection(READS_HEADING, readsSection(results), 'benchmarks-reads.json', results);
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_REPORT_ONLY) {
    if (!existsSync(RAW_RESULTS))
      throw new Error(`no raw results in ${RAW_RESULTS}: run npm run bench:compare`);
    writeReport(JSON.parse(readFileSync(RAW_RESULTS, 'utf8')) as CompareResults);
    return;
  }
  if (cpus().length < 2) throw new Error('bench:compare pins the server and the load to two different CPUs');
  // Redis shares the servers' CPU in the pinned runs' absence: it is not pinned.
  const { url: redisUrl, pid: redisPid, redis, stop: stopRedis } = await startBenchRedis();
  try {
    const redisVersion = execFileSync('redis-server', ['--version'])
      .toString()
      .split(' ')
      .slice(0, 3)
      .join(' ');
    const run = new Comparison(redis, redisUrl, redisPid, redisVersion);
    for (let round = 1; round <= RUNS; round += 1) {
      process.stderr.write(`\n### round ${round} of ${RUNS}\n`);
      // One instance pinned (the targets) and as before, unpinned (for comparison with earlier runs); two instances
      // and Redis unpinned: three processes on one core would not be a two-instance deployment.
      for (const system of SINGLE) await run.cpuPerDelivery(system, round, true);
      for (const system of [...SINGLE, ...MULTI]) await run.cpuPerDelivery(system, round);
      for (const system of SINGLE) await run.crowd(system, round);
      if (!SKIP_MAX) for (const system of SINGLE) await run.maxFanout(system, round);
      // Saved after every round: a run cut short keeps its whole rounds for BENCH_REPORT_ONLY.
      run.save();
    }
    await run.redisIdle();
    run.save();
    process.stderr.write('\n');
    writeReport(run.results);
    await sectionBenchmarks();
  } finally {
    stopRedis();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:compare failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
