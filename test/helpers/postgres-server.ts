import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PrivatePostgres } from '../../src/util/private-postgres.js';

const run = promisify(execFile);

/**
 * A private PostgreSQL for one test file (src/util/private-postgres.ts), fsync off (unless asked): never the
 * machine's shared database. The test may stop, kill and restart it (its data survives a restart, as a database's
 * does) and run SQL in it.
 */
export class PostgresServer {
  private constructor(private readonly server: PrivatePostgres) {}

  /**
   * @param options.fsync keep fsync on (benchmarks of the durable path); tests run with it off
   * @param options.settings more server settings (`-c name=value`), e.g. to load pg_stat_statements
   */
  static async start(
    options: { fsync?: boolean; settings?: Record<string, string> } = {},
  ): Promise<PostgresServer> {
    return new PostgresServer(await PrivatePostgres.start(options));
  }

  get port(): number {
    return this.server.port;
  }

  /** A connection URL for the `postgres` database. */
  get url(): string {
    return this.server.url;
  }

  /** Runs SQL with psql (in `database`, default `postgres`) and returns its unaligned output. */
  async sql(statement: string, database = 'postgres'): Promise<string> {
    const args = [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      'postgres',
      '-d',
      database,
      '-At',
      '-c',
      statement,
    ];
    return (await run('psql', args)).stdout.trim();
  }

  /** Starts the server again after a kill (its data kept). */
  async launch(): Promise<void> {
    await this.server.launch();
  }

  /**
   * Kills the server at once, like a crash: SIGKILL to the postmaster and to every backend it started. Killing the
   * postmaster alone leaves its backends running until they notice: one behind a pooled connection could still
   * commit a transaction after the "crash", and a test of what is refused while the database is down would race it.
   */
  async kill(): Promise<void> {
    const pid = Number(
      (await readFile(join(this.server.dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
    );
    if (!(pid > 0)) return;
    const backends = await childrenOf(pid);
    for (const target of [pid, ...backends]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Stops the server and removes its data. */
  async stop(): Promise<void> {
    await this.server.stop();
  }
}

/** The pids whose parent is `pid` (from /proc: Linux, where the tests run). */
async function childrenOf(pid: number): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The parent pid is the second field after the command, which is in parentheses and may hold spaces.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === pid) children.push(Number(entry));
  }
  return children;
}
