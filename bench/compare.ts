/**
 * `npm run bench:compare`: the same workloads, in one run on this machine, against Parley (one instance, memory
 * engine), Parley (two instances + Redis), Socket.IO 4.8 (one instance; two instances + @socket.io/redis-adapter)
 * and a bare `ws` server (framed once, corked per turn). Writes docs/benchmarks.md. Loopback only; bounded.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { makeConfig } from '../src/config/config.js';
import { freePort } from '../src/util/free-port.js';
import { NO_LIMIT_FLAGS } from './load/no-limits.js';
import { type BenchOptions, defaultWorkers, parseBenchArgs } from './load/options.js';
import { type BenchResult, runBench } from './load/run.js';
import { READS_HEADING, readsSection, runReadBenchmarks } from './reads.js';
import { ROOMS_HEADING, roomsSection, runRoomBenchmarks } from './rooms.js';
import { saveSection, sectionOf, withSection } from './sections.js';
import { runStoreBenchmarks, STORE_HEADING, storeSection } from './store.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli.js');
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 5000);
const ROOMS = CLIENTS / 50;
/**
 * The connection storm: this many clients connect to one instance (joined, presence registered). 19,900 rather than
 * 20,000: the open-files limit here is 20,000 per process, and the server needs a few descriptors of its own.
 * 0 skips the storm.
 */
const STORM_CLIENTS = Number(process.env.BENCH_STORM_CLIENTS ?? 19_900);
/** Rounds over all systems; each system's median round is reported (a step of noise between rounds is common). */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

/**
 * "Near zero" for Redis commands per added idle connection per minute. The two 20-second counts each catch a
 * heartbeat more or less (about ten commands per instance): about +-0.015 of noise at 1,000 against 5,000 clients.
 * Before presence liveness moved to the instance, the figure was 36.6.
 */
const MARGINAL_NEAR_ZERO = 0.05;
/** The longest a presence diff trails the last join (Parley's default presenceBatchMaxMs), plus two seconds. */
const PRESENCE_SETTLE_MS = makeConfig({}).presenceBatchMaxMs + 2000;

/**
 * The raw rounds behind docs/benchmarks.md, committed with it: the page can be re-rendered from them, and they
 * survive `npm run build` (which empties dist/).
 */
const RAW_RESULTS = join(ROOT, 'docs/benchmarks.json');

/** The systems compared, by the names the page shows. */
const SYSTEM = {
  bareWs: 'bare ws (framed once, corked)',
  parley: 'Parley (memory engine)',
  socketIo: 'Socket.IO 4.8',
  parleyRedis: 'Parley x2 + Redis',
  socketIoRedis: 'Socket.IO 4.8 x2 + redis-adapter',
} as const;

/** Where the hand-written analysis of docs/benchmarks.md starts; the generator keeps what follows. */
const ANALYSIS_MARKER = '## Analysis';

const NO_LIMITS = [...NO_LIMIT_FLAGS, '--log-level', 'warn'];

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Running {
  urls: string[];
  pids: number[];
  stop(): Promise<void>;
}

function stopAll(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  ).then(() => {});
}

async function startParley(instances: number, redisUrl?: string): Promise<Running> {
  // One key prefix for the whole group (its instances must share rooms), fresh for every start.
  const prefix = `bench${Date.now()}`;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < instances; i += 1) {
    const port = await freePort();
    const args = [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', ...NO_LIMITS];
    if (redisUrl) {
      args.push('--redis-url', redisUrl, '--redis-prefix', prefix, '--node-id', `p${i}`, '--store', 'redis');
    } else args.push('--store', 'memory');
    children.push(spawn(process.execPath, args, { stdio: 'ignore' }));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 'parley');
    urls.push(`ws://127.0.0.1:${port}/ws`);
  }
  return { urls, pids: children.map((c) => c.pid as number), stop: () => stopAll(children) };
}

async function startPeer(script: string, instances: number, redisUrl?: string): Promise<Running> {
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < instances; i += 1) {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'dist/bench/peers', script), String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) },
    });
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    children.push(child);
    urls.push(`ws://127.0.0.1:${port}`);
  }
  return { urls, pids: children.map((c) => c.pid as number), stop: () => stopAll(children) };
}

