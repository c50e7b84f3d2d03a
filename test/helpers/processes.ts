import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after } from 'node:test';
import { NO_LIMIT_FLAGS } from '../../bench/load/no-limits.js';
import type { StatsResponse } from '../../src/index.js';
import { randomId } from '../../src/util/ids.js';
import { freePort } from './free-port.js';
import { RedisServer } from './redis-server.js';
import { waitUntil } from './wait.js';

/** The compiled `parley` command line. */
export const CLI = new URL('../../src/cli.js', import.meta.url).pathname;

/** Abuse limits off (tests drive bursts); later flags in `args` override them. */
export { NO_LIMIT_FLAGS } from '../../bench/load/no-limits.js';

/** A `parley serve` child process. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  nodeId: string;
  wsUrl: string;
  httpUrl: string;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  /** The last lines the process logged (for failure messages). */
  logs: string[];
  stats(): Promise<StatsResponse>;
}

/**
 * Starts `parley serve` with the given flags on a free port (or `options.port`, e.g. to restart an instance where
 * its clients expect it); resolves once it answers. Killed after the test file.
 */
export async function spawnServer(
  args: string[] = [],
  options: { env?: Record<string, string>; port?: number } = {},
): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const env = options.env ?? {};
  // Tests never write ./data: without a store of their own, instances keep conversations in memory (or in Redis).
  const storeGiven = args.some((a) => a === '--store' || a === '--database-url');
  const withRedis = args.some((a) => a === '--redis-url' || a === '--redis-cluster');
  const storeArgs = storeGiven ? [] : ['--store', withRedis ? 'redis' : 'memory'];
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--log-format',
      'json',
      ...NO_LIMIT_FLAGS,
      // Tests never reach beyond this machine: a chat that shows example.com would otherwise have its server fetch it.
      ...['--link-previews', 'off'],
      ...storeArgs,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const logs: string[] = [];
  const keep = (line: string) => {
    logs.push(line);
    if (logs.length > 200) logs.shift();
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', keep);
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const httpUrl = `http://127.0.0.1:${port}`;
  const stats = async () => (await (await fetch(`${httpUrl}/api/stats`)).json()) as StatsResponse;
  let early: Error | undefined;
  void exited.then((code) => {
    early = new Error(`server exited early (${code}): ${logs.join('\n')}`);
  });
  // The embedded store compiles PGlite's WebAssembly and may recover a database killed mid-write before it listens:
  // seconds alone, more on a loaded CI machine (a restart after kill -9 once took over 20 s under load).
  const embedded = args.some((a, i) => a === '--store' && args[i + 1] === 'embedded');
  await waitUntil(
    async () => {
      if (early) throw early;
      return fetch(`${httpUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    embedded ? 60_000 : 20_000,
    `server on port ${port} to answer`,
  );
  const nodeId = (await stats()).self.node;
  return { child, port, nodeId, wsUrl: `ws://127.0.0.1:${port}/ws`, httpUrl, exited, logs, stats };
}

/** A private Redis and `count` instances sharing it under one unique key prefix. */
export interface InstanceGroup {
  redis: RedisServer;
  prefix: string;
  nodes: ServerProcess[];
  /** Flags that make one more instance join the group. */
  groupArgs: string[];
}

/**
 * Starts a private redis-server and `count` instances (node ids `<tag>0`, `<tag>1`, ...) on it; everything is
 * stopped after the test file.
 */
export async function startInstanceGroup(
  count: number,
  tag: string,
  extraArgs: string[] = [],
): Promise<InstanceGroup> {
  const redis = await RedisServer.start();
  after(() => redis.stop());
  const prefix = `${tag}${randomId()}`;
  const groupArgs = ['--redis-url', redis.url, '--redis-prefix', prefix];
  const nodes = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnServer([...groupArgs, '--node-id', `${tag}${i}`, ...extraArgs]),
    ),
  );
  return { redis, prefix, nodes, groupArgs };
}
