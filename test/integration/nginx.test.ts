/**
 * The shipped nginx configuration (deploy/nginx/parley.conf) with a real nginx in front of two instances: clients
 * through nginx land on both instances and chat; when one instance drains (SIGTERM), its clients reconnect through
 * nginx to the other and miss nothing, while a publisher keeps sending.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { randomId } from '../../src/util/ids.js';
import { Nginx } from '../helpers/nginx.js';
import { startInstanceGroup } from '../helpers/processes.js';
import { watchedClient } from '../helpers/sdk.js';
import { waitUntil, within } from '../helpers/wait.js';

describe('nginx in front of two instances', async () => {
  const { nodes } = await startInstanceGroup(2, 'ngx', ['--trust-proxy', 'yes']);
  const nginx = await Nginx.start(nodes.map((n) => n.port));
  after(() => nginx.stop());

  const connect = async (name: string) => {
    const watched = watchedClient({ url: nginx.wsUrl, name });
    watched.client.connect();
    const connected = await watched.states.find(
      (s) => s.status === 'connected',
      10_000,
      `${name} to connect`,
    );
    return { ...watched, node: (connected as { node: string }).node };
  };

  it('serves HTTP through nginx and keeps metrics off the balancer', async () => {
    assert.equal((await fetch(`${nginx.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${nginx.url}/readyz`)).status, 200);
    assert.equal((await fetch(`${nginx.url}/metrics`)).status, 404);
    const stats = (await (await fetch(`${nginx.url}/api/stats`)).json()) as { cluster: { nodes: unknown[] } };
    assert.ok(stats.cluster.nodes.length >= 1);
  });

  it('spreads clients over both instances, and a drained instance loses none of them nor any message', async () => {
    const room = `lb-${randomId()}`;
    const members = [];
    // One at a time, so least_conn alternates.
    for (let i = 0; i < 6; i += 1) members.push(await connect(`user${i}`));
    const byNode = new Map<string, number>();
    for (const m of members) byNode.set(m.node, (byNode.get(m.node) ?? 0) + 1);
    assert.deepEqual([...byNode.keys()].sort(), ['ngx0', 'ngx1'], 'clients reach both instances');
    for (const m of members) await m.client.join(room);
    for (const [i, m] of members.entries()) await m.client.send(room, `hello from ${i}`);
    for (const m of members) await waitUntil(() => m.messages.items.length === 6, 10_000, '6 messages');

    // Drain ngx0 while a client of ngx1 keeps publishing.
    const stayer = members.find((m) => m.node === 'ngx1');
    assert.ok(stayer);
    const drained = members.filter((m) => m.node === 'ngx0');
    const total = 6 + 30;
    const publishing = (async () => {
      for (let k = 0; k < 30; k += 1) await stayer.client.send(room, `during drain ${k}`);
    })();
    nodes[0]?.child.kill('SIGTERM');
    for (const m of drained) {
      await m.states.find((s) => s.status === 'reconnecting' && s.code === 4001, 10_000, 'the drain close');
      await m.states.find(
        (s) => s.status === 'connected' && s.node === 'ngx1',
        15_000,
        'reconnection through nginx to the other instance',
      );
    }
    await within(publishing, 20_000, 'the publisher');
    assert.equal(await within(nodes[0]?.exited ?? Promise.resolve(0), 20_000, 'ngx0 to exit'), 0);
    for (const [i, m] of members.entries()) {
      await waitUntil(
        () => m.messages.items.length >= total,
        15_000,
        `member ${i} to have all ${total} messages`,
      ).catch((error: Error) => {
        // Which offsets arrived, on which instance the member ended, and its states: what a rare failure needs.
        const offsets = m.messages.items.map((msg) => msg.offset).join(',');
        const states = m.states.items
          .map((s) => ('node' in s ? `${s.status}@${s.node}` : s.status))
          .join(' ');
        throw new Error(`${error.message} (from ${m.node}; offsets ${offsets}; states ${states})`);
      });
      const offsets = m.messages.items.map((msg) => msg.offset);
      assert.deepEqual(
        offsets,
        Array.from({ length: total }, (_, k) => k + 1),
        `member ${i}: every message once, in order`,
      );
    }
    // Everyone is now on ngx1, and new connections go there too.
    const late = await connect('late');
    assert.equal(late.node, 'ngx1');
  });
});
