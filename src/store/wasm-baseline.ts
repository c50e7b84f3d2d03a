import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags that keep WebAssembly at its baseline compiler (Liftoff) instead of tiering hot functions up to the
 * optimizing one: the embedded store's default tier (`--embedded-wasm-tier baseline`). PGlite (PostgreSQL in
 * WebAssembly) is the only WebAssembly a Parley process compiles. On Node 24 tiering it up costs a burst of memory:
 * within seconds of the store opening, one of V8's background threads optimizes one large function of PGlite's and maps
 * buffers doubling from 9 MB to 294 MB for a second or two. The price of the baseline tier is speed. Both are measured
 * in docs/storage.md.
 */
const BASELINE_WASM_FLAGS: readonly string[] = ['--no-wasm-dynamic-tiering', '--no-wasm-tier-up'];

/**
 * Sets {@link BASELINE_WASM_FLAGS} for the whole process (V8's flags are not per thread or per module), before the
 * WebAssembly they concern is compiled: the flags are read when a module is compiled.
 */
export function keepWasmAtBaseline(): void {
  for (const flag of BASELINE_WASM_FLAGS) setFlagsFromString(flag);
}
