import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PgliteStatements } from './pglite-statements.js';
import type { SqlDatabase, SqlResult, SqlRunner, SqlSession } from './sql.js';

/** The file that marks a data directory as in use by a running process (PGlite is single-process). */
const LOCK_FILE = 'parley.pid';

/** Runs statements on `db`; named ones through `statements` when given (not inside a transaction). */
function runner(db: PGlite | Transaction, statements?: PgliteStatements): SqlRunner {
  return {
    query: async <Row>(text: string, params?: unknown[], name?: string): Promise<SqlResult<Row>> => {
      if (name && statements) return statements.run<Row>(name, text, params ?? []);
      const result = await db.query<Row>(text, params);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
    script: async (sql) => {
      await db.exec(sql);
    },
  };
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

/**
 * Takes the data directory for this process: creates it when missing and writes our pid into its lock file. A
 * directory held by another running process is refused (two PGlite instances on one directory would corrupt it);
 * a lock left by a process that died is taken over.
 */
async function lockDataDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = await open(lock, 'wx');
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processRuns(holder)) {
        throw new Error(
          `data directory ${dir} is in use by process ${holder} (one Parley per data directory)`,
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new Error(`could not lock data directory ${dir}`);
}

/**
 * The embedded store: PGlite (PostgreSQL compiled to WebAssembly) on a data directory, in this process. The same
 * SQL and migrations as a PostgreSQL server, nothing to install. Statements run on the event loop (PGlite is
 * synchronous WebAssembly behind a promise API) one at a time; the log batches its writes to keep each short
 * (measured in docs/storage.md).
 */
export class PgliteDatabase implements SqlDatabase {
  /** Statements on the database, named ones prepared (built once: `query` is on the commit path). */
  private readonly run: SqlRunner;

  private constructor(
    private readonly db: PGlite,
    private readonly lock: string,
  ) {
    this.run = runner(db, new PgliteStatements(db));
  }

  /** Opens (creating on first use) the database in `dataDir`. */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    const dir = resolve(dataDir);
    const lock = await lockDataDir(dir);
    try {
      const db = await PGlite.create(join(dir, 'pglite'));
      return new PgliteDatabase(db, lock);
    } catch (error) {
      await rm(lock, { force: true });
      throw error;
    }
  }

  query<Row>(text: string, params?: unknown[], name?: string): Promise<SqlResult<Row>> {
    return this.run.query<Row>(text, params, name);
  }

  script(sql: string): Promise<void> {
    return this.run.script(sql);
  }

  exclusive<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    // One process owns the directory (the lock file): nobody else can migrate it meanwhile. PGlite runs one
    // transaction at a time and queues other statements behind it.
    return work({
      ...runner(this.db),
      transaction: (inner) => this.db.transaction((tx) => inner(runner(tx))),
    });
  }

  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    // PGlite runs one transaction at a time: other statements wait for it (keep it short).
    return this.db.transaction((tx) => work(runner(tx)));
  }

  async close(): Promise<void> {
    await this.db.close();
    await rm(this.lock, { force: true });
  }
}
