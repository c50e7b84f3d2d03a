/**
 * Chaos: three instances and one Redis; clients keep sending (each message with a client id, retried until
 * acknowledged) while the test drops client connections, kills one instance with SIGKILL and restarts it, and
 * drains another with SIGTERM and restarts it. At the end, every client must have received every acknowledged
 * message exactly once, in offset order, without ever accepting a gap.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type ChatMessage, ParleyClient, ParleyError } from '../../client/index.js';
import { type ServerProcess, spawnServer, startInstanceGroup } from '../helpers/processes.js';
import { waitUntil, within } from '../helpers/wait.js';

const CLIENTS = 9;
const MESSAGES_PER_CLIENT = 120;
/** Pause between one client's sends: spreads the traffic over the whole chaos schedule. */
const SEND_PACE_MS = 15;
const ROOM = 'chaos';

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with the seed it prints. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Member {
  client: ParleyClient;
  received: ChatMessage[];
  resets: number;
  reconnects: number;
  resumed: number;
  socket?: WebSocket;
}

describe('chaos: drops, SIGKILL and SIGTERM while sending', async () => {
  const { nodes, groupArgs } = await startInstanceGroup(3, 'x');
  const seed = Number(process.env.PARLEY_CHAOS_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  console.log(`# chaos seed ${seed} (replay with PARLEY_CHAOS_SEED=${seed})`);

  it('loses and duplicates nothing that was acknowledged', async () => {
    const urls = nodes.map((n) => n.wsUrl);
    const members: Member[] = [];
    after(() => {
      for (const m of members) m.client.close();
    });
    for (let i = 0; i < CLIENTS; i += 1) {
      const member: Member = {
        client: undefined as unknown as ParleyClient,
        received: [],
        resets: 0,
        reconnects: 0,
        resumed: 0,
      };
      member.client = new ParleyClient({
        // Each client starts on its own instance and moves on to the next one when it loses it.
        url: [...urls.slice(i % 3), ...urls.slice(0, i % 3)],
        name: `c${i}`,
        userId: `c${i}`,
        webSocket: (url) => {
          const socket = new WebSocket(url);
          member.socket = socket;
          return socket;
        },
        reconnect: { minDelayMs: 50, maxDelayMs: 500 },
        requestTimeoutMs: 20_000,
      });
      member.client.on('message', (m) => member.received.push(m));
      member.client.on('reset', () => {
        member.resets += 1;
      });
      member.client.on('state', (state) => {
        if (state.status === 'reconnecting') member.reconnects += 1;
      });
      member.client.on('joined', (joined) => {
        if (joined.recovered === true) member.resumed += 1;
      });
      member.client.connect();
      members.push(member);
    }
    for (const m of members) await m.client.join(ROOM);

    const acked = new Map<string, { id: string; offset: number }>();
    const send = async (member: Member, cid: string) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const ack = await member.client.send(ROOM, `message ${cid}`, cid);
          acked.set(cid, { id: ack.id, offset: ack.offset });
          return;
        } catch (error) {
          // Temporary failures (instance lost mid-request, engine busy): retry with the same client id.
          if (!(error instanceof ParleyError) || !error.temporary || attempt >= 10) throw error;
        }
      }
    };
    const senders = members.map(async (member, i) => {
      for (let k = 0; k < MESSAGES_PER_CLIENT; k += 1) {
        await send(member, `c${i}-${k}`);
        await new Promise((resolve) => setTimeout(resolve, SEND_PACE_MS));
      }
    });

    const timeline: string[] = [];
    const mark = (event: string) => timeline.push(`${acked.size} acked: ${event}`);
    const atAcks = (n: number) => waitUntil(() => acked.size >= n, 60_000, `${n} acknowledged messages`);
    const pick = () => Math.floor(random() * CLIENTS);
    const chaos = (async () => {
      await atAcks(100);
      for (let i = 0; i < 3; i += 1) members[pick()]?.socket?.terminate();
      mark('3 client connections dropped');
      await atAcks(200);
      const killed = nodes[1] as ServerProcess;
      killed.child.kill('SIGKILL');
      await within(killed.exited, 20_000, 'the instance to exit');
      mark('instance x1 killed (SIGKILL)');
      await atAcks(300);
      nodes[1] = await spawnServer([...groupArgs, '--node-id', 'x1'], { port: killed.port });
      mark('instance x1 restarted');
      await atAcks(450);
      const drained = nodes[2] as ServerProcess;
      drained.child.kill('SIGTERM');
      mark('instance x2 draining (SIGTERM)');
      assert.equal(await within(drained.exited, 20_000, 'drained instance to exit'), 0);
      mark('instance x2 exited');
      await atAcks(600);
      nodes[2] = await spawnServer([...groupArgs, '--node-id', 'x2'], { port: drained.port });
      mark('instance x2 restarted');
      await atAcks(800);
      for (let i = 0; i < 3; i += 1) members[pick()]?.socket?.terminate();
      mark('3 client connections dropped');
    })();

    await within(Promise.all([...senders, chaos]), 120_000, 'senders and chaos to finish');
    mark('all sent');
    console.log(`# chaos timeline:\n#   ${timeline.join('\n#   ')}`);
    assert.equal(acked.size, CLIENTS * MESSAGES_PER_CLIENT);
    assert.ok(timeline.at(-2)?.includes('dropped'), 'the chaos ran while messages were being sent');
    const reconnects = members.reduce((sum, m) => sum + m.reconnects, 0);
    const resumed = members.reduce((sum, m) => sum + m.resumed, 0);
    console.log(`# ${reconnects} reconnects, ${resumed} resumed joins`);
    assert.ok(reconnects >= 6 && resumed >= 6, 'clients were disconnected and resumed');
    const total = acked.size;
    await waitUntil(
      () => members.every((m) => m.received.length >= total),
      30_000,
      'every client to receive every acknowledged message',
    );
    const offsets = [...acked.values()].map((a) => a.offset).sort((a, b) => a - b);
    assert.deepEqual(
      offsets,
      Array.from({ length: total }, (_, i) => i + 1),
      'one offset per acknowledged message: no duplicate was published',
    );
    for (const [i, m] of members.entries()) {
      assert.equal(m.resets, 0, `client ${i} never had to accept a loss`);
      assert.deepEqual(
        m.received.map((r) => r.offset),
        offsets,
        `client ${i}: every message once, in offset order, no gap`,
      );
      assert.equal(new Set(m.received.map((r) => r.epoch)).size, 1);
      const ids = new Set(m.received.map((r) => r.id));
      for (const [cid, ack] of acked) assert.ok(ids.has(ack.id), `client ${i} missed ${cid}`);
    }
  });
});
