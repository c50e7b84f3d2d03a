/**
 * A private PostgreSQL server: its own data directory in a temp dir, its own free port, trust authentication on
 * 127.0.0.1 only. Never the machine's shared database. `parley cluster` starts one so that its instances share
 * rooms and history as a deployment's do; the test suite starts one per test file so that it may stop, kill and
 * restart it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** The directory of PostgreSQL's server programs (initdb, pg_ctl): PATH first, then Debian's layout; or none. */
export function postgresServerPrograms(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return dirs.find((dir) => dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

export interface PrivatePostgresOptions {
  /** Keep fsync on (benchmarks of the durable path); off by default, for a server whose data is thrown away. */
  fsync?: boolean;
  /** More server settings (`-c name=value`), e.g. to load pg_stat_statements. */
  settings?: Record<string, string>;
  /** The start of the temp dir's name. */
  prefix?: string;
}

/**
 * PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user (Debian's package makes it),
 * which owns the temp dir.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    /** The temp dir: the data directory, the server's log and its socket. */
    readonly dir: string,
    private readonly bin: string,
    private readonly asUser: string | undefined,
    private readonly options: PrivatePostgresOptions,
  ) {}

  /** Creates the database cluster and starts the server; throws, with the end of the server's log, when it cannot. */
  static async start(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
    const bin = postgresServerPrograms();
    if (!bin) {
      throw new Error(
        'PostgreSQL server programs not found: install them (Debian: apt-get install postgresql)',
      );
    }
    const dir = await mkdtemp(join(tmpdir(), options.prefix ?? 'parley-pg-'));
    const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
    if (asUser) {
      const [uid, gid] = await Promise.all(
        ['-u', '-g'].map(async (flag) => Number((await run('id', [flag, asUser])).stdout.trim())),
      );
      await chown(dir, uid as number, gid as number);
    }
    const server = new PrivatePostgres(await freePort(), dir, bin, asUser, options);
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

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** A connection URL for the `postgres` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * Starts (or restarts) the server and waits until it accepts connections. After a kill, the old server's
   * backends hold its shared memory until they notice their postmaster is gone: the start is retried meanwhile.
   */
  async launch(): Promise<void> {
    const fsync = this.options.fsync ? 'on' : 'off';
    const extra = Object.entries(this.options.settings ?? {}).map(([name, value]) => ` -c ${name}=${value}`);
    const settings = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=${fsync}${extra.join('')}`;
    const args = ['-D', this.dataDir, '-o', settings, '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start'];
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

  /** Stops the server at once and removes its data; never throws (clean-up). */
  async stop(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    await rm(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(
      (error: Error) => {
        process.stderr.write(`could not remove ${this.dir}: ${error.message}\n`);
      },
    );
  }

  private async exec(program: string, args: string[]): Promise<void> {
    const path = join(this.bin, program);
    if (this.asUser) await run('runuser', ['-u', this.asUser, '--', path, ...args]);
    else await run(path, args);
  }
}
