import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StartupRefusal } from '../util/startup-refusal.js';
import {
  CREATE_ARGUMENT,
  DEFAULT_CACHE_BYTES,
  DEFAULT_WASM_TIER,
  type EmbeddedWasmTier,
  type WorkerSettings,
} from './pglite-settings.js';
import type { WireError, WorkerReady, WorkerReply, WorkerRequest } from './pglite-worker.js';
import type { SqlDatabase, SqlResult, SqlRunner, SqlSession } from './sql.js';

/** The file that marks a data directory as in use by a running process (PGlite is single-process). */
const LOCK_FILE = 'parley.pid';

/** Distributes `Omit` over a union (each request without the id the database gives it). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The classes of a bug, kept across the thread: the store tells bugs from outages by class (`isUnavailable`), and
 * outages from refusals by SQLSTATE.
 */
const BUG_CLASSES: Record<string, ErrorConstructor> = { TypeError, RangeError, ReferenceError };

/** The error a request failed with, as it was thrown in the database's thread (class, message, SQLSTATE...). */
function fromWire(wire: WireError): Error {
  const Class = BUG_CLASSES[wire.name] ?? Error;
  return Object.assign(new Class(wire.message), wire.fields);
}

/** True when a process with this id runs (signal 0 only checks). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What the file system said about a data directory it would not give us, in words (`--data-dir` is the user's). */
const DIRECTORY_PROBLEMS: Record<string, string> = {
  EEXIST: 'it is a file, not a directory',
  ENOTDIR: 'part of its path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  ENOENT: 'it cannot be created there',
};

/** The refusal to start that names the directory and the problem, for an error the file system gave on it. */
function refusalFor(dir: string, error: unknown): unknown {
  const problem = DIRECTORY_PROBLEMS[(error as NodeJS.ErrnoException).code ?? ''];
  return problem
    ? new StartupRefusal(`cannot use the data directory ${dir}: ${problem} (give another with --data-dir)`)
    : error;
}

