/**
 * The scale-out check: 3,000 WebSocket clients spread over three instances (separate processes, one private
 * Redis), 30 rooms of 100 members each with members on every instance. Every message must reach every member
 * of its room exactly once, in offset order, within a bounded time.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type ServerProcess, startInstanceGroup } from '../helpers/processes.js';
import { waitUntil, within } from '../helpers/wait.js';

const CLIENTS = 3000;
const ROOMS = 30;
const PUBLISHERS_PER_ROOM = 5;
const MESSAGES_PER_PUBLISHER = 4;
const PER_ROOM = PUBLISHERS_PER_ROOM * MESSAGES_PER_PUBLISHER;

/** A lean client: counts the offsets of its room's messages, keeps nothing else. */
class LeanClient {
  readonly offsets: number[] = [];
  duplicatesOrDisorder = 0;
  private nextRef = 1;
  private readonly replies = new Map<number, (frame: { type: string }) => void>();

  private constructor(
    readonly ws: WebSocket,
    readonly room: string,
  ) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"message"')) {
        const { offset } = JSON.parse(text) as { offset: number };
        if (offset !== (this.offsets.at(-1) ?? 0) + 1) this.duplicatesOrDisorder += 1;
        this.offsets.push(offset);
        return;
      }
      const ref = /"ref":(\d+)/.exec(text)?.[1];
      if (ref) {
        const resolve = this.replies.get(Number(ref));
        this.replies.delete(Number(ref));
        resolve?.(JSON.parse(text) as { type: string });
      }
    });
    ws.on('error', () => {});
  }

  static async open(url: string, user: string, room: string): Promise<LeanClient> {
    const ws = new WebSocket(`${url}?name=${user}&user=${user}`);
    const client = new LeanClient(ws, room);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  request(command: Record<string, unknown>): Promise<{ type: string }> {
    const ref = this.nextRef++;
    const reply = new Promise<{ type: string }>((resolve) => this.replies.set(ref, resolve));
    this.ws.send(JSON.stringify({ ...command, ref }));
    return within(reply, 30_000, `reply to ${String(command.type)}`);
  }
}

describe(`${CLIENTS} clients over three instances`, async () => {
  const { nodes } = await startInstanceGroup(3, 'm', ['--log-level', 'warn']);

  it('delivers every message to every member, exactly once and in order', async () => {
    const clients: LeanClient[] = [];
    after(() => {
      for (const c of clients) c.ws.terminate();
    });
    const started = Date.now();
    for (let batch = 0; batch < CLIENTS; batch += 250) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(250, CLIENTS - batch) }, (_, k) => {
          const i = batch + k;
          const node = nodes[Math.floor(i / ROOMS) % 3] as ServerProcess;
          return LeanClient.open(node.wsUrl, `u${i}`, `room-${i % ROOMS}`);
        }),
      );
      clients.push(...opened);
      const joins = await Promise.all(opened.map((c) => c.request({ type: 'join', room: c.room })));
      assert.ok(joins.every((j) => j.type === 'joined'));
    }
    const connectedMs = Date.now() - started;

    // Publishers: the first members of each room, which sit on different instances.
    const publishers = clients.slice(0, ROOMS * PUBLISHERS_PER_ROOM);
    const acks = await Promise.all(
      publishers.flatMap((c, p) =>
        Array.from({ length: MESSAGES_PER_PUBLISHER }, (_, k) =>
          c.request({ type: 'send', room: c.room, text: `p${p}-${k}`, cid: `${p}-${k}` }),
        ),
      ),
    );
    assert.ok(acks.every((a) => a.type === 'sent'));
    await waitUntil(
      () => clients.every((c) => c.offsets.length >= PER_ROOM),
      60_000,
      'every member to receive its room’s messages',
    );
    const deliveredMs = Date.now() - started - connectedMs;
    const total = clients.reduce((sum, c) => sum + c.offsets.length, 0);
    assert.equal(total, CLIENTS * PER_ROOM, 'no duplicate deliveries');
    assert.equal(
      clients.reduce((sum, c) => sum + c.duplicatesOrDisorder, 0),
      0,
      'offsets contiguous from 1 for every member',
    );
    const stats = await (nodes[0] as ServerProcess).stats();
    await waitUntil(
      async () => (await (nodes[1] as ServerProcess).stats()).cluster.totals.connections === CLIENTS,
      5000,
      'cluster stats to count every connection',
    );
    console.log(
      `# ${CLIENTS} clients connected and joined in ${connectedMs} ms; ${total} deliveries in ${deliveredMs} ms; ` +
        `cluster sees ${stats.cluster.totals.usersOnline} users`,
    );
  });
});
