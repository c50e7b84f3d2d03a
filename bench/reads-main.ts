/**
 * `npm run bench:reads`: only the read state benchmark; replaces its section of docs/benchmarks.md (between
 * "## Read state" and the next "## " heading) and keeps the rest of the page.
 * BENCH_READS_RESULTS=<json> re-renders the section from saved results.
 */
import { READS_HEADING, readsSection, runReadBenchmarks } from './reads.js';
import { sectionMain } from './sections.js';

sectionMain({
  name: 'bench:reads',
  heading: READS_HEADING,
  json: 'benchmarks-reads.json',
  savedEnv: 'BENCH_READS_RESULTS',
  run: runReadBenchmarks,
  render: readsSection,
});
