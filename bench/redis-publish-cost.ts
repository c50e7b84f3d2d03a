/**
 * Redis's CPU per published message against the number of instances that host the room: the publish script as
 * Parley runs it (`--store redis`), and a bare `PUBLISH` of the same payload for comparison, in a private
 * redis-server. Each "instance" is one connection subscribed to every room's channel, as an instance with members in
 * every room would be. Messages go one at a time at a fixed rate (a chat's messages arrive apart, not pipelined);
 * Redis's CPU is read from `INFO cpu` around each round. docs/scaling.md sizes Redis from these figures.
 *
 * Usage: npm run bench:redis (env: BENCH_REDIS_INSTANCES=1,2,4,8,16,32, BENCH_REDIS_RATES=660,2000,
 * BENCH_REDIS_SECONDS=8, BENCH_REDIS_ROUNDS=3). Prints a Markdown table of medians, in us per message.
 */
import { Redis } from 'ioredis';
import { publishScript } from '../src/redis/scripts.js';
import { startBenchRedis } from './bench-redis.js';
import { waitFor } from './systems.js';

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map(Number);
const INSTANCES = list('BENCH_REDIS_INSTANCES', '1,2,4,8,16,32');
const RATES = list('BENCH_REDIS_RATES', '660,2000');
const SECONDS = Number(process.env.BENCH_REDIS_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_REDIS_ROUNDS ?? 3);
const ROOMS = Array.from({ length: 100 }, (_, i) => `room-${i}`);
const BARE_PUBLISH = "redis.call('PUBLISH', KEYS[4], 'm' .. ARGV[5]) return 1";
/** The publish script's settings: the benchmark's (history of 1,000, 7 days, an idempotency window of 5 minutes). */
const SETTINGS = ['epoch-1', 7 * 86_400_000, 1000, 300_000];

type Kind = 'script' | 'bare';

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** One round: `instances` subscribers, `rate` messages a second for SECONDS; Redis CPU in us per message. */
async function round(
  port: number,
  publisher: Redis,
  sha: string,
  instances: number,
  rate: number,
): Promise<number> {
  const subscribers: Redis[] = [];
  let received = 0;
  for (let i = 0; i < instances; i += 1) {
    const subscriber = new Redis({ port });
    await subscriber.subscribe(...ROOMS.map((room) => `ch:${room}`));
    subscriber.on('message', () => {
      received += 1;
    });
    subscribers.push(subscriber);
  }
  const messages = rate * SECONDS;
  const before = await redisCpuSeconds(publisher);
  const start = Date.now();
  for (let n = 0; n < messages; n += 1) {
    const room = ROOMS[n % ROOMS.length] as string;
    const user = `user-${n % 5000}`;
    const head = `{"room":"${room}","id":"msg-${start}-${n}","offset":`;
    const tail = `,"from":{"id":"${user}","name":"${user}"},"text":"${'x'.repeat(100)}","ts":${Date.now()},"cid":"c-${n}"}`;
    const keys = [`meta:${room}`, `stream:${room}`, `idem:${room}:${user}:${start}-${n}`, `ch:${room}`];
    void publisher.evalsha(sha, keys.length, ...keys, ...SETTINGS, head, tail, 'PUBLISH');
    const wait = start + ((n + 1) * 1000) / rate - Date.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await publisher.ping();
  await waitFor(async () => received === messages * instances, 'every subscriber to receive every message');
  const after = await redisCpuSeconds(publisher);
  for (const subscriber of subscribers) subscriber.disconnect();
  return ((after - before) * 1e6) / messages;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  const { port, redis: publisher, stop } = await startBenchRedis();
  try {
    const shas: Record<Kind, string> = {
      script: (await publisher.script('LOAD', publishScript.source)) as string,
      bare: (await publisher.script('LOAD', BARE_PUBLISH)) as string,
    };
    const results = new Map<string, number[]>();
    // Interleaved: every setting once per round, so a slow minute of the host hits all of them.
    for (let r = 1; r <= ROUNDS; r += 1) {
      for (const rate of RATES) {
        for (const instances of INSTANCES) {
          for (const kind of ['script', 'bare'] as const) {
            const us = await round(port, publisher, shas[kind], instances, rate);
            const key = `${kind}/${rate}/${instances}`;
            results.set(key, [...(results.get(key) ?? []), us]);
            process.stderr.write(
              `round ${r}: ${kind} at ${rate} msg/s, ${instances} instances: ${us.toFixed(1)} us\n`,
            );
          }
        }
      }
    }
    const lines = [
      `| instances subscribed | ${INSTANCES.join(' | ')} |`,
      `| --- | ${INSTANCES.map(() => '---:').join(' | ')} |`,
    ];
    for (const rate of RATES) {
      for (const kind of ['script', 'bare'] as const) {
        const label = kind === 'script' ? 'publish script' : 'a bare `PUBLISH`';
        const cells = INSTANCES.map((n) => median(results.get(`${kind}/${rate}/${n}`) ?? []).toFixed(0));
        lines.push(`| ${label}, ${rate.toLocaleString('en-US')} msg/s, us | ${cells.join(' | ')} |`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:redis failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
