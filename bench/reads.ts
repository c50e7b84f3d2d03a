import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { PostgresServer } from '../test/helpers/postgres-server.js';
import { startBenchRedis } from './bench-redis.js';
import { api, BENCH_API_TOKEN, type Instance, startInstance, stop } from './store.js';

const CLIENTS = Number(process.env.BENCH_READS_CLIENTS ?? 5000);
const ROOMS = Number(process.env.BENCH_READS_ROOMS ?? 100);
const PHASE_SECONDS = Number(process.env.BENCH_READS_SECONDS ?? 20);
/** Each room gets a message this often. */
const MESSAGE_EVERY_MS = 2000;
/** A reader marks read this long after a message arrives (uniformly spread): a person glancing at it. */
const READ_DELAY_MS: [number, number] = [500, 3000];

/** What one phase of the load cost. */
export interface ReadPhase {
  reads: boolean;
  seconds: number;
  messages: number;
  readsSent: number;
  /** Statements run on the database (pg_stat_statements), and those of read markers among them. */
  statements: number;
  markerStatements: number;
  transactions: number;
  redisCommands: number;
  redisByCommand: Record<string, number>;
  marks: number;
  batches: number;
  moved: number;
}

export interface ReadResults {
  clients: number;
  rooms: number;
  phases: ReadPhase[];
}

/** A connection that marks its room read after each message, when `reading`. */
class Reader {
  private timer?: NodeJS.Timeout;
  private newest = 0;
  reads = 0;
  constructor(
    readonly ws: WebSocket,
    private readonly room: string,
    private readonly state: { reading: boolean },
  ) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type?: string; room?: string; offset?: number };
      if (frame.type !== 'message' || frame.room !== room || typeof frame.offset !== 'number') return;
      this.newest = Math.max(this.newest, frame.offset);
      if (!this.state.reading || this.timer) return;
      const [low, high] = READ_DELAY_MS;
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          if (!this.state.reading || ws.readyState !== WebSocket.OPEN) return;
          this.reads += 1;
          ws.send(JSON.stringify({ type: 'read', room: this.room, offset: this.newest }));
        },
        low + Math.random() * (high - low),
      );
    });
    ws.on('error', () => {});
  }

  static open(url: string, user: string, room: string, state: { reading: boolean }): Promise<Reader> {
    const ws = new WebSocket(`${url}?name=${user}&user=${user}`);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('message', () => {
        const reader = new Reader(ws, room, state);
        ws.once('message', () => resolve(reader));
        ws.send(JSON.stringify({ type: 'join', ref: 1, room }));
      });
    });
  }

  stop(): void {
    clearTimeout(this.timer);
    this.ws.close();
  }
}

