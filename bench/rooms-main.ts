/**
 * `npm run bench:rooms`: only group chat's benchmarks; replaces their section of docs/benchmarks.md (between
 * "## Group chat" and the next "## " heading) and keeps the rest of the page.
 * BENCH_ROOMS_RESULTS=<json> re-renders the section from saved results.
 */
import { ROOMS_HEADING, roomsSection, runRoomBenchmarks } from './rooms.js';
import { sectionMain } from './sections.js';

sectionMain({
  name: 'bench:rooms',
  heading: ROOMS_HEADING,
  json: 'benchmarks-rooms.json',
  savedEnv: 'BENCH_ROOMS_RESULTS',
  run: runRoomBenchmarks,
  render: roomsSection,
});
