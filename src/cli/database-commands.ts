/** The commands on a database that run and exit: `parley migrate` and `parley copy-to-postgres`. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { DiskFileBytes } from '../files/disk-file-bytes.js';
import { copyToPostgres } from '../store/copy-store.js';
import { migrate } from '../store/migrate.js';
import { PgDatabase } from '../store/pg-database.js';
import { PgliteDatabase } from '../store/pglite-database.js';
import { createLogger } from '../util/logger.js';
import { StartupRefusal } from '../util/startup-refusal.js';

/** The PostgreSQL database of `--database-url`, for a command (its log: warnings only). */
function commandDatabase(config: Config, maxConnections: number, statementTimeoutMs?: number): PgDatabase {
  return new PgDatabase({
    url: config.databaseUrl,
    timeoutMs: config.databaseTimeoutMs,
    ...(statementTimeoutMs !== undefined ? { statementTimeoutMs } : {}),
    maxConnections,
    logger: createLogger({ level: 'warn', format: 'json' }),
  });
}

/** `parley migrate`: brings the database's schema up to this version, under the same lock as a start. */
export async function migrateCommand(config: Config): Promise<number> {
  if (config.databaseUrl === '') {
    process.stderr.write('parley: migrate needs --database-url (or DATABASE_URL)\n');
    return 2;
  }
  const db = commandDatabase(config, 1);
  try {
    const applied = await migrate(db);
    process.stdout.write(
      applied.length > 0 ? `applied migrations ${applied.join(', ')}\n` : 'the database is up to date\n',
    );
    return 0;
  } finally {
    await db.close();
  }
}

/**
 * `parley copy-to-postgres`: the embedded store of `--data-dir` into the empty PostgreSQL database of
 * `--database-url` (copyToPostgres). The data directory must not be in use (its lock says so), and is left as it was.
 */
export async function copyCommand(config: Config): Promise<number> {
  if (config.databaseUrl === '') {
    process.stderr.write(
      'parley: copy-to-postgres needs --database-url (or DATABASE_URL): the database to fill\n',
    );
    return 2;
  }
  const dataDir = resolve(config.dataDir);
  if (!existsSync(join(dataDir, 'pglite', 'PG_VERSION'))) {
    process.stderr.write(`parley: ${dataDir} holds no embedded store (--data-dir names the one to copy)\n`);
    return 2;
  }
  let source: PgliteDatabase | undefined;
  // Its statements may take long on a large store (the row counts at the end read whole tables): an hour each,
  // not the serving instances' --database-timeout-ms (which still bounds the wait for a connection).
  const target = commandDatabase(config, 2, 3_600_000);
  try {
    source = await PgliteDatabase.open(dataDir);
    const started = Date.now();
    const summary = await copyToPostgres(source, new DiskFileBytes(join(dataDir, 'files')), target, (line) =>
      process.stdout.write(`${line}\n`),
    );
    const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0);
    for (const id of summary.missingFiles)
      process.stderr.write(`parley: file ${id}: no bytes in ${dataDir}/files\n`);
    process.stdout.write(
      `copied ${rows} rows and ${summary.files} files in ${((Date.now() - started) / 1000).toFixed(1)} s: start Parley with --database-url\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof StartupRefusal) {
      process.stderr.write(`parley: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await source?.close();
    await target.close();
  }
}
