/**
 * Operations on two in-process nodes sharing a private Redis: Prometheus metrics that move under traffic, the
 * server API (publish to every instance, history, presence, disconnect a user everywhere, tokens) and readiness
 * and Redis metrics when Redis goes away and comes back.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ParleyNode } from '../../src/index.js';
import { randomId } from '../../src/util/ids.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

const ADMIN = 'admin-token-0123456789';
const API = 'api-token-0123456789ab';

/** Reads one sample from a Prometheus text exposition: `name{labels} value`. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  if (!line) throw new Error(`metric ${name}${labels} not exposed`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(node: ParleyNode, token = ADMIN): Promise<string> {
  const response = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
  return response.text();
}

function api(node: ParleyNode, path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== '') headers.authorization = `Bearer ${init.token ?? API}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${node.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

describe('operations', async () => {
  const redis = await RedisServer.start();
  const shared = { redisUrl: redis.url, redisPrefix: `ops${randomId()}`, adminToken: ADMIN, apiToken: API };
  const a = await startNode({ ...shared, nodeId: 'a' });
  const b = await startNode({ ...shared, nodeId: 'b' });
  const clients: RawClient[] = [];
  const connect = async (node: ParleyNode, user: string) => {
    const client = await RawClient.connect(node.wsUrl, { name: user, user });
    clients.push(client);
    return client;
  };

  after(async () => {
    for (const c of clients) c.close();
    await redis.stop();
  });

  it('exposes metrics that move under traffic, behind the admin token', async () => {
    assert.equal((await fetch(`${a.url}/metrics`)).status, 401, 'no token');
    const start = await scrape(a);
    const room = `m-${randomId()}`;
    const alice = await connect(a, 'alice');
    const bob = await connect(a, 'bob');
    const carol = await connect(b, 'carol');
    for (const c of [alice, bob, carol])
      assert.equal((await c.request({ type: 'join', room })).type, 'joined');
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await alice.request({ type: 'send', room, text: `hi ${i}`, cid: `c${i}` })).type, 'sent');
    }
    assert.equal((await alice.request({ type: 'send', room, text: ' ', cid: 'blank' })).type, 'error');
    await waitUntil(() => carol.ofType('message').length === 5, 5000, 'carol to receive 5 messages');
    await waitUntil(() => bob.ofType('message').length === 5, 5000, 'bob to receive 5 messages');

    const text = await scrape(a);
    const grew = (name: string, labels = '') => sample(text, name, labels) - sample(start, name, labels);
    assert.equal(sample(text, 'parley_connections'), 2);
    assert.equal(sample(text, 'parley_users_online'), 2);
    assert.ok(sample(text, 'parley_rooms') >= 1);
    assert.equal(sample(text, 'parley_ready'), 1);
    assert.equal(grew('parley_connections_opened_total'), 2);
    assert.equal(grew('parley_messages_received_total'), 6, 'five sends and one refused');
    assert.equal(grew('parley_messages_published_total'), 5);
    assert.equal(grew('parley_deliveries_total'), 10, 'five messages to alice and bob on this node');
    assert.ok(grew('parley_bytes_out_total') > 10 * 100, 'delivery frames are counted in bytes');
    assert.equal(grew('parley_publish_duration_seconds_count'), 5);
    // The clock is whole milliseconds: five publishes through a local Redis may each take under one, so their sum
    // may be 0 (seen on Node 24); what matters is that it is exposed and a real duration.
    const publishSeconds = sample(text, 'parley_publish_duration_seconds_sum');
    assert.ok(
      Number.isFinite(publishSeconds) && publishSeconds >= 0,
      `publish duration sum ${publishSeconds}`,
    );
    assert.equal(grew('parley_delivery_latency_seconds_count'), 5, 'one observation per message fanned out');
    assert.ok(sample(text, 'parley_broker_received_total') > 0, 'messages came through Redis pub/sub');
    assert.ok(sample(text, 'nodejs_eventloop_lag_seconds') >= 0);
    assert.equal(sample(text, 'parley_redis_command_errors_total'), 0);

    bob.ws.close(1000);
    await bob.waitClosed();
    await waitUntil(
      async () => sample(await scrape(a), 'parley_connections_closed_total', '{code="1000"}') >= 1,
      5000,
      'the closed connection to be counted by its close code',
    );
    assert.equal(sample(await scrape(a), 'parley_connections'), 1);
  });

  it('counts rate-limit rejections', async () => {
    const limited = await startNode({ commandsPerSec: 2, adminToken: ADMIN });
    const client = await connect(limited, 'spammer');
    for (let i = 0; i < 20; i += 1) client.fire({ type: 'ping', ref: i });
    // Every ping gets an answer, a pong or a refusal: count the refusals once all are in.
    await waitUntil(
      () => client.frames.items.filter((f) => typeof f.ref === 'number').length === 20,
      5000,
      'an answer to every ping',
    );
    const refused = client.ofType('error').filter((f) => f.code === 'rate_limited').length;
    assert.ok(refused > 0, 'the burst went over the limit');
    assert.equal(sample(await scrape(limited), 'parley_rate_limited_total'), refused);
  });

  it('publishes a system message through the API to clients on every instance, idempotently', async () => {
    const room = `api-${randomId()}`;
    const here = await connect(a, 'dora');
    const there = await connect(b, 'erik');
    for (const c of [here, there]) assert.equal((await c.request({ type: 'join', room })).type, 'joined');
    const first = await api(a, `/api/rooms/${room}/messages`, {
      method: 'POST',
      body: { text: 'maintenance at 10', cid: 'm1' },
    });
    assert.equal(first.status, 201);
    assert.ok(first.headers.get('x-request-id'));
    const published = (await first.json()) as {
      message: { offset: number; from: { id: string } };
      duplicate: boolean;
    };
    assert.equal(published.duplicate, false);
    assert.deepEqual(published.message.from, { id: 'system', name: 'System' });
    for (const c of [here, there]) {
      const got = await c.frames.find(
        (f) => f.type === 'message' && f.text === 'maintenance at 10',
        5000,
        'the API message',
      );
      assert.equal(got.offset, published.message.offset);
    }
    const retry = await api(b, `/api/rooms/${room}/messages`, {
      method: 'POST',
      body: { text: 'maintenance at 10', cid: 'm1' },
    });
    assert.equal(retry.status, 200);
    assert.equal(((await retry.json()) as { duplicate: boolean }).duplicate, true);
    const bot = await api(b, `/api/rooms/${room}/messages`, {
      method: 'POST',
      body: { text: 'beep', from: { id: 'bot-1', name: 'Deploy bot' } },
    });
    assert.equal(bot.status, 201);

    const history = (await (await api(b, `/api/rooms/${room}/history?limit=10`)).json()) as {
      messages: Array<{ text: string; from: { id: string } }>;
      hasMore: boolean;
      position: { offset: number };
    };
    assert.deepEqual(
      history.messages.map((m) => m.text),
      ['maintenance at 10', 'beep'],
    );
    assert.equal(history.messages[1]?.from.id, 'bot-1');
    assert.equal(history.position.offset, 2);
    assert.equal(history.hasMore, false);
    const older = (await (await api(a, `/api/rooms/${room}/history?before=2&limit=1`)).json()) as {
      messages: Array<{ text: string }>;
    };
    assert.deepEqual(
      older.messages.map((m) => m.text),
      ['maintenance at 10'],
    );
    // `before` with `after`: the messages between them, as the protocol's history command answers.
    const between = (await (await api(a, `/api/rooms/${room}/history?after=0&before=3`)).json()) as {
      messages: Array<{ text: string }>;
    };
    assert.deepEqual(
      between.messages.map((m) => m.text),
      ['maintenance at 10', 'beep'],
    );

    const presence = (await (await api(a, `/api/rooms/${room}/presence`)).json()) as {
      users: Array<{ id: string }>;
    };
    assert.deepEqual(presence.users.map((u) => u.id).sort(), ['dora', 'erik']);
  });

  it('refuses a missing or wrong token, bad input, and is disabled without a token', async () => {
    const path = `/api/rooms/r-${randomId()}/messages`;
    const body = { text: 'x' };
    const missing = await api(a, path, { method: 'POST', body, token: '' });
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { error: string }).error, 'unauthorized');
    assert.equal((await api(a, path, { method: 'POST', body, token: 'wrong-token-0123456789' })).status, 401);
    assert.equal(
      (await api(a, path, { method: 'POST', body, token: ADMIN })).status,
      201,
      'the admin token works too',
    );

    const refusal = async (response: Response) => [
      response.status,
      ((await response.json()) as { error: string }).error,
    ];
    assert.deepEqual(await refusal(await api(a, path, { method: 'POST', body: { text: '  ' } })), [
      400,
      'text_empty',
    ]);
    // An empty text is text_empty, as on the WebSocket, not a schema violation.
    assert.deepEqual(await refusal(await api(a, path, { method: 'POST', body: { text: '' } })), [
      400,
      'text_empty',
    ]);
    // A sender is a user id as tokens give them and a display name under its rule.
    for (const from of [
      { id: 'not an id', name: 'Bot' },
      { id: 'bot', name: 'B\u202Eot' },
      { id: 'bot', name: '  ' },
      { id: 'bot', name: 'x'.repeat(33) },
      { id: 'bot' },
    ]) {
      assert.deepEqual(
        await refusal(await api(a, path, { method: 'POST', body: { text: 'x', from } })),
        [400, 'bad_request'],
        JSON.stringify(from),
      );
    }
    assert.deepEqual(await refusal(await api(a, path, { method: 'POST', body: { text: 'x', extra: 1 } })), [
      400,
      'bad_request',
    ]);
    assert.deepEqual(
      await refusal(await api(a, path, { method: 'POST', body: { text: 'x'.repeat(5000) } })),
      [400, 'text_too_long'],
    );
    assert.deepEqual(await refusal(await api(a, '/api/rooms/_control/messages', { method: 'POST', body })), [
      400,
      'invalid_room',
    ]);
    // Malformed parameters are bad_request, as a wrong field is in the protocol; too large a page is bad_range.
    const historyPath = path.replace('messages', 'history');
    for (const query of [
      'limit=0',
      'limit=abc',
      'limit=-1',
      'limit=1.5',
      'before=x',
      'after=',
      'before=1e3',
    ]) {
      assert.deepEqual(await refusal(await api(a, `${historyPath}?${query}`)), [400, 'bad_request'], query);
    }
    assert.deepEqual(await refusal(await api(a, `${historyPath}?limit=100000`)), [400, 'bad_range']);
    assert.deepEqual(await refusal(await api(a, path.replace('messages', 'nothing'))), [404, 'not_found']);
    // A path that is no endpoint is a 404 for an API token too (not "admin token required"), naming the path; the
    // admin's endpoints still want the admin token.
    const typo = await api(a, '/api/room/lobby/history');
    assert.equal(typo.status, 404);
    assert.match(((await typo.json()) as { message: string }).message, /\/api\/room\/lobby\/history/);
    assert.deepEqual(await refusal(await api(a, '/api/stats')), [401, 'unauthorized']);
    const notJson = await fetch(`${a.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API}`, 'content-type': 'application/json' },
      body: '{"text":',
    });
    assert.deepEqual(await refusal(notJson), [400, 'bad_json']);

    // A sender over its rate gets 429 with the same code as on the WebSocket, and when to retry.
    const strict = await startNode({ userMessagesPerSec: 1, apiToken: API });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i += 1) {
      const response = await api(strict, '/api/rooms/rated/messages', {
        method: 'POST',
        body: { text: `r${i}`, from: { id: 'bot', name: 'Bot' } },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        assert.equal(((await response.json()) as { error: string }).error, 'rate_limited');
      } else await response.body?.cancel();
    }
    assert.ok(statuses.includes(429), statuses.join());
    assert.match(retryAfter ?? '', /^[1-9]\d*$/, 'Retry-After in whole seconds');
    // The API's budget is per room, and not the named sender's: another room takes messages at once, and so does
    // the bot on its own connection.
    const elsewhere = await api(strict, '/api/rooms/other-room/messages', {
      method: 'POST',
      body: { text: 'elsewhere', from: { id: 'bot', name: 'Bot' } },
    });
    assert.equal(elsewhere.status, 201);
    await elsewhere.body?.cancel();
    const bot = await RawClient.connect(strict.wsUrl, { name: 'Bot', user: 'bot' });
    await bot.request({ type: 'join', room: 'rated' });
    assert.equal((await bot.request({ type: 'send', room: 'rated', text: 'mine', cid: 'own' })).type, 'sent');
    bot.close();

    const open = await startNode();
    assert.deepEqual(await refusal(await api(open, path, { method: 'POST', body })), [403, 'api_disabled']);
  });

  it('disconnects a user on every instance', async () => {
    const onA = await connect(a, 'mallory');
    const onB = await connect(b, 'mallory');
    const bystander = await connect(b, 'trent');
    const response = await api(a, '/api/users/mallory/disconnect', {
      method: 'POST',
      body: { reason: 'banned' },
    });
    assert.equal(response.status, 202);
    for (const c of [onA, onB]) assert.deepEqual(await c.waitClosed(), { code: 4503, reason: 'banned' });
    assert.equal((await bystander.request({ type: 'ping' })).type, 'pong', 'others stay connected');
  });

  it('is not ready while Redis is down, and counts the reconnects', async () => {
    const ready = async () => (await fetch(`${a.url}/readyz`)).status;
    assert.equal(await ready(), 200);
    await redis.kill();
    await waitUntil(async () => (await ready()) === 503, 10_000, 'not ready without Redis');
    assert.equal((await fetch(`${a.url}/healthz`)).status, 200, 'alive all the same');
    assert.equal(sample(await scrape(a), 'parley_ready'), 0);
    await redis.restart();
    await waitUntil(async () => (await ready()) === 200, 20_000, 'ready again');
    const text = await scrape(a);
    assert.equal(sample(text, 'parley_ready'), 1);
    assert.ok(sample(text, 'parley_redis_reconnects_total') >= 1);
  });
});
