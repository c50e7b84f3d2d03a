/**
 * Replies that carry messages fit the reply budget, so no request can make the server build a frame of megabytes:
 * a room of 1,000 messages of 4,000 control characters (each escapes to 24 KB of JSON, 24 MB in all) is recovered
 * with `recovered: false` and read back in pages that fit, and 20 connections that ask for it and stop reading keep
 * the server's memory within the documented per-connection bound.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { spawnServer } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';

const ROOM = 'heavy';
const MESSAGES = 1000;
const HEAVY_TEXT = '\u0001'.repeat(4000);
const BUDGET = 256 * 1024;
const API_TOKEN = 'reply-memory-api-token';
/** The documented bound of one connection: socket high-water mark + one reply + the send queue (defaults). */
const PER_CONNECTION_BOUND = 64 * 1024 + BUDGET + 1024 * 1024;

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

const frameBytes = (frame: Frame) => Buffer.byteLength(JSON.stringify(frame));

describe('replies within the budget', async () => {
  const server = await spawnServer(['--api-token', API_TOKEN]);
  const pid = server.child.pid as number;
  const clients: RawClient[] = [];
  after(() => {
    for (const c of clients) c.ws.terminate();
  });
  const writer = await RawClient.connect(server.wsUrl, { name: 'Writer' });
  clients.push(writer);
  const joined = await writer.request({ type: 'join', room: ROOM });
  for (let i = 0; i < MESSAGES; i += 1) {
    const sent = await writer.request({ type: 'send', room: ROOM, text: HEAVY_TEXT, cid: `h${i}` });
    assert.equal(sent.type, 'sent');
  }
  const epoch = (joined.position as { epoch: string }).epoch;

  it('answers a recovery too large for one reply with recovered false, and pages every message back', async () => {
    const reader = await RawClient.connect(server.wsUrl, { name: 'Reader' });
    clients.push(reader);
    const reply = await reader.request({ type: 'join', room: ROOM, since: { offset: 0, epoch } });
    assert.equal(reply.type, 'joined');
    assert.equal(reply.recovered, false);
    assert.ok(frameBytes(reply) < BUDGET);
    // Back from the newest: every page fits, and together they hold every offset once.
    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 500; pages += 1) {
      const page = await reader.request({ type: 'history', room: ROOM, ...(before ? { before } : {}) });
      assert.equal(page.type, 'history');
      assert.ok(frameBytes(page) <= BUDGET + 1024, `page of ${frameBytes(page)} bytes`);
      const offsets = (page.messages as Array<{ offset: number }>).map((m) => m.offset);
      assert.ok(offsets.length > 0);
      seen.unshift(...offsets);
      before = offsets[0];
      if (!page.hasMore) break;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: MESSAGES }, (_, i) => i + 1),
    );
    // Forward with `after`: the oldest that fit, and hasMore.
    const forward = await reader.request({ type: 'history', room: ROOM, after: 0 });
    const offsets = (forward.messages as Array<{ offset: number }>).map((m) => m.offset);
    assert.equal(offsets[0], 1);
    assert.equal(forward.hasMore, true);
    // The server API cuts its pages the same way.
    const api = await fetch(`${server.httpUrl}/api/rooms/${ROOM}/history`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const body = await api.text();
    assert.equal(api.status, 200);
    assert.ok(Buffer.byteLength(body) <= BUDGET + 1024, `API page of ${Buffer.byteLength(body)} bytes`);
    assert.equal((JSON.parse(body) as { hasMore: boolean }).hasMore, true);
    reader.close();
  });

  it('keeps 20 connections that ask for it and stop reading within the per-connection bound', async () => {
    const before = rssBytes(pid);
    const stalled: RawClient[] = [];
    for (let i = 0; i < 20; i += 1) {
      const client = await RawClient.connect(server.wsUrl, { name: `Stall${i}` });
      clients.push(client);
      stalled.push(client);
      // Stop reading at the TCP level, but look alive: an unsolicited pong every 500 ms.
      client.ws.pause();
      const pong = setInterval(() => client.ws.pong(), 500);
      client.closed.then(() => clearInterval(pong));
      after(() => clearInterval(pong));
      client.fire({ type: 'join', ref: 1, room: ROOM, since: { offset: 0, epoch } });
      for (let k = 0; k < 10; k += 1)
        client.fire({ type: 'history', ref: 2 + k, room: ROOM, before: 1000 - k * 50 });
    }
    // A measurement window, not a synchronisation: the peak over 3 s, while the server answers 220 requests.
    let peak = before;
    for (let i = 0; i < 30; i += 1) {
      peak = Math.max(peak, rssBytes(pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const growth = peak - before;
    const bound = 20 * PER_CONNECTION_BOUND;
    assert.ok(
      growth < bound + 32 * 1024 * 1024,
      `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MB; 20 connections may hold ${(bound / 2 ** 20).toFixed(1)} MB`,
    );
    assert.equal(server.child.exitCode, null);
    // Nothing the stalled clients did made the server fail to answer others.
    assert.equal((await fetch(`${server.httpUrl}/healthz`)).status, 200);
  });
});
