/** Heartbeat: silent peers are dropped within two intervals, answering ones stay; pings are spread over the interval. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { startNode } from '../helpers/nodes.js';
import { waitUntil, within } from '../helpers/wait.js';

interface Peer {
  ws: WebSocket;
  pingsAt: number[];
  closed: Promise<number>;
}

async function connect(url: string, name: string, answerPings: boolean): Promise<Peer> {
  const ws = new WebSocket(`${url}?name=${name}`, { autoPong: answerPings });
  const pingsAt: number[] = [];
  ws.on('ping', () => pingsAt.push(Date.now()));
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await within(new Promise((resolve) => ws.once('message', resolve)), 5000, `welcome of ${name}`);
  return { ws, pingsAt, closed };
}

describe('heartbeat', () => {
  it('drops peers that stop answering pings and keeps the others, pinging a slice at a time', async () => {
    const intervalMs = 1000;
    const node = await startNode({ heartbeatIntervalMs: intervalMs });
    const started = Date.now();
    const peers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => connect(node.wsUrl, `p${i}`, i % 2 === 0)),
    );
    const silent = peers.filter((_, i) => i % 2 === 1);
    const answering = peers.filter((_, i) => i % 2 === 0);

    // A silent peer is pinged on its first turn and dropped on its next: within two intervals.
    const codes = await within(
      Promise.all(silent.map((p) => p.closed)),
      intervalMs * 2 + 2000,
      'silent peers to be dropped',
    );
    assert.deepEqual(codes, [1006, 1006, 1006, 1006], 'cut, not closed with a handshake');
    assert.ok(Date.now() - started >= intervalMs, 'not before they had an interval to answer');

    // The answering peers are still there, and pinged once per interval each.
    await waitUntil(
      () => answering.every((p) => p.pingsAt.length >= 2),
      intervalMs * 3 + 2000,
      'two pings to every answering peer',
    );
    for (const peer of answering) {
      assert.equal(peer.ws.readyState, WebSocket.OPEN);
      const [first, second] = peer.pingsAt as [number, number];
      assert.ok(second - first >= intervalMs * 0.75, `pings ${second - first} ms apart`);
    }
    // Dealt round-robin into four slots (250 ms apart), the four answering peers were not all pinged in one turn.
    const firstPings = answering.map((p) => p.pingsAt[0] as number);
    assert.ok(Math.max(...firstPings) - Math.min(...firstPings) >= 100, `first pings at ${firstPings}`);
    for (const peer of answering) peer.ws.close();
  });
});