/** Makes a directory whose parent exists: true when it is there now, false when its parent is missing. */
async function madeDirectory(path: string): Promise<boolean> {
  try {
    await mkdir(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // There already: fine if it is a directory; a file there is the caller's EEXIST.
    if (code === 'EEXIST' && (await stat(path)).isDirectory()) return true;
    if (code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * `mkdir -p` of our own: Node's recursive `mkdir` never settles for a path that cannot be created under `/proc`
 * (Node 20 and 24), which left `--data-dir /proc/x` hanging at start instead of refusing. Missing parents are made
 * first, up the absolute path (the root exists, so this ends); a directory still not made then cannot be there.
 */
async function makeDirectory(dir: string): Promise<void> {
  const path = resolve(dir);
  if (await madeDirectory(path)) return;
  const parent = dirname(path);
  if (parent !== path) await makeDirectory(parent);
  if (!(await madeDirectory(path)))
    throw Object.assign(new Error(`cannot create ${dir}`), { code: 'ENOENT' });
}

/**
 * Takes the data directory for this process: creates it when missing and writes our pid into its lock file. A
 * directory held by another running process is refused (two PGlite instances on one directory would corrupt it);
 * a lock left by a process that died is taken over.
 */
async function lockDataDir(dir: string): Promise<string> {
  await makeDirectory(dir).catch((error: unknown) => {
    throw refusalFor(dir, error);
  });
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = await open(lock, 'wx');
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return lock;
    } catch (error) {
      // A lock file there already: whose is it? Anything else: the directory is not usable.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw refusalFor(dir, error);
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processRuns(holder)) {
        throw new StartupRefusal(
          `data directory ${dir} is in use by process ${holder}: one Parley per data directory (stop it, or give this one another --data-dir)`,
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new Error(`could not lock data directory ${dir}`);
}

/** The database's thread (and, run as a process, what creates a new database). */
const WORKER_URL = new URL('./pglite-worker.js', import.meta.url);

/** Starts the database's thread and waits for it to report the database open (or throws why it is not). */
async function startThread(settings: WorkerSettings): Promise<Worker> {
  const worker = new Worker(WORKER_URL, { workerData: settings });
  const ready = await new Promise<WorkerReady>((resolveReady, rejectReady) => {
    worker.once('message', resolveReady);
    worker.once('error', rejectReady);
    worker.once('exit', (code) =>
      rejectReady(new Error(`the embedded database's thread exited (code ${code})`)),
    );
  });
  if (!ready.ready) {
    await worker.terminate();
    throw fromWire(ready.error);
  }
  return worker;
}

/** Where a new database is built before it is moved into place (`<path>.new-<pid of the server>`). */
const BUILDING = '.new-';

/**
 * Removes what a server that died while it created the database left (its pid in the name runs no more). Its creating
 * process may still be writing there: a removal that fails meanwhile is left to a later start (the directory is
 * never opened, and in nobody's way).
 */
async function removeAbandoned(path: string): Promise<void> {
  const prefix = `${basename(path)}${BUILDING}`;
  for (const entry of await readdir(dirname(path))) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && processRuns(pid)) continue;
    await rm(join(dirname(path), entry), { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Creates the database by a process of its own (see {@link PgliteDatabase.open}) in a directory beside it, then moves
 * it into place: a server killed meanwhile never leaves a half-made database where the next start would open it,
 * and a creating process it leaves behind works in its own directory (removed by a later start). Throws what the
 * creating process said if it failed.
 */
async function createDatabase(settings: WorkerSettings): Promise<void> {
  const building = `${settings.path}${BUILDING}${process.pid}`;
  await rm(building, { recursive: true, force: true });
  const child = spawn(
    process.execPath,
    [fileURLToPath(WORKER_URL), CREATE_ARGUMENT, JSON.stringify({ ...settings, path: building })],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let said = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    said = (said + text).slice(-2000);
  });
  const code = await new Promise<number | null>((resolveExit, rejectExit) => {
    child.once('error', rejectExit);
    child.once('close', resolveExit);
  });
  const failed =
    code !== 0
      ? said.trim()
      : await rename(building, settings.path).then(
          () => undefined,
          (error: Error) => error.message,
        );
  if (failed !== undefined) {
    await rm(building, { recursive: true, force: true });
    throw new Error(`could not create the embedded database in ${settings.path}: ${failed}`);
  }
}

/**
 * The embedded store: PGlite (PostgreSQL compiled to WebAssembly) on a data directory, in this process. The same
 * SQL and migrations as a PostgreSQL server, nothing to install. PGlite runs in a thread of its own
 * (`pglite-worker.ts`): its statements are synchronous WebAssembly (a group commit of 20 messages takes ~2.5 ms,
 * of 100 ~9 ms), which on the event loop would hold up every connection meanwhile; here they run beside it, and
 * a statement costs the event loop a message each way. One statement at a time, a transaction holding the
 * database until it ends (measured in docs/storage.md).
 */
export class PgliteDatabase implements SqlDatabase {
  private readonly pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: unknown): void }
  >();
  private requests = 0;
  /** Why the thread is gone (every request then fails with it: the store reports the database unavailable). */
  private stopped: Error | undefined;

  /** The thread keeps the process running until {@link close}, like a pool's open connections. */
  private constructor(
    private readonly worker: Worker,
    private readonly lock: string,
  ) {
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`the embedded database's thread exited (code ${code})`)));
  }

  /**
   * Opens (creating on first use) the database in `dataDir`, with a buffer cache of `cacheBytes`, its WebAssembly
   * run at `wasmTier`. V8's flags are the whole process's: once a store opened at `baseline`, every store the process
   * opens later runs at `baseline` too. A new database is created by a short-lived process of its own: what
   * PostgreSQL's initdb made the WebAssembly memory grow to (~700 MB) goes with it, instead of staying with the
   * server for good (measured in docs/storage.md).
   * A directory `pglite` without a database in it (empty) is replaced; one with other files in it is refused.
   */
  static async open(
    dataDir: string,
    options: { cacheBytes?: number; wasmTier?: EmbeddedWasmTier } = {},
  ): Promise<PgliteDatabase> {
    const dir = resolve(dataDir);
    const lock = await lockDataDir(dir);
    try {
      const settings: WorkerSettings = {
        path: join(dir, 'pglite'),
        cacheBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
        wasmTier: options.wasmTier ?? DEFAULT_WASM_TIER,
      };
      await removeAbandoned(settings.path);
      if (!existsSync(join(settings.path, 'PG_VERSION'))) await createDatabase(settings);
      return new PgliteDatabase(await startThread(settings), lock);
    } catch (error) {
      await rm(lock, { force: true });
      throw error;
    }
  }

  query<Row>(text: string, params?: unknown[], name?: string): Promise<SqlResult<Row>> {
    return this.request({
      op: 'query',
      text,
      ...(params ? { params } : {}),
      ...(name ? { name } : {}),
    }) as Promise<SqlResult<Row>>;
  }

  async script(sql: string): Promise<void> {
    await this.request({ op: 'script', sql });
  }

  exclusive<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    // One process owns the directory (the lock file): nobody else can migrate it meanwhile.
    return work({
      query: (text, params, name) => this.query(text, params, name),
      script: (sql) => this.script(sql),
      transaction: (inner) => this.transaction(inner),
    });
  }

  async transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    // PGlite runs one transaction at a time: other statements wait for it (keep it short).
    const tx = (await this.request({ op: 'begin' })) as number;
    const runner: SqlRunner = {
      query: <Row>(text: string, params?: unknown[]) =>
        this.request({ op: 'query', text, ...(params ? { params } : {}), tx }) as Promise<SqlResult<Row>>,
      script: async (sql) => {
        await this.request({ op: 'script', sql, tx });
      },
    };
    let result: T;
    try {
      result = await work(runner);
    } catch (error) {
      await this.request({ op: 'end', tx, commit: false }).catch(() => {});
      throw error;
    }
    await this.request({ op: 'end', tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (!this.stopped) {
      await this.request({ op: 'close' }).catch(() => {});
      this.stop(new Error('the embedded database is closed'));
      await this.worker.terminate();
    }
    await rm(this.lock, { force: true });
  }

  private request(request: Unnumbered<WorkerRequest>): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = ++this.requests;
    return new Promise((resolveReply, rejectReply) => {
      this.pending.set(id, { resolve: resolveReply, reject: rejectReply });
      this.worker.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  private settle(reply: WorkerReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(fromWire(reply.error));
  }

  private stop(error: Error): void {
    // Without a SQLSTATE, the store counts this as the database being unavailable (never as a refusal).
    this.stopped ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.stopped);
    this.pending.clear();
  }
}
