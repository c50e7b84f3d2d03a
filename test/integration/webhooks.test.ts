/**
 * Incoming webhooks on one instance with the memory store; a webhook's own message rate; the server API's
 * endpoints; a server that keeps no rooms.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { webhooksSuite } from '../helpers/webhooks-suite.js';

webhooksSuite('memory store', async () => {
  const node = await startNode({ store: 'memory' });
  return { chat: node, post: node };
});

const post = (port: number, path: string, text: string) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });

describe('incoming webhooks: rate, server API, no rooms', () => {
  it("posts at a user's message rate, in a bucket of each webhook's own", async () => {
    const node = await startNode({ store: 'memory', userMessagesPerSec: 1 });
    const owner = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Olga', user: 'olga' });
    after(() => owner.close());
    await owner.request({ type: 'create_room', name: 'Ops', id: 'ops' });
    await owner.request({ type: 'join', room: 'ops' });
    const first = (await owner.request({ type: 'create_webhook', room: 'ops', name: 'One' })).path as string;
    const second = (await owner.request({ type: 'create_webhook', room: 'ops', name: 'Two' })).path as string;
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 20 && !limited; i += 1) {
      const response = await post(node.port, first, `burst ${i}`);
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    assert.ok(limited, `a burst is held back: ${statuses.join(',')}`);
    assert.equal(((await limited.json()) as { error: string }).error, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await post(node.port, second, 'another webhook')).status, 200, 'its own bucket');
    const from = await owner.request({ type: 'send', room: 'ops', text: 'a person', cid: 'p' });
    assert.equal(from.type, 'sent', "nor the owner's");
    // The metrics count what the addresses were sent: the posts made, and every refusal.
    const metrics = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
    const counted = (name: string) => Number(new RegExp(`^parley_${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.deepEqual(
      [counted('webhook_posts_total'), counted('webhook_posts_refused_total')],
      [statuses.filter((s) => s === 200).length + 1, 1],
    );
  });

  it('the server API adds, lists and removes a webhook', async () => {
    const node = await startNode({ store: 'memory', apiToken: 'api-secret-for-webhooks' });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${node.port}/api${path}`, {
        method,
        headers: { authorization: 'Bearer api-secret-for-webhooks', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const room = await api('POST', '/rooms', { name: 'Alerts', id: 'alerts', owner: { id: 'olga' } });
    assert.equal(room.status, 201);
    const made = await api('POST', '/rooms/alerts/webhooks', { name: 'Grafana' });
    assert.equal(made.status, 201);
    const { webhook, path } = (await made.json()) as {
      webhook: { id: string; createdBy: unknown };
      path: string;
    };
    assert.deepEqual(webhook.createdBy, { id: 'system', name: 'System' });
    assert.equal((await post(node.port, path, 'from Grafana')).status, 200);
    const listed = (await (await api('GET', '/rooms/alerts/webhooks')).json()) as { webhooks: unknown[] };
    assert.deepEqual(listed.webhooks, [webhook]);
    assert.equal((await api('POST', '/rooms/alerts/webhooks', { name: '' })).status, 400);
    assert.equal((await api('POST', '/rooms/alerts/webhooks', { name: 'x', extra: 1 })).status, 400);
    assert.equal((await api('DELETE', `/rooms/alerts/webhooks/${webhook.id}`)).status, 200);
    assert.equal((await api('DELETE', `/rooms/alerts/webhooks/${webhook.id}`)).status, 404);
    assert.equal((await post(node.port, path, 'gone')).status, 404);
    const history = (await (await api('GET', '/rooms/alerts/history')).json()) as {
      messages: Array<{ text: string }>;
    };
    assert.deepEqual(history.messages.map((m) => m.text).slice(-3), [
      'System added the webhook Grafana',
      'from Grafana',
      'System removed the webhook Grafana',
    ]);
  });

  it('a server that keeps no rooms (--store redis) has no webhooks', async () => {
    const redis = await RedisServer.start();
    after(() => redis.stop());
    const node = await startNode({ redisUrl: redis.url });
    const response = await post(node.port, '/hooks/abc/def', 'x');
    assert.equal(response.status, 404);
    const client = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'A', user: 'a' });
    after(() => client.close());
    const reply = await client.request({ type: 'webhooks', room: 'lobby' });
    assert.equal(reply.code, 'unsupported');
  });
});
