import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags that keep WebAssembly at its baseline compiler (Liftoff) instead of tiering hot functions up to the
 * optimizing one. PGlite (PostgreSQL in WebAssembly) is the only WebAssembly a Parley process compiles, and on
 * Node 24 tiering it up costs a burst of memory: just after the embedded store opens, one of V8's background threads
 * maps buffers doubling from 9 MB to 294 MB for a second or two (~700-790 MB resident at a first start, against
 * ~217 MB at the baseline tier). The store's throughput and read latency showed no difference through this
 * machine's noise in pairs measured before and after (docs/storage.md): no claim that the baseline tier is as fast.
 */
const BASELINE_WASM_FLAGS: readonly string[] = ['--no-wasm-dynamic-tiering', '--no-wasm-tier-up'];

/**
 * Sets {@link BASELINE_WASM_FLAGS} for the whole process (V8's flags are not per thread or per module), before the
 * WebAssembly they concern is compiled: the flags are read when a module is compiled.
 */
export function keepWasmAtBaseline(): void {
  for (const flag of BASELINE_WASM_FLAGS) setFlagsFromString(flag);
}
