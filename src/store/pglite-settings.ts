/** What the embedded database's thread (`pglite-worker.ts`) is started with; no PGlite here (the main thread loads this). */

/** Settings the thread starts with. */
export interface WorkerSettings {
  /** PGlite's data directory. */
  path: string;
  /** PostgreSQL's buffer cache (`shared_buffers`), in bytes (whole kB). */
  cacheBytes: number;
}

/** The argument that runs `pglite-worker.js` as a process that only creates the database (see PgliteDatabase.open). */
export const CREATE_ARGUMENT = '--create-database';
