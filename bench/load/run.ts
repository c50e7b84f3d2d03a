/**
 * The load tool's coordinator: spreads clients over worker processes and source addresses, drives the phases
 * (connect and join, publish at a rate, drain, account), and reports. Bounded in time; stops by itself.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { cpuSecondsOf, pinProcess, processCpuSeconds } from './cpu.js';
import { LatencyRecorder, type LatencyReport } from './latency.js';
import { type BenchOptions, cpuCount } from './options.js';
import type { ClientPlan, FromWorker, ToWorker } from './protocol.js';

/** One publishing run's measurements. */
export interface PublishReport {
  ratePerSec: number;
  durationSec: number;
  sent: number;
  publishErrors: number;
  /** Of the errors, sends refused by the server's per-user message budget. */
  rateLimited: number;
  publishedPerSec: number;
  /** Deliveries the clients that stayed connected should have had (every client, without churn). */
  expectedDeliveries: number;
  /** What those clients received: compared with `expectedDeliveries` (`deliveries` counts churned clients' too). */
  deliveriesByStayed: number;
  deliveries: number;
  deliveriesPerSec: number;
  missing: number;
  duplicates: number;
  churnedClients: number;
  reconnects: number;
  /** From a send to its delivery, at every member. */
  latencyMs: LatencyReport;
  /** From a send to its acknowledgement (with a database store: once committed). */
  ackLatencyMs: LatencyReport;
  /** Where the round's CPU went (the server's only when its pids were given). */
  cpu: RoundCpu;
}

/**
 * CPU seconds of one publishing round, from its start to the end of its accounting (the drain included, so every
 * delivery's work is in it), and the shares of the sending window that tell which side saturated.
 */
export interface RoundCpu {
  seconds: number;
  /** The load processes, all together. */
  loadSec: number;
  loadUsPerDelivery: number;
  /**
   * The load processes' CPU over the sending window as a share of the CPUs they may run on (1 = every one busy). At
   * 0.9 and above the load side, not the server, is what limits the round.
   */
  loadShare: number;
  /** Servers (`--server-pid`), all together; absent without pids. */
  serverSec?: number;
  serverUsPerDelivery?: number;
  /** The servers' CPU over the sending window, in cores (1 = one core busy). */
  serverCores?: number;
  /** Redis (`--redis-pid`). */
  redisSec?: number;
  redisUsPerMessage?: number;
  /** Servers and Redis together per delivery: what the multi-instance comparisons use. */
  serverAndRedisUsPerDelivery?: number;
}

/** The whole result of `parley bench`. */
export interface BenchResult {
  scenario: string;
  driver: string;
  urls: string[];
  clients: number;
  rooms: number;
  publishers: number;
  workers: number;
  connect: {
    connected: number;
    failed: number;
    seconds: number;
    perSec: number;
    errors: string[];
    /**
     * CPU (user + system) of the servers from the first handshake to the last join acknowledged, per connection; with
     * `--server-pid` only. On cores shared with the load side the rate follows the sum of both sides' CPU, so this is
     * the server's own share: what a storm bound by the server alone would be limited by.
     */
    serverUsPerConnection?: number;
    /** The load processes' CPU over the same span, per connection (their start included). */
    loadUsPerConnection?: number;
    /**
     * The servers' CPU from the first handshake to `--settle` seconds after the last join, per connection; with
     * `--server-pid` and `--settle` only. What the storm set going after its last join is in it: Parley's last
     * presence diffs (a room that kept changing is announced up to `presenceBatchMaxMs` later, a frame to every
     * member), which the span above ends before; idle work over those seconds (heartbeats) too.
     */
    serverUsPerConnectionSettled?: number;
  };
  serverMemory?: { rssBytesBefore: number; rssBytesAfter: number; bytesPerConnection: number };
  publish?: PublishReport;
  findMax?: {
    p99BoundMs: number;
    maxSustainableRate: number;
    steps: PublishReport[];
    /** The first rate that did not hold (0 when every step held). */
    failedRate: number;
    /**
     * The load processes were at their CPUs' limit while the failing rate ran ({@link LOAD_BOUND_SHARE}): the
     * maximum is the load side's, and says nothing about the server's.
     */
    loadBound: boolean;
  };
  /** `--rates`: one round per rate, in order, after an unmeasured warm-up round at the first. */
  fixedRates?: PublishReport[];
}

/** The load processes' share of their CPUs above which a round is the load side's limit, not the server's. */
export const LOAD_BOUND_SHARE = 0.9;

