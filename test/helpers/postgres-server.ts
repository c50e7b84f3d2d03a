import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { removeQuietly } from './remove-quietly.js';

const run = promisify(execFile);

/** The directory of PostgreSQL's server programs (initdb, pg_ctl, postgres): PATH first, then Debian's layout. */
function serverBinDir(): string {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  const found = dirs.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found)
    throw new Error(
      'PostgreSQL server programs not found: install them (Debian: apt-get install postgresql)',
    );
  return found;
}

/**
 * A private PostgreSQL for one test file: its own data directory in a temp dir, its own free port, trust
 * authentication on 127.0.0.1 only, fsync off (unless asked). Never the machine's shared database. The test may stop, kill and
 * restart it (its data survives a restart, as a database's does). PostgreSQL refuses to run as root: as root, its
 * programs run as the `postgres` user, which owns the temp dir.
 */
export class PostgresServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
    private readonly asUser: string | undefined,
    private readonly fsync: boolean,
    private readonly settings: Record<string, string> = {},
  ) {}

  /**
   * @param options.fsync keep fsync on (benchmarks of the durable path); tests run with it off
   * @param options.settings more server settings (`-c name=value`), e.g. to load pg_stat_statements
   */
  static async start(
    options: { fsync?: boolean; settings?: Record<string, string> } = {},
  ): Promise<PostgresServer> {
    const dir = await mkdtemp(join(tmpdir(), 'parley-pg-'));
    const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
    if (asUser) {
      const [uid, gid] = await Promise.all(
        ['-u', '-g'].map(async (flag) => Number((await run('id', [flag, asUser])).stdout.trim())),
      );
      await chown(dir, uid as number, gid as number);
    }
    const server = new PostgresServer(
      await freePort(),
      dir,
      serverBinDir(),
      asUser,
      options.fsync ?? false,
      options.settings,
    );
    try {
      await server.exec('initdb', [
        '-D',
        server.dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-sync',
        '-E',
        'UTF8',
      ]);
      await server.launch();
    } catch (error) {
      // The server's own log says why it did not start; it goes with the data directory.
      const log = await readFile(join(dir, 'log'), 'utf8').catch(() => '');
      await server.stop();
      if (error instanceof Error && log !== '')
        error.message += `\n--- postgres log (end) ---\n${log.slice(-2000)}`;
      throw error;
    }
    return server;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** A connection URL for the `postgres` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
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

  /**
   * Starts (or restarts) the server and waits until it accepts connections. After a kill, the old server's
   * backends hold its shared memory until they notice their postmaster is gone: the start is retried meanwhile.
   */
  async launch(): Promise<void> {
    const fsync = this.fsync ? 'on' : 'off';
    const extra = Object.entries(this.settings).map(([name, value]) => ` -c ${name}=${value}`);
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=${fsync}${extra.join('')}`;
    const args = ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start'];
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await this.exec('pg_ctl', args);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /**
   * Kills the server at once, like a crash: SIGKILL to the postmaster and to every backend it started. Killing the
   * postmaster alone leaves its backends running until they notice: one behind a pooled connection could still
   * commit a transaction after the "crash", and a test of what is refused while the database is down would race it.
   */
  async kill(): Promise<void> {
    const pid = Number(
      (await readFile(join(this.dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
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
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    await removeQuietly(this.dir);
  }

  private async exec(program: string, args: string[]): Promise<void> {
    const path = join(this.bin, program);
    if (this.asUser) await run('runuser', ['-u', this.asUser, '--', path, ...args]);
    else await run(path, args);
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
