/**
 * `parley cluster`: a local demonstration of the scale-out. Starts N `parley serve` processes on consecutive ports
 * against one Redis (the configured one, or a private redis-server started here) and one database (the configured
 * one, or a private PostgreSQL started here when its server programs are installed), and stops them all on
 * Ctrl-C/SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { OptionKey } from '../config/options.js';
import { freePort } from '../util/free-port.js';
import { PrivatePostgres, postgresServerPrograms } from '../util/private-postgres.js';

/** Starts a throw-away redis-server (nothing persisted); resolves with its URL once it accepts connections. */
async function startPrivateRedis(): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-cluster-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    // Its own process group: a terminal's Ctrl-C reaches the instances, which drain, and Redis stays up for that.
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('error', (error) =>
      reject(new Error(`cannot start redis-server (is it on PATH?): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  return { url: `redis://127.0.0.1:${port}`, child, dir };
}

/**
 * Runs the cluster until a signal; resolves with the exit code.
 * @param flags the serve flags given on the command line, passed on to every instance
 * @param configFile the config file, passed on to every instance (the flags above still win over it)
 */
export async function runCluster(
  config: Config,
  flags: Partial<Record<OptionKey, string>>,
  instances: number,
  cliPath: string,
  configFile?: string,
): Promise<number> {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
  let redisArgs: string[];
  if (config.redisCluster !== '') redisArgs = ['--redis-cluster', config.redisCluster];
  else if (config.redisUrl !== '') redisArgs = ['--redis-url', config.redisUrl];
  else {
    redis = await startPrivateRedis();
    redisArgs = ['--redis-url', redis.url];
    process.stderr.write(`parley cluster: started a private redis-server at ${redis.url}\n`);
  }
  const passOn = Object.entries(flags).flatMap(([key, value]) =>
    ['port', 'nodeId', 'redisUrl', 'redisCluster'].includes(key)
      ? []
      : [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value)],
  );
  if (configFile) passOn.push('--config', configFile);
  let postgres: PrivatePostgres | undefined;
  if (config.store === 'auto' && config.databaseUrl === '') {
    // Several instances share rooms and conversations only through a database: a private one when PostgreSQL's
    // server programs are here, so that the demo is the chat `npm start` shows; else history in Redis only.
    postgres = await startPrivatePostgres();
    if (postgres) passOn.push('--database-url', postgres.url);
    else passOn.push('--store', 'redis');
  }
  const children: ChildProcess[] = [];
  for (let i = 0; i < instances; i += 1) {
    const port = config.port + i;
    const child = spawn(
      process.execPath,
      [cliPath, 'serve', '--port', String(port), '--node-id', `node-${i + 1}`, ...redisArgs, ...passOn],
      { stdio: 'inherit' },
    );
    children.push(child);
    process.stderr.write(`parley cluster: node-${i + 1} on http://localhost:${port}\n`);
  }
  const allExited = Promise.all(
    children.map((child) => new Promise((resolve) => child.once('exit', resolve))),
  );
  const stop = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await allExited;
  if (redis) {
    redis.child.kill('SIGTERM');
    rmSync(redis.dir, { recursive: true, force: true });
  }
  await postgres?.stop();
  return 0;
}

/** A private PostgreSQL for the demo, or none (said on stderr, with what the chat then lacks) without one. */
async function startPrivatePostgres(): Promise<PrivatePostgres | undefined> {
  const without =
    'history is kept in Redis only, and the chat has no stored rooms (no room list, invitations, edits)';
  if (!postgresServerPrograms()) {
    process.stderr.write(
      `parley cluster: no --database-url and no PostgreSQL server programs (Debian: apt-get install postgresql): ${without}\n`,
    );
    return undefined;
  }
  let postgres: PrivatePostgres;
  try {
    postgres = await PrivatePostgres.start({ prefix: 'parley-cluster-pg-' });
  } catch (error) {
    const why = (error as Error).message.split('\n')[0];
    process.stderr.write(`parley cluster: could not start a private PostgreSQL (${why}): ${without}\n`);
    return undefined;
  }
  process.stderr.write(
    `parley cluster: started a private PostgreSQL at ${postgres.url} (in ${postgres.dir}, removed on exit)\n`,
  );
  return postgres;
}
