/**
 * The embedded database's own thread: PGlite (PostgreSQL compiled to WebAssembly) runs its statements here, so that
 * a commit's milliseconds of WebAssembly never hold up the event loop that serves connections. The main thread's
 * `PgliteDatabase` sends {@link WorkerRequest}s and gets one {@link WorkerReply} per request. PGlite runs one
 * statement at a time; statements outside a transaction wait for an open one (PGlite's own lock).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { CREATE_ARGUMENT, type WorkerSettings } from './pglite-settings.js';
import { PgliteStatements } from './pglite-statements.js';
import { PLAN_CACHE_MODE, type SqlResult } from './sql.js';
import { keepWasmAtBaseline } from './wasm-baseline.js';

/** What the main thread asks. `tx` names a transaction opened by `begin` (statements outside it have none). */
export type WorkerRequest =
  | { id: number; op: 'query'; text: string; params?: unknown[]; name?: string; tx?: number }
  | { id: number; op: 'script'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** An error as it crosses threads: its message, class name and PostgreSQL's fields (SQLSTATE `code`, ...). */
export interface WireError {
  name: string;
  message: string;
  fields: Record<string, string | number | undefined>;
}

/** The answer to one request: `value` is a query's result, or a new transaction's number. */
export type WorkerReply =
  | { id: number; ok: true; value?: SqlResult<unknown> | number }
  | { id: number; ok: false; error: WireError };

/** The first message of the thread: the database opened, or why not. */
export type WorkerReady = { ready: true } | { ready: false; error: WireError };

/** PostgreSQL's error fields worth keeping (SQLSTATE first: the store tells outages from refusals by it). */
const ERROR_FIELDS = [
  'code',
  'detail',
  'constraint',
  'table',
  'column',
  'schema',
  'severity',
  'hint',
] as const;

export function toWire(error: unknown): WireError {
  const source = (error ?? {}) as Record<string, unknown>;
  const fields: WireError['fields'] = {};
  for (const field of ERROR_FIELDS) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') fields[field] = value;
  }
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
    fields,
  };
}

/** An open transaction: the handle its statements run on, and how the main thread ends it. */
interface OpenTransaction {
  tx: Transaction;
  end(commit: boolean): void;
  /** Settles once PGlite committed or rolled back. */
  done: Promise<void>;
}

/** initdb's `shared_buffers` line (not a commented one). */
const SHARED_BUFFERS_LINE = /^[ \t]*shared_buffers[ \t]*=.*$/m;

/**
 * The database's postgresql.conf with the buffer cache set: PGlite writes the file from this text at every start, so
 * it is the file as initdb wrote it (time zone, locale, WAL sizes...) with one line changed. Undefined while there is
 * no database yet: initdb writes the file.
 */
function configuration(settings: WorkerSettings): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(settings.path, 'postgresql.conf'), 'utf8');
  } catch {
    return undefined;
  }
  const line = `shared_buffers = ${Math.floor(settings.cacheBytes / 1024)}kB`;
  return SHARED_BUFFERS_LINE.test(text) ? text.replace(SHARED_BUFFERS_LINE, line) : `${text}\n${line}\n`;
}

/**
 * Opens the database, creating it when the directory holds none. This is the only code that compiles PGlite's
 * WebAssembly, in the store's thread and in the creating process: the tier is set here, before it compiles (see
 * wasm-baseline.ts).
 */
function openDatabase(settings: WorkerSettings): Promise<PGlite> {
  if (settings.wasmTier === 'baseline') keepWasmAtBaseline();
  const postgresqlconf = configuration(settings);
  return PGlite.create(settings.path, postgresqlconf === undefined ? {} : { postgresqlconf });
}

async function serve(port: NonNullable<typeof parentPort>, settings: WorkerSettings): Promise<void> {
  let db: PGlite;
  try {
    db = await openDatabase(settings);
    await db.exec(`SET plan_cache_mode = ${PLAN_CACHE_MODE}`);
  } catch (error) {
    port.postMessage({ ready: false, error: toWire(error) } satisfies WorkerReady);
    return;
  }
  const statements = new PgliteStatements(db);
  const open = new Map<number, OpenTransaction>();
  let transactions = 0;

  const runnerOf = (tx: number | undefined): PGlite | Transaction => {
    if (tx === undefined) return db;
    const found = open.get(tx);
    if (!found) throw new Error(`transaction ${tx} is not open`);
    return found.tx;
  };

  const begin = async (): Promise<number> => {
    const id = ++transactions;
    let decide!: (commit: boolean) => void;
    const decided = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    let entered!: (tx: Transaction) => void;
    const inside = new Promise<Transaction>((resolve) => {
      entered = resolve;
    });
    const done = db.transaction(async (tx) => {
      entered(tx);
      if (!(await decided)) await tx.rollback();
    });
    // BEGIN itself may fail: then `done` rejects before the callback ran, and so does this (racing `done` itself,
    // not a promise derived from it, which would reject unheard if the commit failed later).
    const tx = await Promise.race([inside, done]);
    if (!tx) throw new Error('the transaction could not begin');
    open.set(id, { tx, end: decide, done: done.finally(() => open.delete(id)) });
    return id;
  };

  const handle = async (request: WorkerRequest): Promise<SqlResult<unknown> | number | undefined> => {
    switch (request.op) {
      case 'query': {
        const { text, params, name, tx } = request;
        // Named statements are prepared once (see PgliteStatements); inside a transaction, plain ones.
        if (name && tx === undefined) return statements.run(name, text, params ?? []);
        const result = await runnerOf(tx).query(text, params);
        return { rows: result.rows, rowCount: result.affectedRows ?? 0 } satisfies SqlResult<unknown>;
      }
      case 'script':
        await runnerOf(request.tx).exec(request.sql);
        return undefined;
      case 'begin':
        return begin();
      case 'end': {
        const entry = open.get(request.tx);
        if (!entry) throw new Error(`transaction ${request.tx} is not open`);
        entry.end(request.commit);
        await entry.done;
        return undefined;
      }
      case 'close':
        await db.close();
        return undefined;
    }
  };

  port.on('message', (request: WorkerRequest) => {
    handle(request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies WorkerReply),
      (error: unknown) =>
        port.postMessage({ id: request.id, ok: false, error: toWire(error) } satisfies WorkerReply),
    );
  });
  port.postMessage({ ready: true } satisfies WorkerReady);
}

if (parentPort) void serve(parentPort, workerData as WorkerSettings);
else if (process.argv[2] === CREATE_ARGUMENT) {
  const settings = JSON.parse(process.argv[3] as string) as WorkerSettings;
  // PostgreSQL's initdb grows the WebAssembly memory to ~700 MB, which an instance never gives back (nor does a
  // thread's end give all of it back to the system): in a process of its own, it goes when the process exits. It
  // runs once and briefly, at the baseline tier whatever the store's: optimizing would add memory and gain nothing.
  try {
    await (await openDatabase({ ...settings, wasmTier: 'baseline' })).close();
  } catch (error) {
    // What the server reports: the error's own words (PGlite's file errors are no Error: a name and an errno).
    const { name, message, errno } = (error ?? {}) as { name?: unknown; message?: unknown; errno?: unknown };
    const what = typeof message === 'string' && message !== '' ? message : String(name ?? error);
    process.stderr.write(`${what}${errno === undefined ? '' : ` (errno ${String(errno)})`}\n`);
    process.exitCode = 1;
  }
}
