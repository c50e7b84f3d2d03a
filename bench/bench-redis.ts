/** A Redis of a benchmark's own: a private redis-server on a free port that keeps nothing, and a client on it. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../src/util/free-port.js';
import { waitFor } from './systems.js';

export interface BenchRedis {
  port: number;
  url: string;
  /** The redis-server's process id, for its CPU time. */
  pid: number;
  /** A client on it, connected. */
  redis: Redis;
  /** Disconnects the client, kills the server and removes its directory. */
  stop(): void;
}

/** Starts the server and waits until it answers. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-redis-'));
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const redis = new Redis(url);
  // Until redis-server listens, the first connection attempts fail: retried, not reported (ioredis would print an
  // "Unhandled error event" for each).
  redis.on('error', () => {});
  const stop = () => {
    redis.disconnect();
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await redis.ping()) === 'PONG', 'redis');
  } catch (error) {
    stop();
    throw error;
  }
  return { port, url, pid: server.pid as number, redis, stop };
}
