import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import { RawWebSocket } from '../../bench/load/raw-websocket.js';
import { Collector, within } from '../helpers/wait.js';

/** A frame larger than the client's shared 64 KiB read buffer: it arrives over several reads. */
const BIG = 200 * 1024;

describe("the load tool's raw WebSocket client", () => {
  let server: WebSocketServer;
  let url: string;
  /** The server side of each client, in connection order. */
  const peers: WebSocket[] = [];
  /** What each new connection is sent at once, in the turn of its upgrade (most likely in the 101's read). */
  let greeting: string | undefined;

  before(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (ws) => {
      peers.push(ws);
      if (greeting !== undefined) ws.send(greeting);
    });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(async () => {
    for (const ws of server.clients) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  /**
   * Opens a client and collects the text of every message it is handed (the payload is a view of the shared read
   * buffer: copied at once). The handler is set right after the open resolves, as the drivers do; the handshake's
   * own timeout bounds the wait.
   */
  async function open(): Promise<{ client: RawWebSocket; messages: Collector<string> }> {
    const client = await RawWebSocket.open(url, { timeoutMs: 5_000 });
    const messages = new Collector<string>();
    client.onMessage = (payload) => messages.push(payload.toString());
    return { client, messages };
  }

  it('hands over a frame sent with the 101 response, after the caller set its handler', async () => {
    greeting = 'welcome';
    try {
      const { client, messages } = await open();
      assert.deepEqual(await messages.count(1, 5_000), ['welcome']);
      client.terminate();
    } finally {
      greeting = undefined;
    }
  });

  it('reads frames larger than its read buffer, two connections at once, each intact', async () => {
    const first = await open();
    const second = await open();
    const [toFirst, toSecond] = peers.slice(-2) as [WebSocket, WebSocket];
    // Distinct contents: a byte of one connection's frame left in the shared buffer would show in the other's.
    const a = `${'a'.repeat(BIG - 1)}1`;
    const b = `${'b'.repeat(BIG - 1)}2`;
    toFirst.send(a);
    toSecond.send(b);
    const [[gotA], [gotB]] = await Promise.all([
      first.messages.count(1, 5_000),
      second.messages.count(1, 5_000),
    ]);
    assert.equal(gotA?.length, BIG);
    assert.equal(gotA, a);
    assert.equal(gotB, b);
    first.client.terminate();
    second.client.terminate();
  });

  it('sends masked text frames the server accepts, and answers a ping with its payload', async () => {
    const { client } = await open();
    const peer = peers.at(-1) as WebSocket;
    const text = within(
      new Promise<string>((resolve) => peer.once('message', (data) => resolve(String(data)))),
      5_000,
      'the text frame',
    );
    client.send('héllo'.repeat(40));
    assert.equal(await text, 'héllo'.repeat(40));
    const pong = within(
      new Promise<string>((resolve) => peer.once('pong', (data) => resolve(String(data)))),
      5_000,
      'the pong',
    );
    peer.ping('are you there');
    assert.equal(await pong, 'are you there');
    client.terminate();
  });
});
