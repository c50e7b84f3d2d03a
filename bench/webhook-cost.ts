/**
 * What a post to an incoming webhook costs the server (docs/security.md, "Incoming webhooks"): server CPU per post
 * and posts a second, beside the server API's publish of the same message and a refused post to an address that
 * names no webhook, with `BENCH_HOOK_IN_FLIGHT` requests in flight from this process (keep-alive). One instance in a
 * child process (its CPU read from /proc), the memory store or the embedded one in a temporary directory, limits
 * off; each kind of request warmed up first, then measured, in `BENCH_HOOK_ROUNDS` interleaved rounds.
 *
 * Usage: npm run bench:webhooks (env: BENCH_HOOK_STORE=memory|embedded, BENCH_HOOK_POSTS=2000,
 * BENCH_HOOK_IN_FLIGHT=8, BENCH_HOOK_ROUNDS=2). Prints a Markdown table of the last round.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/util/free-port.js';
import { removeQuietly } from '../test/helpers/remove-quietly.js';
import { processCpuSeconds } from './load/cpu.js';
import { NO_LIMIT_FLAGS } from './load/no-limits.js';
import { waitFor } from './systems.js';

const STORE = process.env.BENCH_HOOK_STORE === 'embedded' ? 'embedded' : 'memory';
const POSTS = Number(process.env.BENCH_HOOK_POSTS ?? 2000);
const IN_FLIGHT = Number(process.env.BENCH_HOOK_IN_FLIGHT ?? 8);
const ROUNDS = Number(process.env.BENCH_HOOK_ROUNDS ?? 2);
const TOKEN = 'bench-webhook-cost-api-token';
const CLI = join(new URL('../../', import.meta.url).pathname, 'dist/src/cli.js');

/** Sends `count` requests, `IN_FLIGHT` at a time; resolves with how many were answered `ok`. */
async function drive(count: number, send: (i: number) => Promise<Response>, ok: number): Promise<number> {
  let answered = 0;
  for (let i = 0; i < count; i += IN_FLIGHT) {
    const batch = Array.from({ length: Math.min(IN_FLIGHT, count - i) }, (_, k) => send(i + k));
    for (const response of await Promise.all(batch)) {
      if (response.status === ok) answered += 1;
      await response.arrayBuffer();
    }
  }
  return answered;
}

async function main(): Promise<void> {
  const dataDir = STORE === 'embedded' ? await mkdtemp(join(tmpdir(), 'parley-hook-cost-')) : undefined;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', ...NO_LIMIT_FLAGS];
  args.push('--log-level', 'warn', '--api-token', TOKEN, '--store', STORE);
  if (dataDir) args.push('--data-dir', dataDir);
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  try {
    await waitFor(async () => (await fetch(`${base}/readyz`)).ok, 'parley');
    const api = (path: string, body: unknown) =>
      fetch(`${base}/api${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await api('/rooms', { name: 'Ops', id: 'ops', owner: { id: 'olga' } });
    const { path } = (await (await api('/rooms/ops/webhooks', { name: 'Load' })).json()) as { path: string };
    const post = (to: string) => (i: number) =>
      fetch(`${base}${to}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `alert ${i}`, attachments: [{ title: 'db1', text: 'disk 91%' }] }),
      });
    const kinds: Array<[name: string, send: (i: number) => Promise<Response>, ok: number]> = [
      ['webhook post', post(path), 200],
      ['server API publish', (i) => api('/rooms/ops/messages', { text: `alert ${i}\ndb1\ndisk 91%` }), 201],
      ['post to no webhook (404)', post(`/hooks/${'A'.repeat(16)}/${'B'.repeat(32)}`), 404],
      ['GET /healthz', () => fetch(`${base}/healthz`), 200],
    ];
    const rows: string[] = [];
    for (let round = 0; round <= ROUNDS; round += 1) {
      rows.length = 0;
      for (const [name, send, ok] of kinds) {
        const cpu = processCpuSeconds(child.pid as number);
        const started = performance.now();
        const answered = await drive(POSTS, send, ok);
        const seconds = (performance.now() - started) / 1000;
        const used = processCpuSeconds(child.pid as number) - cpu;
        rows.push(
          `| ${name} | ${Math.round(POSTS / seconds)} | ${Math.round((used * 1e6) / POSTS)} | ${answered} of ${POSTS} |`,
        );
      }
      // Round 0 warms every path up (JIT, the store's statements); only later rounds are printed.
      if (round > 0) console.error(`round ${round} done`);
    }
    console.log(
      `${STORE} store, ${IN_FLIGHT} requests in flight, ${POSTS} of each (the last of ${ROUNDS} rounds)\n`,
    );
    console.log('| request | per second | server CPU us each | answered as expected |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const row of rows) console.log(row);
  } finally {
    child.kill('SIGKILL');
    if (dataDir) await removeQuietly(dataDir);
  }
}

await main();
