/**
 * What operators see of a cluster: every instance's connections a page at a time (searchable, answered by each
 * node from its own index, nothing per connection in Redis), the online users through the server API, and the
 * live event feed (messages, joins, leaves, disconnects; filtered by room; texts only behind the admin token).
 * Two instances sharing a private Redis.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ConnectionRecord as Listed } from '../../src/cluster/operator-views.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { Collector } from '../helpers/wait.js';

const ADMIN = 'admin-token-0123456789';

/** Reads a server-sent event stream into a collector of `events` payloads. */
async function watch(
  url: string,
  token: string,
): Promise<{ events: Collector<Record<string, unknown>>; stop: () => void }> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  assert.equal(response.status, 200);
  const events = new Collector<Record<string, unknown>>();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (block.includes('event: events') && data) {
            for (const event of (JSON.parse(data) as { events: Array<Record<string, unknown>> }).events)
              events.push(event);
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted.
    }
  })();
  return { events, stop: () => abort.abort() };
}

describe('operator views of a two-instance cluster', async () => {
  const redis = await RedisServer.start();
  after(() => redis.stop());
  const [a, b] = [
    await startNode({ redisUrl: redis.url, nodeId: 'ops-a', adminToken: ADMIN, statsIntervalMs: 200 }),
    await startNode({ redisUrl: redis.url, nodeId: 'ops-b', adminToken: ADMIN, statsIntervalMs: 200 }),
  ];
  const clients: RawClient[] = [];
  after(() => {
    for (const client of clients) client.close();
  });
  // 24 users, alternating instances; Zoe twice, once on each.
  for (let i = 0; i < 24; i += 1) {
    const name = `user-${String(i).padStart(2, '0')}`;
    const client = await RawClient.connect((i % 2 ? b : a).wsUrl, { name, user: `u${i}` });
    await client.request({ type: 'join', room: i < 12 ? 'low' : 'high' });
    clients.push(client);
  }
  for (const node of [a, b]) clients.push(await RawClient.connect(node.wsUrl, { name: 'Zoe', user: 'zoe' }));
  const get = async (node: typeof a, path: string) => {
    const response = await fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('pages through every instance’s connections by name, without gaps or repeats', async () => {
    // Both instances must be in the registry's view before the question counts its answers.
    const seen: Listed[] = [];
    let after: string | undefined;
    let total = 0;
    for (let guard = 0; guard < 10; guard += 1) {
      const page = await get(
        a,
        `/api/connections?limit=7${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      );
      assert.equal(page.status, 200);
      assert.equal(page.body.missingNodes, 0);
      const listed = page.body.connections as Listed[];
      assert.ok(listed.length <= 7);
      seen.push(...listed);
      total = page.body.total as number;
      after = page.body.next as string | undefined;
      if (!after) break;
    }
    assert.equal(total, 26);
    assert.equal(seen.length, 26);
    assert.equal(new Set(seen.map((c) => c.conn)).size, 26, 'no connection twice');
    const names = seen.map((c) => c.user.name.toLowerCase());
    assert.deepEqual(names, [...names].sort(), 'by name');
    assert.deepEqual(new Set(seen.map((c) => c.node)), new Set(['ops-a', 'ops-b']));
    const first = seen[0] as Listed;
    assert.deepEqual(first.rooms, ['low']);
    assert.equal(first.address, '127.0.0.1');
    assert.ok(first.since > 0);
  });

  it('finds connections by the beginning of a name, on every instance', async () => {
    const page = await get(b, '/api/connections?search=USER-1&limit=100');
    const names = (page.body.connections as Listed[]).map((c) => c.user.name);
    assert.deepEqual(names, [
      'user-10',
      'user-11',
      'user-12',
      'user-13',
      'user-14',
      'user-15',
      'user-16',
      'user-17',
      'user-18',
      'user-19',
    ]);
    assert.equal(page.body.total, 10);
    assert.equal((await get(a, '/api/connections?limit=0')).status, 400);
    assert.equal((await fetch(`${a.url}/api/connections`)).status, 401, 'behind the admin token');
  });

  it('lists who is online through the server API, one entry per user with each connection', async () => {
    const page = await get(a, '/api/users?search=zoe');
    const users = page.body.users as Array<{ user: { id: string }; connections: Array<{ node: string }> }>;
    assert.equal(users.length, 1);
    assert.equal(users[0]?.user.id, 'zoe');
    assert.deepEqual(users[0]?.connections.map((c) => c.node).sort(), ['ops-a', 'ops-b']);
  });

  it('streams live events of every instance, filtered by room, with texts behind the admin token', async () => {
    const everything = await watch(`${a.url}/api/events/stream`, ADMIN);
    const lowOnly = await watch(`${a.url}/api/events/stream?room=low`, ADMIN);
    after(() => {
      everything.stop();
      lowOnly.stop();
    });
    assert.equal((await fetch(`${a.url}/api/events/stream`)).status, 401);
    // Instance B starts recording once the watchers' heartbeat reached it through Redis: send until its first
    // message event arrives.
    const sender = clients[1] as RawClient; // user-01, on B, in 'low'
    const other = clients[13] as RawClient; // user-13, on B, in 'high'
    let message: Record<string, unknown> | undefined;
    for (let n = 1; !message && n <= 30; n += 1) {
      await sender.request({ type: 'send', room: 'low', text: `hello ${n}`, cid: `c${n}` });
      message = await everything.events.find((e) => e.type === 'message', 1000).catch(() => undefined);
    }
    assert.ok(message, 'a message event within 30 sends');
    assert.equal(message.room, 'low');
    assert.equal(message.node, 'ops-b');
    assert.deepEqual(message.user, { id: 'u1', name: 'user-01' });
    assert.match(message.text as string, /^hello \d+$/);
    assert.equal(message.size, (message.text as string).length);
    await other.request({ type: 'send', room: 'high', text: 'elsewhere', cid: 'e1' });
    await everything.events.find((e) => e.type === 'message' && e.room === 'high');
    // A message published through the server API (the dashboard's "System message") is in the feed too.
    const posted = await fetch(`${a.url}/api/rooms/low/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'maintenance at noon' }),
    });
    assert.equal(posted.status, 201);
    const system = await lowOnly.events.find((e) => e.type === 'message' && e.text === 'maintenance at noon');
    assert.deepEqual([system.user, system.node], [{ id: 'system', name: 'System' }, 'ops-a']);
    const joiner = await RawClient.connect(a.wsUrl, { name: 'Late', user: 'late' });
    await joiner.request({ type: 'join', room: 'low' });
    await lowOnly.events.find((e) => e.type === 'join' && (e.user as { id: string }).id === 'late');
    joiner.close();
    await everything.events.find((e) => e.type === 'disconnect' && (e.user as { id: string }).id === 'late');
    assert.ok(
      lowOnly.events.items.every((e) => e.room === 'low'),
      'the room filter leaves out other rooms and events of no room',
    );
  });
});
