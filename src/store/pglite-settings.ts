/** What the embedded database's thread (`pglite-worker.ts`) is started with; no PGlite here (the main thread loads this). */

/** Settings the thread starts with. */
export interface WorkerSettings {
  /** PGlite's data directory. */
  path: string;
  /** PostgreSQL's buffer cache (`shared_buffers`), in bytes (whole kB). */
  cacheBytes: number;
}

/** PostgreSQL's buffer cache in the embedded store unless told otherwise (its default of 128 MB is a server's). */
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

/** The argument that runs `pglite-worker.js` as a process that only creates the database (see PgliteDatabase.open). */
export const CREATE_ARGUMENT = '--create-database';
