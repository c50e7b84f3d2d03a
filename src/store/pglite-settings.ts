/** What the embedded database's thread (`pglite-worker.ts`) is started with; no PGlite here (the main thread loads this). */

/** Settings the thread starts with. */
export interface WorkerSettings {
  /** PGlite's data directory. */
  path: string;
  /** PostgreSQL's buffer cache (`shared_buffers`), in bytes (whole kB). */
  cacheBytes: number;
  /** Which of V8's WebAssembly compilers runs PGlite in the store's thread (see {@link EmbeddedWasmTier}). */
  wasmTier: EmbeddedWasmTier;
}

/**
 * `baseline`: PGlite stays at V8's baseline compiler (steady memory, slower statements); `optimizing`: V8 recompiles
 * its hot functions with the optimizing compiler (faster statements; on Node 24, a one-time burst of memory while it
 * does). Measured in docs/storage.md. The option `--embedded-wasm-tier` takes these values.
 */
export const WASM_TIERS = ['baseline', 'optimizing'] as const;
export type EmbeddedWasmTier = (typeof WASM_TIERS)[number];

/** The tier unless told otherwise: the bounded memory of a first start (docs/storage.md). */
export const DEFAULT_WASM_TIER: EmbeddedWasmTier = 'baseline';

/** PostgreSQL's buffer cache in the embedded store unless told otherwise (its default of 128 MB is a server's). */
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

/** The argument that runs `pglite-worker.js` as a process that only creates the database (see PgliteDatabase.open). */
export const CREATE_ARGUMENT = '--create-database';
