/**
 * 200 clients that never read while a room floods: the server's memory stays bounded (per-connection queues are
 * capped and freed), the stuck clients are closed with the slow-consumer code, and the reading clients receive
 * every message, in order.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { CloseCodes } from '../../src/protocol/close-codes.js';
import { spawnServer } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitUntil, within } from '../helpers/wait.js';

const STUCK = 200;
const READERS = 5;
const QUEUE_MAX = 64 * 1024;
const MiB = 1024 * 1024;

describe('slow consumers under load', async () => {
  const server = await spawnServer([
    '--send-queue-max-bytes',
    String(QUEUE_MAX),
    '--write-high-water-bytes',
    String(16 * 1024),
    '--close-timeout-ms',
    '60000',
  ]);

  it(`keeps memory bounded with ${STUCK} clients that never read, and closes them with 4003`, async () => {
    const room = 'flood';
    const stuck: WebSocket[] = [];
    const closes: Array<Promise<number>> = [];
    after(() => {
      for (const ws of stuck) ws.terminate();
    });
    for (let i = 0; i < STUCK; i += 1) {
      const ws = new WebSocket(`${server.wsUrl}?name=stuck${i}&user=stuck${i}`);
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve()); // the welcome
        ws.once('error', reject);
      });
      ws.send(JSON.stringify({ type: 'join', ref: 1, room }));
      await new Promise<void>((resolve) => ws.once('message', () => resolve()));
      ws.pause(); // never reads again: its socket buffers fill, then the server's queue for it
      closes.push(new Promise((resolve) => ws.once('close', (code) => resolve(code))));
      stuck.push(ws);
    }
    const readers = await Promise.all(
      Array.from({ length: READERS }, (_, i) => RawClient.connect(server.wsUrl, { name: `r${i}` })),
    );
    for (const r of readers) await r.request({ type: 'join', room });
    const publisher = await RawClient.connect(server.wsUrl, { name: 'Publisher' });
    await publisher.request({ type: 'join', room });
    const baseline = (await server.stats()).self;

    const text = 'x'.repeat(3900);
    let sent = 0;
    let peakRss = baseline.rssBytes;
    let peakHeap = baseline.heapUsedBytes;
    // Flood until every stuck client was dropped (bounded: at most 20,000 messages of ~4 KB).
    while (sent < 20_000) {
      const batch = [];
      for (let i = 0; i < 100; i += 1) {
        sent += 1;
        batch.push(publisher.request({ type: 'send', room, text, cid: `m${sent}` }, 20_000));
      }
      await Promise.all(batch);
      const stats = (await server.stats()).self;
      peakRss = Math.max(peakRss, stats.rssBytes);
      peakHeap = Math.max(peakHeap, stats.heapUsedBytes);
      if (stats.slowConsumers >= STUCK) break;
    }
    const stats = (await server.stats()).self;
    console.log(
      `# ${sent} messages of 4 KB to ${STUCK + READERS + 1} members: ${stats.slowConsumers} slow consumers closed; ` +
        `RSS ${(baseline.rssBytes / MiB).toFixed(0)} -> peak ${(peakRss / MiB).toFixed(0)} MiB, ` +
        `heap ${(baseline.heapUsedBytes / MiB).toFixed(0)} -> peak ${(peakHeap / MiB).toFixed(0)} MiB`,
    );
    assert.equal(stats.slowConsumers, STUCK, 'every stuck client was closed');
    // Bound: each stuck connection may hold its queue limit plus the socket's high-water mark, and one frame.
    const perConnection = QUEUE_MAX + 16 * 1024 + 8 * 1024;
    const bound = STUCK * perConnection + 64 * MiB;
    assert.ok(
      peakRss - baseline.rssBytes < bound,
      `RSS grew ${((peakRss - baseline.rssBytes) / MiB).toFixed(0)} MiB`,
    );
    await waitUntil(
      () => readers.every((r) => r.ofType('message').length === sent),
      30_000,
      'readers to get everything',
    );
    for (const r of readers) {
      const offsets = r.ofType('message').map((m) => m.offset as number);
      assert.ok(
        offsets.every((o, i) => o === i + 1),
        'in order, nothing lost',
      );
    }
    for (const ws of stuck) ws.resume();
    const codes = await within(Promise.all(closes), 60_000, 'stuck clients to see their close');
    assert.ok(
      codes.every((c) => c === CloseCodes.slow_consumer),
      `close codes ${[...new Set(codes)].join()}`,
    );
    // The same, as Prometheus sees it (the server counts a close when its side of the socket has closed too).
    const metrics = () => fetch(`${server.httpUrl}/metrics`).then((r) => r.text());
    assert.match(await metrics(), new RegExp(`^parley_slow_consumer_closes_total ${STUCK}$`, 'm'));
    await waitUntil(
      async () =>
        new RegExp(`^parley_connections_closed_total\\{code="4003"\\} ${STUCK}$`, 'm').test(await metrics()),
      10_000,
      'every slow-consumer close counted by its close code',
    );
    for (const r of [...readers, publisher]) r.close();
  });
});
