/**
 * Several instances keeping conversations in PostgreSQL with Redis as cache and bus: senders on every instance in
 * the same rooms at once get contiguous offsets and one order at every member; a Redis FLUSHALL or a Redis killed
 * and restarted empty loses nothing acknowledged (resumes recover from the database, offsets and epoch go on);
 * history pages back beyond the cache window to offset 1; an instance killed with -9 while SDK clients send loses
 * nothing they were told was sent, and their re-sends are stored once.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ParleyError } from '../../client/index.js';
import type { ParleyNode } from '../../src/index.js';
import { randomId } from '../../src/util/ids.js';
import { startNode } from '../helpers/nodes.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { spawnServer } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { watchedClient } from '../helpers/sdk.js';
import { waitUntil, within } from '../helpers/wait.js';

const wsUrl = (node: ParleyNode) => `ws://127.0.0.1:${node.port}/ws`;

/** Runs an SDK request again after a temporary refusal (`unavailable`), a few times. */
async function retried<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof ParleyError) || !error.temporary || attempt >= 5) throw error;
    }
  }
}

/** Messages of `room` a client received live, in arrival order. */
const received = (client: RawClient, room: string) => client.ofType('message').filter((f) => f.room === room);

describe('3 instances + Redis + PostgreSQL', async () => {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  await pg.sql('CREATE DATABASE parley');
  const databaseUrl = pg.url.replace(/\/postgres$/, '/parley');
  const shared = { redisUrl: redis.url, databaseUrl, redisPrefix: `d${randomId()}`, historySize: 1000 };
  const nodes = await Promise.all([0, 1, 2].map((i) => startNode({ ...shared, nodeId: `d${i}` })));
  const stored = async (room: string) =>
    (
      await pg.sql(
        `SELECT string_agg("offset"::text, ',' ORDER BY "offset") FROM parley_messages WHERE room = '${room}'`,
        'parley',
      )
    )
      .split(',')
      .filter((s) => s !== '')
      .map(Number);

  it('senders on every instance in the same rooms at once: contiguous offsets, one order at every member', async () => {
    const rooms = ['busy-a', 'busy-b'];
    const clients: RawClient[] = [];
    for (const [i, node] of nodes.entries()) {
      for (let k = 0; k < 2; k += 1) {
        const client = await RawClient.connect(wsUrl(node), { name: `S${i}${k}`, user: `s${i}${k}` });
        after(() => client.close());
        for (const room of rooms) await client.request({ type: 'join', room });
        clients.push(client);
      }
    }
    const perClient = 40;
    // Every client sends to both rooms at once, all clients together.
    const replies = await Promise.all(
      clients.flatMap((client, c) =>
        Array.from({ length: perClient }, (_, i) =>
          client.request({ type: 'send', room: rooms[i % 2], text: `${c}:${i}`, cid: `k${c}-${i}` }),
        ),
      ),
    );
    assert.ok(
      replies.every((r) => r.type === 'sent'),
      JSON.stringify(replies.find((r) => r.type !== 'sent')),
    );
    const total = (clients.length * perClient) / 2;
    for (const room of rooms) {
      const acked = replies.filter((r) => r.room === room).map((r) => r.offset as number);
      assert.deepEqual(
        [...acked].sort((a, b) => a - b),
        Array.from({ length: total }, (_, i) => i + 1),
        `${room}: every acknowledgement has its own offset, without holes`,
      );
      assert.deepEqual(
        await stored(room),
        Array.from({ length: total }, (_, i) => i + 1),
        'stored once each',
      );
    }
    for (const client of clients) {
      await waitUntil(
        async () => rooms.every((room) => received(client, room).length >= total),
        15_000,
        'every member to receive every message',
      );
      for (const room of rooms) {
        assert.deepEqual(
          received(client, room).map((m) => m.offset),
          Array.from({ length: total }, (_, i) => i + 1),
          `${room}: delivered in offset order, each once`,
        );
      }
    }
  });

  it('pages history back to offset 1 beyond a 1,000-message cache window (5,000 messages)', async () => {
    const room = 'long';
    // Ten SDK writers of 500 each, on all instances (a connection runs its commands one after the other).
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        const { client } = watchedClient({
          url: wsUrl(nodes[w % 3] as ParleyNode),
          name: 'W',
          userId: `w${w}`,
        });
        client.connect();
        // Five thousand sends in one process load the machine: a temporary refusal is retried, as an app would.
        await retried(() => client.join(room));
        await Promise.all(
          Array.from({ length: 500 }, (_, i) => retried(() => client.send(room, `m${i}`, `l${w}-${i}`))),
        );
      }),
    );
    const reader = await RawClient.connect(wsUrl(nodes[1] as ParleyNode), { name: 'Reader', user: 'reader' });
    after(() => reader.close());
    await reader.request({ type: 'join', room });
    const offsets: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await reader.request({ type: 'history', room, limit: 100, ...(before ? { before } : {}) });
      const messages = page.messages as Frame[];
      if (messages.length === 0) break;
      offsets.unshift(...messages.map((m) => m.offset as number));
      before = messages[0]?.offset as number;
      if (before === 1) break;
    }
    assert.deepEqual(
      offsets,
      Array.from({ length: 5000 }, (_, i) => i + 1),
    );
    // The newest pages came from the cache window, the older ones from the database.
    const metrics = await (await fetch(`http://127.0.0.1:${nodes[1]?.port}/metrics`)).text();
    const sample = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.ok(sample('parley_history_reads_window_total') >= 5, metrics);
    assert.ok(sample('parley_history_reads_database_total') >= 40);
  });
  it('Redis FLUSHALL, then Redis killed and restarted empty: nothing acknowledged lost, resumes recover', async () => {
    const room = 'flushed';
    const sender = await RawClient.connect(wsUrl(nodes[0] as ParleyNode), { name: 'Sender', user: 'sender' });
    after(() => sender.close());
    await sender.request({ type: 'join', room });
    const send = async (n: number) => {
      const reply = await sender.request({ type: 'send', room, text: `m${n}`, cid: `f${n}` });
      assert.equal(reply.type, 'sent', JSON.stringify(reply));
      return reply;
    };
    const away = await RawClient.connect(wsUrl(nodes[1] as ParleyNode), { name: 'Away', user: 'away' });
    const joined = await away.request({ type: 'join', room });
    const epoch = (joined.position as { epoch: string }).epoch;
    for (let n = 1; n <= 10; n += 1) await send(n);
    await waitUntil(async () => received(away, room).length === 10, 10_000, 'the first ten');
    away.close();

    for (let n = 11; n <= 20; n += 1) await send(n);
    await redis.cli('FLUSHALL');
    for (let n = 21; n <= 30; n += 1) await send(n);

    const back = await RawClient.connect(wsUrl(nodes[2] as ParleyNode), { name: 'Away', user: 'away' });
    after(() => back.close());
    const resumed = await back.request({ type: 'join', room, since: { offset: 10, epoch } });
    assert.equal(resumed.recovered, true, 'resumed across the flush');
    assert.deepEqual(
      (resumed.messages as Frame[]).map((m) => m.offset),
      Array.from({ length: 20 }, (_, i) => i + 11),
    );
    assert.deepEqual(resumed.position, { offset: 30, epoch }, 'offsets and epoch go on');
    await back.request({ type: 'leave', room });

    // Redis dies and comes back empty.
    await redis.kill();
    await redis.launch();
    await Promise.all(
      nodes.map((node) =>
        waitUntil(async () => node.isReady(), 20_000, 'every instance ready again after Redis returned'),
      ),
    );
    let next = 31;
    await waitUntil(
      async () => {
        const reply = await sender.request({ type: 'send', room, text: `m${next}`, cid: `f${next}` });
        if (reply.type === 'sent') next += 1;
        return reply.type === 'sent';
      },
      20_000,
      'sending again',
    );
    const again = await back.request({ type: 'join', room, since: { offset: 10, epoch } });
    assert.equal(again.recovered, true, 'resumed across the Redis restart');
    assert.deepEqual(
      (again.messages as Frame[]).map((m) => m.offset),
      Array.from({ length: next - 11 }, (_, i) => i + 11),
    );
    assert.deepEqual(
      await stored(room),
      Array.from({ length: next - 1 }, (_, i) => i + 1),
    );
  });
});

