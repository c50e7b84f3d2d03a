/**
 * `npm run bench:store`: only the durable store's benchmarks; replaces their section of docs/benchmarks.md (the
 * section between "## Durable store" and the next "## " heading) and keeps the rest of the page.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStoreBenchmarks, type StoreResults, storeSection, withStoreSection } from './store.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const PAGE = join(ROOT, 'docs/benchmarks.md');

// BENCH_STORE_RESULTS=<json> re-renders the section from saved results (to change the report only).
const saved = process.env.BENCH_STORE_RESULTS;
(saved
  ? Promise.resolve(JSON.parse(readFileSync(saved, 'utf8')) as StoreResults)
  : runStoreBenchmarks()
).then(
  (results) => {
    const section = storeSection(results);
    writeFileSync(PAGE, withStoreSection(readFileSync(PAGE, 'utf8'), section));
    writeFileSync(join(ROOT, 'docs/benchmarks-store.json'), `${JSON.stringify(results, null, 1)}\n`);
    process.stdout.write(section);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`bench:store failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