interface SystemResult {
  name: string;
  idle: BenchResult;
  fanout: BenchResult;
  /** The connection storm (single-instance systems only). */
  storm?: BenchResult;
  redisCallsPerMessage?: number;
  /**
   * Redis commands per minute with every client connected and silent, at a small and at the full client count:
   * their difference is what idle connections themselves cost.
   */
  redisIdle?: Array<{ clients: number; commandsPerMinute: number }>;
}

function options(args: string[]): BenchOptions {
  const parsed = parseBenchArgs(args);
  if (parsed === 'help') throw new Error('unexpected help');
  return parsed;
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

async function measure(
  name: string,
  driver: string,
  start: () => Promise<Running>,
  redis?: Redis,
  storm = false,
): Promise<SystemResult> {
  process.stderr.write(`\n== ${name}\n`);
  const progress = (line: string) => process.stderr.write(`\r\x1b[2K${name}: ${line}`);
  /** Runs one phase against freshly started instances, stopped afterwards whatever happens. */
  const onFresh = async <T>(phase: (running: Running) => Promise<T>): Promise<T> => {
    const running = await start();
    try {
      return await phase(running);
    } finally {
      await running.stop();
    }
  };
  /** Load options for `clients` connections in rooms of 50 on `running`. */
  const load = (running: Running, clients: number, ...rest: string[]) =>
    options([
      '--driver',
      driver,
      '--url',
      running.urls.join(','),
      '--clients',
      String(clients),
      '--rooms',
      String(Math.ceil(clients / 50)),
      ...rest,
    ]);

  // With every client connected and nothing sent, count what Redis does for 20 s (presence heartbeat, stats).
  const redisIdle: Array<{ clients: number; commandsPerMinute: number }> = [];
  const countIdle = (clients: number) => async () => {
    if (!redis) return;
    // Idle starts once presence has settled: a room that kept changing while its members connected sends its last
    // diff (one PUBLISH per room and instance) up to presenceBatchMaxMs after the last join.
    await new Promise((r) => setTimeout(r, PRESENCE_SETTLE_MS));
    const before = await redisCommands(redis);
    await new Promise((r) => setTimeout(r, 20_000));
    redisIdle.push({ clients, commandsPerMinute: ((await redisCommands(redis)) - before) * 3 });
  };
  if (redis) {
    // The same count with a fifth of the clients: the difference is the per-connection cost.
    const few = Math.ceil(CLIENTS / 5);
    await onFresh((running) =>
      runBench(load(running, few, '--scenario', 'idle'), progress, { connected: countIdle(few) }),
    );
  }
  const idle = await onFresh((running) => {
    const pids = running.pids.flatMap((p) => ['--server-pid', String(p)]);
    return runBench(load(running, CLIENTS, '--scenario', 'idle', ...pids), progress, {
      connected: countIdle(CLIENTS),
    });
  });

  // EVALSHA calls while publishing only (joins and presence at connect time are not part of publishing).
  let scripts = 0;
  let roundStart = 0;
  const hooks = redis
    ? {
        publishStarting: async () => {
          roundStart = await evalshaCalls(redis);
        },
        publishEnded: async () => {
          scripts += (await evalshaCalls(redis)) - roundStart;
        },
      }
    : {};
  const fanout = await onFresh((running) =>
    runBench(
      load(
        running,
        CLIENTS,
        '--scenario',
        'fanout',
        '--find-max',
        '--rate',
        String(ROOMS * 3),
        '--duration',
        String(STEP_SECONDS),
      ),
      progress,
      hooks,
    ),
  );
  const published = fanout.findMax?.steps.reduce((sum, step) => sum + step.sent, 0) ?? 0;

  const stormResult =
    storm && STORM_CLIENTS > 0
      ? await onFresh((running) => runBench(load(running, STORM_CLIENTS, '--scenario', 'idle'), progress))
      : undefined;
  process.stderr.write('\n');
  return {
    name,
    idle,
    fanout,
    storm: stormResult,
    redisCallsPerMessage: redis ? scripts / Math.max(1, published) : undefined,
    redisIdle: redis ? redisIdle : undefined,
  };
}

function best(result: SystemResult) {
  const steps = result.fanout.findMax?.steps ?? [];
  const max = result.fanout.findMax?.maxSustainableRate ?? 0;
  // The trial that held: a rate that failed once and held on its second trial has two steps.
  const step = steps.filter((s) => s.ratePerSec === max).at(-1);
  return {
    rate: max,
    deliveries: step?.deliveriesPerSec ?? 0,
    p50: step?.latencyMs.p50 ?? 0,
    p99: step?.latencyMs.p99 ?? 0,
  };
}

/** The round with the median fan-out deliveries (the lower middle one for an even count). */
function median(all: SystemResult[]): SystemResult {
  const sorted = [...all].sort((a, b) => best(a).deliveries - best(b).deliveries);
  return sorted[Math.floor((sorted.length - 1) / 2)] as SystemResult;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

function report(results: SystemResult[], rounds: SystemResult[][], redisVersion: string): string {
  const get = (name: string) => results.find((r) => r.name === name) as SystemResult;
  // From the results, not BENCH_RUNS: a report-only rewrite or a run cut short has its own count.
  const runs = rounds[0]?.length ?? 0;
  const ws = best(get(SYSTEM.bareWs));
  const sio = best(get(SYSTEM.socketIo));
  const sio2 = best(get(SYSTEM.socketIoRedis));
  const p1 = best(get(SYSTEM.parley));
  const p2 = best(get(SYSTEM.parleyRedis));
  // Memory and connect rate vary on their own: the median over the rounds of each, not the fan-out median's round.
  const middle = (values: number[]) =>
    [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)] ?? 0;
  const roundsOf = (name: string) => rounds[results.findIndex((r) => r.name === name)] ?? [];
  const memOf = (all: SystemResult[]) => middle(all.map((r) => r.idle.serverMemory?.bytesPerConnection ?? 0));
  const connectsOf = (all: SystemResult[]) => middle(all.map((r) => r.idle.connect.perSec));
  const stormOf = (all: SystemResult[]) => {
    const storms = all.flatMap((r) => (r.storm ? [r.storm.connect] : []));
    if (storms.length === 0) return undefined;
    return {
      perSec: middle(storms.map((c) => c.perSec)),
      connected: Math.min(...storms.map((c) => c.connected)),
    };
  };
  const stormCell = (all: SystemResult[]) => {
    const storm = stormOf(all);
    return storm ? storm.perSec.toLocaleString('en-US') : '';
  };
  const wsRounds = roundsOf(SYSTEM.bareWs);
  const p1Rounds = roundsOf(SYSTEM.parley);
  const parleyStorm = stormOf(p1Rounds);
  const wsStorm = stormOf(wsRounds);
  const p1mem = memOf(p1Rounds);
  const wsMem = memOf(wsRounds);
  const pkg = (name: string) =>
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
    .version;
  const thousands = (n: number) => `${Math.round(n / 1000)}k`;
  // Each round against the bare ws that ran minutes before it in the same round: the host's slow and fast minutes
  // move both, so these ratios vary less than the systems' own numbers between rounds.
  const paired = (all: SystemResult[]) =>
    all.map((round, k) => {
      const base = wsRounds[k] ? best(wsRounds[k]).deliveries : 0;
      return base > 0 ? best(round).deliveries / base : 0;
    });
  const p1paired = middle(paired(p1Rounds));
  const rows = results.map((r, i) => {
    const b = best(r);
    const all = (rounds[i] ?? []).map((round) => thousands(best(round).deliveries)).join(' / ');
    const byRound = paired(rounds[i] ?? [])
      .map((x) => x.toFixed(2))
      .join(' / ');
    return `| ${r.name} | ${b.rate.toLocaleString('en-US')} | ${b.deliveries.toLocaleString('en-US')} | ${all} | ${b.p50} / ${b.p99} | ${ratio(b.deliveries, ws.deliveries)} | ${byRound} | ${kib(memOf(rounds[i] ?? []))} | ${connectsOf(rounds[i] ?? []).toLocaleString('en-US')} | ${stormCell(rounds[i] ?? [])} |`;
  });
  // A peer that sustained no step (0) gives no ratio: the target is unmeasured, not met.
  const target = (ok: boolean, measured = true) =>
    !measured ? '**not measured**' : ok ? 'met' : '**not met**';
  const p2calls = get(SYSTEM.parleyRedis).redisCallsPerMessage ?? 0;
  // What one more idle connection costs Redis: the difference between the full and the small idle run.
  const idleRuns = [...(get(SYSTEM.parleyRedis).redisIdle ?? [])].sort((a, b) => a.clients - b.clients);
  const fewIdle = idleRuns[0];
  const allIdle = idleRuns[idleRuns.length - 1];
  const p2idle = allIdle ? allIdle.commandsPerMinute / allIdle.clients : 0;
  const marginal =
    fewIdle && allIdle && allIdle.clients > fewIdle.clients
      ? (allIdle.commandsPerMinute - fewIdle.commandsPerMinute) / (allIdle.clients - fewIdle.clients)
      : undefined;
  const perMinute = (run?: { clients: number; commandsPerMinute: number }) =>
    run
      ? `${Math.round(run.commandsPerMinute).toLocaleString('en-US')} commands per minute with ${run.clients.toLocaleString('en-US')} idle clients`
      : 'n/a';
  return `# Benchmarks

Generated by \`npm run bench:compare\` on ${new Date().toISOString().slice(0, 10)}. All systems run on this machine, one
after the other, in ${runs} interleaved round${runs > 1 ? 's' : ''}; fan-out columns are each system's median round, memory and
connect rate the medians over the rounds. The load generator (\`parley bench\`, ${CLIENTS / 1000 >= 1 ? `${CLIENTS / 1000}k` : CLIENTS} clients in worker processes) on the
same machine: compare the ratios, not the absolute numbers.

## Machine and versions

- ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}
- Node.js ${process.version}; Parley ${version}; ws ${pkg('ws')}; socket.io ${pkg('socket.io')}; @socket.io/redis-adapter ${pkg('@socket.io/redis-adapter')}; ${redisVersion}

## Workloads

- **Fan-out**: ${CLIENTS.toLocaleString('en-US')} connections in ${ROOMS} rooms of 50 members, one publisher per room, 100-byte
  messages, publishers out of phase with each other (sends spread evenly over time). \`--find-max\` raises the total
  publish rate by 1.5x per ${STEP_SECONDS}-second step, from ${ROOMS * 3} msg/s, while every delivery arrives (checked per
  publisher sequence: no missing, no duplicate) and p99 end-to-end latency stays <= 200 ms, then bisects twice
  between the last rate that held and the first that did not (to within ~11%). A rate that fails is tried a second
  time before it counts as failed (one pause of the shared host is enough to fail a step). The table shows the
  highest rate that held, its deliveries per second and latency.
- **Idle memory**: the same connections, each joined to its room (Parley: presence registered), no traffic; server
  RSS growth divided by connections (all instances summed). The same run gives the connect rate at ${CLIENTS.toLocaleString('en-US')}.
- **Connection storm** (single-instance systems): ${STORM_CLIENTS.toLocaleString('en-US')} clients connect to one instance, over
  ${Math.ceil(STORM_CLIENTS / 1000)} source addresses and ${defaultWorkers(STORM_CLIENTS)} load processes (50 handshakes in flight each);
  each joins its room of 50 (Parley: presence registered and announced to the room); the rate is connections per
  second from the first handshake to the last join acknowledged. The open-files limit here is 20,000 per process.

Commands: \`npm run bench:compare\` (this page), or by hand: \`parley serve --port 8080 …\` then
\`parley bench --url ws://127.0.0.1:8080/ws --scenario fanout --find-max\`. Parley runs with its abuse limits off
(\`--commands-per-sec 0 --user-messages-per-sec 0 --max-connections-per-ip 0 --max-connections-per-user 0
--handshakes-per-ip-per-sec 0\`): the load tool is one "user" per connection sending far above human rates.

## Results

| system | max msg/s (p99 <= 200 ms) | deliveries/s | deliveries/s of each round | p50 / p99 ms | deliveries vs bare ws | vs bare ws, round by round | idle KiB/conn | connects/s | connects/s, storm |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

Redis: while Parley x2 was publishing, Redis ran ${p2calls.toFixed(2)} \`EVALSHA\` per published message (the
publish script). With every client connected but silent, Redis ran ${perMinute(fewIdle)} and
${perMinute(allIdle)} (two instances, fresh for each count; 20 s each, from ${PRESENCE_SETTLE_MS / 1000} s after the last join, once the last presence diffs are out): ${marginal === undefined ? 'n/a' : marginal.toFixed(3)}
commands per minute per added idle connection (each 20-second count catches a heartbeat more or less: about +-0.015
of noise). What remains is per instance, whatever the number of connections: a presence heartbeat every
\`presenceTtlMs / 3\` (one \`ZADD\`), and every \`statsIntervalMs\` its stats, its heartbeat, a check for dead
instances and the dashboard's cluster view (users and rooms only when they change).

## Targets

| target | measured | |
| --- | --- | --- |
| single instance fan-out >= 0.9x bare ws | ${ratio(p1.deliveries, ws.deliveries)} (round by round: median ${p1paired.toFixed(2)}x) | ${target(p1.deliveries >= 0.9 * ws.deliveries, ws.deliveries > 0)} |
| single instance fan-out >= 2.5x Socket.IO | ${ratio(p1.deliveries, sio.deliveries)} | ${target(p1.deliveries >= 2.5 * sio.deliveries, sio.deliveries > 0)} |
| 2 instances + Redis >= 2x Socket.IO + redis-adapter x2 | ${ratio(p2.deliveries, sio2.deliveries)} | ${target(p2.deliveries >= 2 * sio2.deliveries, sio2.deliveries > 0)} |
| idle memory per connection <= 1.2x bare ws | ${ratio(p1mem, wsMem)} | ${target(p1mem <= 1.2 * wsMem)} |
| one Redis round trip per published message | ${p2calls.toFixed(2)} \`EVALSHA\` per message | ${target(p2calls < 1.1)} |
| Redis operations per idle connection per minute near zero | ${marginal === undefined ? 'n/a' : marginal.toFixed(3)} per added connection (${p2idle.toFixed(3)} on average at ${CLIENTS.toLocaleString('en-US')}) | ${target(Math.abs(marginal ?? 1) < MARGINAL_NEAR_ZERO, marginal !== undefined)} |
| ${STORM_CLIENTS.toLocaleString('en-US')} connections on one instance at >= 2,000/s (bare ws: ${wsStorm?.perSec.toLocaleString('en-US') ?? 'n/a'}/s) | ${parleyStorm ? `${parleyStorm.connected.toLocaleString('en-US')} connected, ${parleyStorm.perSec.toLocaleString('en-US')}/s` : 'n/a'} | ${target((parleyStorm?.perSec ?? 0) >= 2000 && parleyStorm?.connected === STORM_CLIENTS, parleyStorm !== undefined)} |
`;
}

/** Writes docs/benchmarks.md from the rounds, keeping everything below the analysis marker (written by hand). */
function writeReport(rounds: SystemResult[][], redisVersion: string): void {
  const path = join(ROOT, 'docs/benchmarks.md');
  let analysis = '';
  try {
    const previous = readFileSync(path, 'utf8');
    const at = previous.indexOf(ANALYSIS_MARKER);
    if (at >= 0) analysis = `\n${previous.slice(at)}`;
  } catch {
    // first run
  }
  let markdown =
    report(
      rounds.map((all) => median(all)),
      rounds,
      redisVersion,
    ) + analysis;
  // The store section comes from its own run (below, or `npm run bench:store`): kept as it was until then.
  // Likewise the group chat section (below, or `npm run bench:rooms`).
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  for (const heading of [STORE_HEADING, ROOMS_HEADING]) {
    const kept = sectionOf(previous, heading);
    if (kept) markdown = withSection(markdown, heading, kept);
  }
  writeFileSync(path, markdown);
  process.stdout.write(markdown);
}

/** Runs the store benchmarks and puts their section into the page (BENCH_SKIP_STORE=1 skips them). */
async function storeBenchmarks(): Promise<void> {
  if (process.env.BENCH_SKIP_STORE) return;
  process.stderr.write('\n### durable store\n');
  const results = await runStoreBenchmarks();
  saveSection(STORE_HEADING, storeSection(results), 'benchmarks-store.json', results);
}

/** Runs group chat's benchmarks and puts their section into the page (BENCH_SKIP_ROOMS=1 skips them). */
async function roomBenchmarks(): Promise<void> {
  if (process.env.BENCH_SKIP_ROOMS) return;
  process.stderr.write('\n### group chat\n');
  const results = await runRoomBenchmarks();
  saveSection(ROOMS_HEADING, roomsSection(results), 'benchmarks-rooms.json', results);
}

/** Runs the read state benchmark and puts its section into the page (BENCH_SKIP_READS=1 skips it). */
async function readBenchmarks(): Promise<void> {
  if (process.env.BENCH_SKIP_READS) return;
  process.stderr.write('\n### read state\n');
  const results = await runReadBenchmarks();
  saveSection(READS_HEADING, readsSection(results), 'benchmarks-reads.json', results);
}

async function main(): Promise<void> {
  // BENCH_REPORT_ONLY=1 rewrites the page from the last run's raw results (to change the report only).
  if (process.env.BENCH_REPORT_ONLY) {
    if (!existsSync(RAW_RESULTS))
      throw new Error(`no raw results in ${RAW_RESULTS}: run npm run bench:compare`);
    const saved = JSON.parse(readFileSync(RAW_RESULTS, 'utf8')) as {
      redisVersion: string;
      rounds: SystemResult[][];
    };
    writeReport(saved.rounds, saved.redisVersion);
    return;
  }
  const redisPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-compare-'));
  const redisServer = spawn(
    'redis-server',
    ['--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = new Redis(redisUrl);
  try {
    await waitFor(async () => (await redis.ping()) === 'PONG', 'redis');
    const redisVersion = execFileSync('redis-server', ['--version'])
      .toString()
      .split(' ')
      .slice(0, 3)
      .join(' ');
    // [name, driver, start, Redis to count commands on, whether it runs the single-instance connection storm]
    const systems: Array<[string, string, () => Promise<Running>, Redis | undefined, boolean]> = [
      [SYSTEM.bareWs, 'ws-peer', () => startPeer('ws-server.js', 1), undefined, true],
      [SYSTEM.parley, 'parley', () => startParley(1), undefined, true],
      [SYSTEM.socketIo, 'socketio', () => startPeer('socketio-server.js', 1), undefined, true],
      [SYSTEM.parleyRedis, 'parley', () => startParley(2, redisUrl), redis, false],
      [
        SYSTEM.socketIoRedis,
        'socketio',
        () => startPeer('socketio-server.js', 2, redisUrl),
        undefined,
        false,
      ],
    ];
    // Rounds interleave the systems, so a slow minute of the shared machine hits all of them alike.
    const rounds: SystemResult[][] = systems.map(() => []);
    for (let run = 0; run < RUNS; run += 1) {
      process.stderr.write(`\n### round ${run + 1} of ${RUNS}\n`);
      for (const [i, [name, driver, start, client, storm]] of systems.entries()) {
        rounds[i]?.push(await measure(name, driver, start, client, storm));
      }
      // Saved after every round: a run cut short keeps its whole rounds for BENCH_REPORT_ONLY.
      writeFileSync(RAW_RESULTS, `${JSON.stringify({ redisVersion, rounds })}\n`);
    }
    writeReport(rounds, redisVersion);
    await storeBenchmarks();
    await roomBenchmarks();
    await readBenchmarks();
  } finally {
    redis.disconnect();
    redisServer.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:compare failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
