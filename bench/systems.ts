/**
 * The systems `npm run bench:compare` measures, and how each is started: Parley (one instance with the memory
 * engine, or several with Redis), the bare `ws` peer (framed once, corked; alone or with one Redis channel per room)
 * and Socket.IO 4.8 (alone or with @socket.io/redis-adapter). Every start is fresh, on free loopback ports.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../src/util/free-port.js';
import { NO_LIMIT_FLAGS } from './load/no-limits.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli.js');
const NO_LIMITS = [...NO_LIMIT_FLAGS, '--log-level', 'warn'];

/** The systems compared, by the names the page shows. */
export const SYSTEM = {
  bareWs: 'bare ws (framed once, corked)',
  parley: 'Parley (memory engine)',
  socketIo: 'Socket.IO 4.8',
  bareWsRedis: 'bare ws x2 + one Redis channel per room',
  parleyRedis: 'Parley x2 + Redis',
  socketIoRedis: 'Socket.IO 4.8 x2 + redis-adapter',
} as const;

export type SystemName = (typeof SYSTEM)[keyof typeof SYSTEM];

/** Instances of a system, started. */
export interface Running {
  urls: string[];
  pids: number[];
  stop(): Promise<void>;
}

/** How to start a system: the load driver that speaks to it and its instances, optionally pinned to CPUs. */
export interface SystemUnderTest {
  name: SystemName;
  driver: string;
  /** Instances beyond one share a Redis (given to `start`). */
  instances: number;
  start(redisUrl: string | undefined, cpus?: string): Promise<Running>;
}

export async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopAll(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  ).then(() => {});
}

/** Node with `args`, pinned to `cpus` by `taskset` when given (taskset execs node: the pid is node's). */
function node(
  args: string[],
  cpus: string | undefined,
  options: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): ChildProcess {
  const command = cpus ? 'taskset' : process.execPath;
  const argv = cpus ? ['-c', cpus, process.execPath, ...args] : args;
  // Peers say they listen on stdout; Parley's start banner and warnings would only clutter the run's progress.
  const stdio: StdioOptions = options.quiet ? 'ignore' : ['ignore', 'pipe', 'inherit'];
  return spawn(command, argv, { stdio, env: options.env ?? process.env });
}

async function startParley(instances: number, redisUrl?: string, cpus?: string): Promise<Running> {
  // One key prefix for the whole group (its instances must share rooms), fresh for every start.
  const prefix = `bench${Date.now()}`;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < instances; i += 1) {
    const port = await freePort();
    const args = [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', ...NO_LIMITS];
    if (redisUrl && instances > 1) {
      args.push('--redis-url', redisUrl, '--redis-prefix', prefix, '--node-id', `p${i}`, '--store', 'redis');
    } else args.push('--store', 'memory');
    children.push(node(args, cpus, { quiet: true }));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 'parley');
    urls.push(`ws://127.0.0.1:${port}/ws`);
  }
  return { urls, pids: children.map((c) => c.pid as number), stop: () => stopAll(children) };
}

async function startPeer(
  script: string,
  instances: number,
  redisUrl: string | undefined,
  cpus: string | undefined,
): Promise<Running> {
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < instances; i += 1) {
    const port = await freePort();
    const env = { ...process.env, ...(redisUrl && instances > 1 ? { REDIS_URL: redisUrl } : {}) };
    const child = node([join(ROOT, 'dist/bench/peers', script), String(port)], cpus, { env });
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    children.push(child);
    urls.push(`ws://127.0.0.1:${port}`);
  }
  return { urls, pids: children.map((c) => c.pid as number), stop: () => stopAll(children) };
}

/** The three systems at `instances` instances (beyond one, sharing the Redis given to `start`). */
function systemsAt(
  instances: number,
  names: readonly [SystemName, SystemName, SystemName],
): SystemUnderTest[] {
  const [bareWs, parley, socketIo] = names;
  return [
    {
      name: bareWs,
      driver: 'ws-peer',
      instances,
      start: (redis, cpus) => startPeer('ws-server.js', instances, redis, cpus),
    },
    {
      name: parley,
      driver: 'parley',
      instances,
      start: (redis, cpus) => startParley(instances, redis, cpus),
    },
    {
      name: socketIo,
      driver: 'socketio',
      instances,
      start: (redis, cpus) => startPeer('socketio-server.js', instances, redis, cpus),
    },
  ];
}

export const SINGLE = systemsAt(1, [SYSTEM.bareWs, SYSTEM.parley, SYSTEM.socketIo]);
export const MULTI = systemsAt(2, [SYSTEM.bareWsRedis, SYSTEM.parleyRedis, SYSTEM.socketIoRedis]);
