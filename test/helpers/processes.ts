import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after } from 'node:test';
import type { StatsResponse } from '../../src/index.js';
import { freePort } from './free-port.js';
import { waitUntil } from './wait.js';

const CLI = new URL('../../src/cli.js', import.meta.url).pathname;

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

/** Starts `parley serve` on a free port with the given flags; resolves once it answers. Killed after the file. */
export async function spawnServer(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--log-format', 'json', ...args],
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
  await waitUntil(
    async () => {
      if (early) throw early;
      return fetch(`${httpUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    20_000,
    `server on port ${port} to answer`,
  );
  const nodeId = (await stats()).self.node;
  return { child, port, nodeId, wsUrl: `ws://127.0.0.1:${port}/ws`, httpUrl, exited, logs, stats };
}
