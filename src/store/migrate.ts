/**
 * Schema migrations: versioned plain SQL files (`migrations/NNN_name.sql`), applied in order, each in its own
 * transaction, under the database's migration lock (a PostgreSQL advisory lock) so that several instances starting
 * at once apply each exactly once. The applied versions are recorded in `parley_migrations`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { StartupRefusal } from '../util/startup-refusal.js';
import { databaseRefusal } from './database-refusal.js';
import type { SqlDatabase } from './sql.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** A migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations shipped with this version, in order. */
export async function shippedMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.split('_')[0]),
      name: file.replace(/^\d+_|\.sql$/g, ''),
      sql: await readFile(new URL(file, MIGRATIONS_DIR), 'utf8'),
    })),
  );
}

/**
 * Applies the migrations the database lacks; returns the versions applied now (none when up to date). Refuses a
 * database migrated by a newer Parley (a version it does not know), rather than running against a schema it
 * does not understand. It is the start's first contact with the database (`serve` and `parley migrate`): a
 * database that cannot be reached or refuses the login is a {@link StartupRefusal} too (see databaseRefusal).
 */
export async function migrate(db: SqlDatabase, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? (await shippedMigrations());
  return applyMissing(db, all).catch((error: unknown) => {
    throw databaseRefusal(error) ?? error;
  });
}

function applyMissing(db: SqlDatabase, all: Migration[]): Promise<number[]> {
  return db.exclusive(async (session) => {
    await session.query(
      'CREATE TABLE IF NOT EXISTS parley_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await session.query<{ version: number }>('SELECT version FROM parley_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const known = new Set(all.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new StartupRefusal(
        `the database has migrations this version does not know (${unknown.join(', ')}): upgrade Parley`,
      );
    }
    const done: number[] = [];
    for (const migration of all) {
      if (applied.has(migration.version)) continue;
      await session.transaction(async (tx) => {
        await tx.script(migration.sql);
        await tx.query('INSERT INTO parley_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
      });
      done.push(migration.version);
    }
    return done;
  });
}