interface Worker {
  child: ChildProcess;
  next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>>;
  send(message: ToWorker): void;
  progress: { sent: number; acked: number; received: number };
}

function startWorker(loadCpus: string | undefined): Worker {
  const child = fork(new URL('./worker.js', import.meta.url), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [
      '--max-old-space-size=4096',
      ...(process.env.PARLEY_BENCH_WORKER_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
  });
  // Every phase waits for the worker's exit as well as its answer.
  child.setMaxListeners(0);
  if (loadCpus && child.pid) pinProcess(child.pid, loadCpus);
  const waiting = new Map<string, Array<(message: FromWorker) => void>>();
  const worker: Worker = {
    child,
    progress: { sent: 0, acked: 0, received: 0 },
    next: (type) =>
      new Promise((resolve, reject) => {
        const list = waiting.get(type) ?? [];
        list.push(resolve as (message: FromWorker) => void);
        waiting.set(type, list);
        child.once('exit', (code) => reject(new Error(`load worker exited (${code})`)));
      }),
    send: (message) => child.send(message),
  };
  child.on('message', (message: FromWorker) => {
    if (message.type === 'progress') worker.progress = message;
    const list = waiting.get(message.type);
    const resolve = list?.shift();
    resolve?.(message);
  });
  return worker;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

/** Lays out clients: rooms round-robin, instances round-robin, source addresses round-robin. */
export function planClients(options: BenchOptions): {
  plans: ClientPlan[];
  roomPublishers: Record<string, number[]>;
} {
  const plans: ClientPlan[] = [];
  const roomPublishers: Record<string, number[]> = {};
  const seenInRoom = new Map<string, number>();
  let nextPublisher = 1;
  for (let i = 0; i < options.clients; i += 1) {
    const room = `bench-${i % options.rooms}`;
    const position = seenInRoom.get(room) ?? 0;
    seenInRoom.set(room, position + 1);
    const plan: ClientPlan = {
      user: `u${i}`,
      room,
      // Rotate instances by room position, so every room has members on every instance.
      url: options.urls[((i % options.rooms) + position) % options.urls.length] as string,
      ...(options.addresses > 1
        ? { localAddress: `127.0.${options.addressBlock}.${2 + (i % options.addresses)}` }
        : {}),
    };
    if (position < options.publishersPerRoom) {
      plan.publisher = nextPublisher++;
      const list = roomPublishers[room] ?? [];
      list.push(plan.publisher);
      roomPublishers[room] = list;
    }
    plans.push(plan);
  }
  return { plans, roomPublishers };
}

type Progress = (line: string) => void;

/** The unmeasured round before `--rates`. */
const WARMUP_SEC = 3;

/** Points where a caller may measure the system under test (e.g. Redis counters) with the clients connected. */
export interface BenchHooks {
  /** Every client is connected and joined; the run waits for this to finish. */
  connected?: () => Promise<void>;
  /** Around each publishing round (not its drain). */
  publishStarting?: () => Promise<void>;
  publishEnded?: () => Promise<void>;
}

async function publishRound(
  workers: Worker[],
  options: BenchOptions,
  rate: number,
  publishers: number,
  progress: Progress,
  hooks: BenchHooks,
): Promise<PublishReport> {
  const cpuAt = () => ({
    at: performance.now(),
    server: cpuSecondsOf(options.serverPids),
    redis: options.redisPid ? processCpuSeconds(options.redisPid) : 0,
  });
  const before = cpuAt();
  for (const w of workers) w.send({ type: 'reset' });
  await hooks.publishStarting?.();
  const ratePerPublisher = publishers > 0 ? rate / publishers : 0;
  const started = Date.now();
  const ticker = setInterval(() => {
    const sum = (k: 'sent' | 'acked' | 'received') => workers.reduce((s, w) => s + w.progress[k], 0);
    const secs = Math.min(options.durationSec, (Date.now() - started) / 1000);
    progress(
      `publishing ${rate}/s  ${secs.toFixed(0)}/${options.durationSec}s  sent ${sum('sent')}  acked ${sum('acked')}  delivered ${sum('received')}`,
    );
  }, 500);
  const published = workers.map((w) => w.next('published'));
  for (const w of workers) {
    w.send({
      type: 'publish',
      ratePerPublisher,
      durationMs: options.durationSec * 1000,
      messageBytes: options.messageBytes,
      churnPerSec: options.churnPerSec / workers.length,
    });
  }
  const results = await Promise.all(published);
  const sendingEnded = cpuAt();
  await hooks.publishEnded?.();
  const finalSeqs = results.flatMap((r) => r.finalSeqs);
  const sent = finalSeqs.reduce((s, [, n]) => s + n, 0);
  // Drain: wait until deliveries stop growing (bounded), then account.
  let last = -1;
  for (let i = 0; i < 100; i += 1) {
    const received = workers.reduce((s, w) => s + w.progress.received, 0);
    if (received === last) break;
    last = received;
    await new Promise((r) => setTimeout(r, 300));
  }
  clearInterval(ticker);
  const accounted = workers.map((w) => w.next('accounted'));
  for (const w of workers) w.send({ type: 'account', finalSeqs });
  const totals = await Promise.all(accounted);
  const after = cpuAt();
  const sum = (
    k: 'received' | 'receivedByStayed' | 'duplicates' | 'missing' | 'expected' | 'churned' | 'reconnects',
  ) => totals.reduce((s, t) => s + t[k], 0);
  const seconds = options.durationSec;
  const deliveries = sum('received');
  const perDelivery = (cpuSec: number) => Math.round((cpuSec * 1e7) / Math.max(1, deliveries)) / 10;
  const loadCores = options.loadCpus ? cpuCount(options.loadCpus) : cpus().length;
  const sendingSec = (sendingEnded.at - before.at) / 1000;
  const cpu: RoundCpu = {
    seconds: Math.round(after.at - before.at) / 1000,
    loadSec: totals.reduce((s, t) => s + t.cpuUs, 0) / 1e6,
    loadUsPerDelivery: perDelivery(totals.reduce((s, t) => s + t.cpuUs, 0) / 1e6),
    loadShare: results.reduce((s, r) => s + r.cpuUs, 0) / 1e6 / sendingSec / loadCores,
  };
  if (options.serverPids.length > 0) {
    cpu.serverSec = after.server - before.server;
    cpu.serverUsPerDelivery = perDelivery(cpu.serverSec);
    cpu.serverCores = (sendingEnded.server - before.server) / sendingSec;
  }
  if (options.redisPid) {
    cpu.redisSec = after.redis - before.redis;
    cpu.redisUsPerMessage = Math.round((cpu.redisSec * 1e7) / Math.max(1, sent)) / 10;
    cpu.serverAndRedisUsPerDelivery = perDelivery((cpu.serverSec ?? 0) + cpu.redisSec);
  }
  return {
    ratePerSec: rate,
    durationSec: seconds,
    sent,
    publishErrors: results.reduce((s, r) => s + r.errors, 0),
    rateLimited: results.reduce((s, r) => s + r.rateLimited, 0),
    publishedPerSec: Math.round(sent / seconds),
    expectedDeliveries: sum('expected'),
    deliveriesByStayed: sum('receivedByStayed'),
    deliveries,
    deliveriesPerSec: Math.round(deliveries / seconds),
    missing: sum('missing'),
    duplicates: sum('duplicates'),
    churnedClients: sum('churned'),
    reconnects: sum('reconnects'),
    latencyMs: LatencyRecorder.merge(totals.map((t) => t.latency)),
    ackLatencyMs: LatencyRecorder.merge(totals.map((t) => t.ackLatency)),
    cpu,
  };
}

/** Runs a load test; `progress` receives one-line status updates. */
export async function runBench(
  options: BenchOptions,
  progress: Progress = () => {},
  hooks: BenchHooks = {},
): Promise<BenchResult> {
  const { plans, roomPublishers } = planClients(options);
  const publishers = plans.filter((p) => p.publisher !== undefined).length;
  const workers = Array.from({ length: options.workers }, () => startWorker(options.loadCpus));
  try {
    const rssBefore = options.serverPids.reduce((s, pid) => s + rssOf(pid), 0);
    const workerPids = workers.map((w) => w.child.pid ?? 0).filter((pid) => pid > 0);
    const serverCpuBefore = cpuSecondsOf(options.serverPids);
    const loadCpuBefore = cpuSecondsOf(workerPids);
    const started = Date.now();
    const ready = workers.map((w) => w.next('ready'));
    workers.forEach((w, index) => {
      const mine = plans.filter((_, i) => i % workers.length === index);
      w.send({
        type: 'plan',
        driver: options.driver,
        clients: mine,
        concurrency: options.connectConcurrency,
        roomPublishers,
      });
    });
    const ticker = setInterval(() => progress(`connecting ${options.clients} clients...`), 1000);
    const connected = await Promise.all(ready);
    clearInterval(ticker);
    const joinedAt = Date.now();
    const seconds = (joinedAt - started) / 1000;
    const ok = connected.reduce((s, r) => s + r.connected, 0);
    const perConnection = (cpuSeconds: number) => Math.round((cpuSeconds * 1e6) / Math.max(1, ok));
    const serverCpu = cpuSecondsOf(options.serverPids) - serverCpuBefore;
    const loadCpu = cpuSecondsOf(workerPids) - loadCpuBefore;
    const result: BenchResult = {
      scenario: options.scenario,
      driver: options.driver,
      urls: options.urls,
      clients: options.clients,
      rooms: options.rooms,
      publishers,
      workers: workers.length,
      connect: {
        connected: ok,
        failed: connected.reduce((s, r) => s + r.failed, 0),
        seconds: Math.round(seconds * 100) / 100,
        perSec: Math.round(ok / seconds),
        errors: [...new Set(connected.flatMap((r) => r.errors))].slice(0, 5),
        ...(options.serverPids.length > 0
          ? { serverUsPerConnection: perConnection(serverCpu), loadUsPerConnection: perConnection(loadCpu) }
          : {}),
      },
    };
    if (options.serverPids.length > 0) {
      // Let the server settle (presence registration, GC) before reading its memory.
      await new Promise((r) => setTimeout(r, 1000));
      const rssAfter = options.serverPids.reduce((s, pid) => s + rssOf(pid), 0);
      result.serverMemory = {
        rssBytesBefore: rssBefore,
        rssBytesAfter: rssAfter,
        bytesPerConnection: Math.round((rssAfter - rssBefore) / Math.max(1, ok)),
      };
    }
    await hooks.connected?.();
    if (options.settleSec > 0) {
      progress(`settling until ${options.settleSec} s after the last join`);
      const rest = joinedAt + options.settleSec * 1000 - Date.now();
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      if (options.serverPids.length > 0) {
        result.connect.serverUsPerConnectionSettled = perConnection(
          cpuSecondsOf(options.serverPids) - serverCpuBefore,
        );
      }
    }
    if (options.findMax && publishers > 0) {
      const steps: PublishReport[] = [];
      let rate = Math.max(publishers, options.rate || publishers * 10);
      let best = 0;
      let failed = 0;
      const sustained = (report: PublishReport) =>
        (options.p99Of === 'ack' ? report.ackLatencyMs : report.latencyMs).p99 <= options.p99BoundMs &&
        report.deliveriesByStayed >= report.expectedDeliveries * 0.99 &&
        report.missing === 0;
      // A rate that fails is tried once more before it counts as failed: on a shared machine one pause of the host
      // (not of the system measured) is enough to push a few-second step's p99 past the bound.
      const holds = async (at: number) => {
        for (let trial = 0; trial < 2; trial += 1) {
          const report = await publishRound(workers, options, at, publishers, progress, hooks);
          steps.push(report);
          if (sustained(report)) return true;
        }
        return false;
      };
      for (let step = 0; step < 12; step += 1) {
        if (!(await holds(rate))) {
          failed = rate;
          break;
        }
        best = rate;
        rate = Math.round(rate * 1.5);
      }
      // Two bisections between the last sustained rate and the first failed one narrow the 1.5x step to ~11%.
      for (let refine = 0; refine < 2 && best > 0 && failed > 0; refine += 1) {
        const middle = Math.round(Math.sqrt(best * failed));
        if (middle <= best || middle >= failed) break;
        if (await holds(middle)) best = middle;
        else failed = middle;
      }
      const atFailure = steps.filter((step) => failed > 0 && step.ratePerSec === failed);
      result.findMax = {
        p99BoundMs: options.p99BoundMs,
        maxSustainableRate: best,
        steps,
        failedRate: failed,
        loadBound: atFailure.some((step) => step.cpu.loadShare >= LOAD_BOUND_SHARE),
      };
    } else if (publishers > 0 && options.rates.length > 0) {
      // Warm-up: connections and the server's code paths warm, the measured rounds start from a steady state.
      const first = options.rates[0] as number;
      await publishRound(
        workers,
        { ...options, durationSec: WARMUP_SEC },
        first,
        publishers,
        progress,
        hooks,
      );
      result.fixedRates = [];
      for (const rate of options.rates) {
        result.fixedRates.push(await publishRound(workers, options, rate, publishers, progress, hooks));
      }
    } else if (publishers > 0 && options.rate > 0) {
      result.publish = await publishRound(workers, options, options.rate, publishers, progress, hooks);
    }
    return result;
  } finally {
    for (const w of workers) {
      if (w.child.connected) w.send({ type: 'stop' });
    }
    await Promise.all(
      workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))),
    );
  }
}
