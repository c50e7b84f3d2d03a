/**
 * `npm run bench:store`: only the durable store's benchmarks; replaces their section of docs/benchmarks.md (the
 * section between "## Durable store" and the next "## " heading) and keeps the rest of the page.
 * BENCH_STORE_RESULTS=<json> re-renders the section from saved results.
 */
import { sectionMain } from './sections.js';
import { runStoreBenchmarks, STORE_HEADING, storeSection } from './store.js';

sectionMain({
  name: 'bench:store',
  heading: STORE_HEADING,
  json: 'benchmarks-store.json',
  savedEnv: 'BENCH_STORE_RESULTS',
  run: runStoreBenchmarks,
  render: storeSection,
});