describe('an instance killed with -9 while SDK clients send (2 instances + Redis + PostgreSQL)', async () => {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  await pg.sql('CREATE DATABASE parley');
  const databaseUrl = pg.url.replace(/\/postgres$/, '/parley');

  it('stores every acknowledged message, and each re-sent one once', async () => {
    const args = ['--redis-url', redis.url, '--database-url', databaseUrl];
    const [doomed, survivor] = await Promise.all([spawnServer(args), spawnServer(args)]);
    const senders = [0, 1, 2].map((i) =>
      watchedClient({ url: [doomed.wsUrl, survivor.wsUrl], name: `K${i}`, userId: `k${i}` }),
    );
    for (const { client } of senders) {
      client.connect();
      await client.join('crash');
    }
    const acked = new Set<string>();
    const sends: Array<Promise<unknown>> = [];
    for (const [s, { client }] of senders.entries()) {
      for (let i = 0; i < 100; i += 1) {
        const cid = `s${s}-${i}`;
        sends.push(client.send('crash', `m${i}`, cid).then(() => acked.add(cid)));
      }
    }
    // Kill the first instance while its batches are in flight.
    await waitUntil(async () => acked.size >= 20, 10_000, 'the first acknowledgements');
    doomed.child.kill('SIGKILL');
    await within(doomed.exited, 10_000, 'the instance to die');
    await within(Promise.allSettled(sends), 30_000, 'every send to settle after the clients moved over');
    assert.equal(acked.size, 300, 'every send was eventually acknowledged (re-sent on the survivor)');
    const rows = await pg.sql(
      "SELECT count(*) || ',' || count(DISTINCT cid) || ',' || max(\"offset\") FROM parley_messages WHERE room = 'crash'",
      'parley',
    );
    assert.equal(rows, '300,300,300', 'each message stored once, offsets without holes');
    survivor.child.kill('SIGTERM');
  });
});
