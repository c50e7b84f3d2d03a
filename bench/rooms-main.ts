/**
 * `npm run bench:rooms`: only group chat's benchmarks; replaces their section of docs/benchmarks.md (between
 * "## Group chat" and the next "## " heading) and keeps the rest of the page.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RoomResults, roomsSection, runRoomBenchmarks, withRoomsSection } from './rooms.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const PAGE = join(ROOT, 'docs/benchmarks.md');

// BENCH_ROOMS_RESULTS=<json> re-renders the section from saved results (to change the report only).
const saved = process.env.BENCH_ROOMS_RESULTS;
(saved ? Promise.resolve(JSON.parse(readFileSync(saved, 'utf8')) as RoomResults) : runRoomBenchmarks()).then(
  (results) => {
    const section = roomsSection(results);
    writeFileSync(PAGE, withRoomsSection(readFileSync(PAGE, 'utf8'), section));
    writeFileSync(join(ROOT, 'docs/benchmarks-rooms.json'), `${JSON.stringify(results, null, 1)}\n`);
    process.stdout.write(section);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`bench:rooms failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