/** The instance's read marker counters, from its Prometheus metrics. */
async function markerCounts(instance: Instance): Promise<{ marks: number; batches: number; moved: number }> {
  const text = await (await fetch(`http://127.0.0.1:${instance.port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    marks: value('parley_read_marks_total'),
    batches: value('parley_read_marker_batches_total'),
    moved: value('parley_read_markers_moved_total'),
  };
}

/** Calls per Redis command so far (INFO commandstats). */
async function redisCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls[match[1] as string] = Number(match[2]);
  return calls;
}

export async function runReadBenchmarks(): Promise<ReadResults> {
  // pg_stat_statements counts each statement by its text: the read markers' own are told apart from the rest.
  const pg = await PostgresServer.start({ settings: { shared_preload_libraries: 'pg_stat_statements' } });
  const { url: redisUrl, redis, stop: stopRedis } = await startBenchRedis();
  const readers: Reader[] = [];
  try {
    await pg.sql('CREATE DATABASE parley');
    await pg.sql('CREATE EXTENSION pg_stat_statements', 'parley');
    const databaseUrl = pg.url.replace(/\/postgres$/, '/parley');
    const shared = ['--redis-url', redisUrl, '--database-url', databaseUrl, '--api-token', BENCH_API_TOKEN];
    const running = [await startInstance(shared), await startInstance(shared)];
    try {
      const [first] = running as [Instance, Instance];
      for (let i = 0; i < ROOMS; i += 1)
        await api(first, 'POST', '/rooms', { name: `Reads ${i}`, id: `reads-${i}`, owner: { id: 'driver' } });
      const state = { reading: false };
      process.stderr.write(`reads: opening ${CLIENTS} connections\n`);
      for (let i = 0; i < CLIENTS; i += 200) {
        const batch: Array<Promise<Reader>> = [];
        for (let j = i; j < Math.min(CLIENTS, i + 200); j += 1) {
          const at = running[j % running.length] as Instance;
          batch.push(Reader.open(at.url, `reader${j}`, `reads-${j % ROOMS}`, state));
        }
        readers.push(...(await Promise.all(batch)));
      }
      const transactions = async () =>
        Number(await pg.sql(`SELECT xact_commit FROM pg_stat_database WHERE datname = 'parley'`));
      /** Statements so far on the database: all, and the read markers' (storing them, counting after them). */
      const statements = async (): Promise<[number, number]> => {
        const row = await pg.sql(
          `SELECT coalesce(sum(calls), 0) || ',' || coalesce(sum(calls) FILTER (
             WHERE query LIKE '%SET read_offset%' OR query LIKE '%parley_mentions x%'), 0)
           FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'parley')`,
          'parley',
        );
        const [all, markers] = row.split(',').map(Number);
        return [all ?? 0, markers ?? 0];
      };
      const phase = async (reading: boolean): Promise<ReadPhase> => {
        state.reading = reading;
        const readsBefore = readers.reduce((n, r) => n + r.reads, 0);
        const marksBefore = await Promise.all(running.map(markerCounts));
        const [txBefore, redisBefore] = [await transactions(), await redisCalls(redis)];
        const statementsBefore = await statements();
        const started = performance.now();
        let messages = 0;
        let round = 0;
        const ends = started + PHASE_SECONDS * 1000;
        while (performance.now() < ends) {
          const roundStart = performance.now();
          // One message per room, spread over the interval.
          for (let room = 0; room < ROOMS; room += 1) {
            const at = running[(room + round) % running.length] as Instance;
            await api(at, 'POST', `/rooms/reads-${room}/messages`, { text: `news ${round}` });
            messages += 1;
            const due = roundStart + ((room + 1) * MESSAGE_EVERY_MS) / ROOMS;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          }
          round += 1;
        }
        const seconds = (performance.now() - started) / 1000;
        // The last reads land, their batches are stored, and the database's statistics catch up (once a second).
        state.reading = false;
        await new Promise((resolve) => setTimeout(resolve, READ_DELAY_MS[1] + 2500));
        const redisAfter = await redisCalls(redis);
        const marksAfter = await Promise.all(running.map(markerCounts));
        const byCommand: Record<string, number> = {};
        for (const [command, calls] of Object.entries(redisAfter)) {
          const delta = calls - (redisBefore[command] ?? 0);
          if (delta > 0 && command !== 'info') byCommand[command] = delta;
        }
        const sum = (
          list: Array<{ marks: number; batches: number; moved: number }>,
          key: 'marks' | 'batches' | 'moved',
        ) => list.reduce((n, m) => n + m[key], 0);
        return {
          reads: reading,
          seconds,
          messages,
          readsSent: readers.reduce((n, r) => n + r.reads, 0) - readsBefore,
          transactions: (await transactions()) - txBefore,
          ...(await statements().then(([all, markers]) => ({
            statements: all - statementsBefore[0],
            markerStatements: markers - statementsBefore[1],
          }))),
          redisCommands: Object.values(byCommand).reduce((n, c) => n + c, 0),
          redisByCommand: byCommand,
          marks: sum(marksAfter, 'marks') - sum(marksBefore, 'marks'),
          batches: sum(marksAfter, 'batches') - sum(marksBefore, 'batches'),
          moved: sum(marksAfter, 'moved') - sum(marksBefore, 'moved'),
        };
      };
      // The joins' own writes (memberships, system events) drain first: the baseline is the messages alone.
      for (let settled = 0, last = await transactions(); settled < 30; settled += 1) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const now = await transactions();
        if (now - last < 10) break;
        last = now;
      }
      process.stderr.write('reads: messages only\n');
      const quiet = await phase(false);
      process.stderr.write('reads: messages and reads\n');
      const reading = await phase(true);
      return { clients: CLIENTS, rooms: ROOMS, phases: [quiet, reading] };
    } finally {
      for (const reader of readers) reader.stop();
      await stop(running);
    }
  } finally {
    stopRedis();
    await pg.stop();
  }
}

/** The heading of the read state's section of docs/benchmarks.md. */
export const READS_HEADING = '## Read state';

/** The "## Read state" section of docs/benchmarks.md. */
export function readsSection(results: ReadResults): string {
  const [quiet, reading] = results.phases as [ReadPhase, ReadPhase];
  const per = (value: number) => (reading.readsSent > 0 ? value / reading.readsSent : 0);
  const rate = (p: ReadPhase, value: number) => (value / p.seconds).toFixed(1);
  const extraRedis = reading.redisCommands / reading.seconds - quiet.redisCommands / quiet.seconds;
  const readsPerSec = reading.readsSent / reading.seconds;
  const commands = Object.entries(reading.redisByCommand)
    .sort((a, b) => b[1] - a[1])
    .map(([command, calls]) => {
      const before = ((quiet.redisByCommand[command] ?? 0) / quiet.seconds) * reading.seconds;
      return `| \`${command}\` | ${Math.round(before)} | ${calls} | ${((calls - before) / reading.readsSent).toFixed(3)} |`;
    })
    .join('\n');
  return `${READS_HEADING}

\`npm run bench:reads\` (this section only). ${results.clients.toLocaleString('en-US')} clients on 2 instances (Redis,
PostgreSQL), in ${results.rooms} rooms of ${Math.round(results.clients / results.rooms)}, every room getting a message every ${MESSAGE_EVERY_MS / 1000} s
(through the server API); each client marks its room read ${READ_DELAY_MS[0] / 1000}-${READ_DELAY_MS[1] / 1000} s after a message
arrives (one \`read\` per message seen: a person reading along). The same load runs without reads, then with them;
the difference, per read sent, is what reading costs. Database statements from \`pg_stat_statements\`,
Redis commands from \`INFO commandstats\`.

| phase | seconds | messages | reads sent | marker batches | markers moved | database statements/s | of them read markers | Redis commands/s |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| messages only | ${quiet.seconds.toFixed(0)} | ${quiet.messages} | ${quiet.readsSent} | ${quiet.batches} | ${quiet.moved} | ${rate(quiet, quiet.statements)} | ${rate(quiet, quiet.markerStatements)} | ${rate(quiet, quiet.redisCommands)} |
| messages and reads | ${reading.seconds.toFixed(0)} | ${reading.messages} | ${reading.readsSent} | ${reading.batches} | ${reading.moved} | ${rate(reading, reading.statements)} | ${rate(reading, reading.markerStatements)} | ${rate(reading, reading.redisCommands)} |

At ${readsPerSec.toFixed(0)} reads/s: **${per(reading.markerStatements).toFixed(4)} database statements per read**
(${reading.markerStatements} read-marker statements for ${reading.readsSent.toLocaleString('en-US')} reads: ${reading.batches}
batches, each one statement storing its markers and one counting the moved markers' unread messages; counted by
pg_stat_statements) and **${(extraRedis / readsPerSec).toFixed(2)} Redis commands per read**. The other database
statements are the messages' own (a commit, a rate-limit read): their count per second moves with how the group
commit batches them, not with the reads.

| Redis command | calls expected without reads | calls with reads | extra per read |
| --- | --- | --- | --- |
${commands}

The database side is bounded by the batching: at most two statements per instance every \`--read-marker-flush-ms\`
(200 ms), whatever the number of readers, plus one statement per ${'`--read-marker-batch-max`'} markers beyond. The Redis side is
linear and small: a \`read\` clamps its offset to the room's newest (one read of the recent window, \`HMGET\`), and
each moved marker is told to the user's devices (one \`PUBLISH\` on the user's channel).
`;
}
