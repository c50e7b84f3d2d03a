/** Abuse limits trigger, answer with their documented error or close code, and recover. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { PLAIN_SOCKETS_PER_ADDRESS } from '../../src/compose.js';
import { CloseCodes } from '../../src/protocol/close-codes.js';
import { startNode } from '../helpers/nodes.js';
import { type ServerProcess, startInstanceGroup } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { rawHttp } from '../helpers/raw-http.js';
import { waitUntil, within } from '../helpers/wait.js';

/** Opens a raw socket and reports the HTTP status of a refused upgrade, or 101. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}?name=x`, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('error', () => resolve(-1));
  });
}

/**
 * A ping after commands that were charged `charged` bytes of a `rate` budget (a burst of eight seconds' worth) since
 * `first`: it is answered, and only once the debt beyond the burst is paid.
 */
async function heldBack(client: RawClient, first: number, charged: number, rate: number): Promise<void> {
  assert.equal((await client.request({ type: 'ping' })).type, 'pong');
  const debtMs = ((charged - rate * 8) / rate) * 1000;
  assert.ok(debtMs > 1000, `the reads spend well beyond the burst (${charged} bytes)`);
  const took = performance.now() - first;
  assert.ok(
    took >= debtMs - 250,
    `the commands and the ping took ${Math.round(took)} ms of ${Math.round(debtMs)}`,
  );
}

describe('limits on one instance', () => {
  it('rate-limits commands per connection, then recovers', async () => {
    const node = await startNode({ commandsPerSec: 10 });
    const client = await RawClient.connect(node.wsUrl, { name: 'Busy' });
    const replies = await Promise.all(Array.from({ length: 40 }, () => client.request({ type: 'ping' })));
    const limited = replies.filter((r) => r.code === 'rate_limited');
    assert.ok(limited.length >= 15, `${limited.length} of 40 refused (burst 20)`);
    assert.equal(limited[0]?.temporary, true);
    assert.match(String(limited[0]?.message), /retry in \d+ ms/);
    await waitUntil(
      async () => (await client.request({ type: 'ping' })).type === 'pong',
      5000,
      'the bucket to refill',
    );
    client.close();
  });

  it('rate-limits searches per connection (a burst of a third of the rate a minute), then recovers', async () => {
    const node = await startNode({ store: 'memory', searchesPerMin: 30 });
    const client = await RawClient.connect(node.wsUrl, { name: 'Seeker' });
    await client.request({ type: 'join', room: 'sought' });
    const replies: Frame[] = [];
    for (let i = 0; i < 12; i += 1) replies.push(await client.request({ type: 'search', query: 'anything' }));
    assert.deepEqual(
      replies.map((r) => r.type === 'search' || r.code),
      [...Array.from({ length: 10 }, () => true), 'rate_limited', 'rate_limited'],
      'a burst of 10',
    );
    assert.equal(replies[10]?.temporary, true);
    assert.match(String(replies[10]?.message), /^too many searches: retry in \d+ ms$/);
    assert.equal((await client.request({ type: 'ping' })).type, 'pong', 'other commands go on');
    await waitUntil(
      async () => (await client.request({ type: 'search', query: 'anything' })).type === 'search',
      5000,
      'a search a second again',
    );
    client.close();
  });

  it('rate-limits room lists per connection (a burst of a third of the rate a minute), then recovers', async () => {
    const node = await startNode({ store: 'memory', roomListsPerMin: 15 });
    const client = await RawClient.connect(node.wsUrl, { name: 'Lister' });
    const replies: Frame[] = [];
    for (let i = 0; i < 7; i += 1) replies.push(await client.request({ type: 'rooms' }));
    assert.deepEqual(
      replies.map((r) => r.type === 'rooms' || r.code),
      [...Array.from({ length: 5 }, () => true), 'rate_limited', 'rate_limited'],
      'a burst of 5',
    );
    assert.equal(replies[5]?.temporary, true);
    assert.match(String(replies[5]?.message), /^too many room lists: retry in \d+ ms$/);
    assert.equal(
      (await client.request({ type: 'search', query: 'x' })).type,
      'search',
      'searches have their own',
    );
    const other = await RawClient.connect(node.wsUrl, { name: 'Lister' });
    assert.equal((await other.request({ type: 'rooms' })).type, 'rooms', 'per connection');
    await waitUntil(
      async () => (await client.request({ type: 'rooms' })).type === 'rooms',
      6000,
      'a list every four seconds again',
    );
    client.close();
    other.close();
  });

  it('lets only admins and owners mention all of a room above --room-mention-max-members', async () => {
    const node = await startNode({ store: 'memory', roomMentionMaxMembers: 2 });
    const as = (user: string) => RawClient.connect(node.wsUrl, { name: user, user });
    const [owner, member, third] = await Promise.all([as('owner'), as('member'), as('third')]);
    assert.equal(
      (owner.welcome?.limits as { roomMentionMaxMembers?: number } | undefined)?.roomMentionMaxMembers,
      2,
      'announced',
    );
    await owner.request({ type: 'create_room', name: 'Hall', id: 'hall' });
    for (const client of [owner, member]) await client.request({ type: 'join', room: 'hall' });
    const everyone = (client: RawClient, cid: string) =>
      client.request({ type: 'send', room: 'hall', text: '@room hi', cid, mentionsRoom: true });
    assert.equal((await everyone(member, 'm1')).type, 'sent', 'two members: anyone may');
    await third.request({ type: 'join', room: 'hall' });
    const refused = await everyone(member, 'm2');
    assert.deepEqual(
      [refused.code, refused.message],
      ['forbidden', "only the room's admins and owners may mention all of its 3 members"],
    );
    assert.equal((await everyone(owner, 'o1')).type, 'sent', 'its owner may');
    for (const client of [owner, member, third]) client.close();
  });

  it("holds back a user's next command while their replies are over --reply-bytes-per-sec; others go on", async () => {
    const rate = 100_000;
    const node = await startNode({ store: 'memory', replyBytesPerSec: rate, historySize: 200 });
    const writer = await RawClient.connect(node.wsUrl, { name: 'Writer', user: 'writer' });
    const reader = await RawClient.connect(node.wsUrl, { name: 'Reader', user: 'reader' });
    const device = await RawClient.connect(node.wsUrl, { name: 'Reader', user: 'reader' });
    const other = await RawClient.connect(node.wsUrl, { name: 'Other', user: 'other' });
    after(() => {
      for (const client of [writer, reader, device, other]) client.close();
    });
    await writer.request({ type: 'join', room: 'big' });
    const text = 'x'.repeat(3900);
    for (let i = 0; i < 80; i += 1) await writer.request({ type: 'send', room: 'big', text, cid: `w${i}` });
    for (const client of [reader, device]) await client.request({ type: 'join', room: 'big' });
    // Each page is cut to --reply-max-bytes (256 KiB): five of them spend the burst (8 seconds' worth, 800 KB) and
    // put the reader in debt; from then on each next command waits until the debt is paid, at the rate. The pages
    // go to two connections of the reader in turn: the budget is the user's (each alone would stay within a burst).
    const first = performance.now();
    let spent = 0;
    for (let i = 0; i < 5; i += 1) {
      const client = i % 2 === 0 ? reader : device;
      spent += Buffer.byteLength(JSON.stringify(await client.request({ type: 'history', room: 'big' })));
    }
    assert.ok(spent > rate * 8 + 100_000, `the pages spend more than the burst (${spent} bytes)`);
    const debtMs = ((spent - rate * 8) / rate) * 1000;
    const started = performance.now();
    // The last page was the first connection's: the second one's next command waits too.
    await device.request({ type: 'ping' });
    const pinged = device.request({ type: 'ping' });
    // Another user is not held back meanwhile.
    assert.equal((await other.request({ type: 'ping' })).type, 'pong');
    assert.ok(performance.now() - started < debtMs / 2, 'the other user is answered at once');
    assert.equal((await pinged).type, 'pong', 'held back, not refused');
    // The pages and the ping took at least the time the budget needs to pay for what the pages spent beyond it.
    const took = performance.now() - first;
    assert.ok(
      took >= debtMs - 250,
      `the pages and the ping took ${Math.round(took)} ms of ${Math.round(debtMs)}`,
    );
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    assert.match(metrics, /^parley_reply_budget_waits_total [1-9]/m);
  });

  it('charges a presence page that read its room whole as if it answered every user', async () => {
    const rate = 2_000;
    const node = await startNode({ store: 'memory', replyBytesPerSec: rate });
    const crowd = await Promise.all(
      Array.from({ length: 30 }, (_, i) => RawClient.connect(node.wsUrl, { name: `C${i}`, user: `c${i}` })),
    );
    const reader = await RawClient.connect(node.wsUrl, { name: 'Reader', user: 'reader' });
    const churn = await RawClient.connect(node.wsUrl, { name: 'Churn', user: 'churn' });
    after(() => {
      for (const client of [...crowd, reader, churn]) client.close();
    });
    for (const client of [...crowd, reader]) await client.request({ type: 'join', room: 'crowd' });
    // Each page comes after a join and a leave, so it reads the room's 31 users anew: 1,550 bytes of the budget,
    // for a reply of ~150. Twelve of them spend more than the burst (16,000) on reads the replies alone never would.
    const first = performance.now();
    let charged = 0;
    for (let i = 0; i < 12; i += 1) {
      await churn.request({ type: 'join', room: 'crowd' });
      await churn.request({ type: 'leave', room: 'crowd' });
      const page = await reader.request({ type: 'presence', room: 'crowd', limit: 1 });
      charged += Buffer.byteLength(JSON.stringify(page)) + 50 * (page.count as number);
    }
    await heldBack(reader, first, charged, rate);
  });

  it('charges a pins answer a store read for each pinned message, whatever the size of its reply', async () => {
    const rate = 20_000;
    const node = await startNode({ store: 'memory', replyBytesPerSec: rate });
    const reader = await RawClient.connect(node.wsUrl, { name: 'Pinner', user: 'pinner' });
    after(() => reader.close());
    await reader.request({ type: 'create_room', name: 'Pinned', id: 'pinned' });
    await reader.request({ type: 'join', room: 'pinned' });
    for (let i = 0; i < 10; i += 1) {
      const sent = await reader.request({ type: 'send', room: 'pinned', text: `n${i}`, cid: `n${i}` });
      await reader.request({ type: 'pin', room: 'pinned', offset: sent.offset as number });
    }
    // Each answer reads ten messages: 40,960 bytes of the budget, for a reply of ~2,500. Six of them spend more
    // than the burst (160,000) on reads the replies alone never would.
    const first = performance.now();
    let charged = 0;
    for (let i = 0; i < 6; i += 1) {
      const page = await reader.request({ type: 'pins', room: 'pinned' });
      charged += Buffer.byteLength(JSON.stringify(page)) + 4096 * (page.pins as unknown[]).length;
    }
    await heldBack(reader, first, charged, rate);
  });

  it('limits connections per user and per address with 4029, and frees them on close', async () => {
    const node = await startNode({ maxConnectionsPerUser: 2, maxConnectionsPerIp: 4 });
    const a1 = await RawClient.connect(node.wsUrl, { name: 'A', user: 'a' });
    const a2 = await RawClient.connect(node.wsUrl, { name: 'A', user: 'a' });
    const a3 = await RawClient.connect(node.wsUrl, { name: 'A', user: 'a' });
    assert.equal(a3.welcome, undefined);
    assert.equal((await a3.waitClosed()).code, CloseCodes.too_many_connections);
    a1.close();
    await a1.waitClosed();
    await waitUntil(
      async () => {
        const again = await RawClient.connect(node.wsUrl, { name: 'A', user: 'a' });
        if (again.welcome) again.close();
        return again.welcome !== undefined;
      },
      5000,
      'a freed slot',
    );
    // a2 is open; three more users fill the address's four connections, a fifth is refused.
    const others = [];
    for (const user of ['b', 'c', 'd'])
      others.push(await RawClient.connect(node.wsUrl, { name: user, user }));
    assert.ok(others.every((o) => o.welcome));
    const e = await RawClient.connect(node.wsUrl, { name: 'E', user: 'e' });
    assert.equal((await e.waitClosed()).code, CloseCodes.too_many_connections, 'per address: 4 at most');
    for (const x of [a2, ...others]) x.close();
  });

  it('caps the plain TCP connections of an address at its WebSocket limit plus the margin', async () => {
    // A minute before silent sockets are cut: the held ones stay for the whole test however slow the host.
    const node = await startNode({ maxConnectionsPerIp: 2, handshakeTimeoutMs: 60_000 });
    const held: Socket[] = [];
    after(() => {
      for (const socket of held) socket.destroy();
    });
    // Connections that send nothing yet (each could be a request's headers arriving slowly).
    for (let i = 0; i < 2 + PLAIN_SOCKETS_PER_ADDRESS; i += 1) {
      const socket = connect(node.port, '127.0.0.1');
      socket.on('error', () => {});
      await within(once(socket, 'connect'), 5000, 'a held connection');
      held.push(socket);
    }
    const over = await rawHttp(node.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.deepEqual([over.status, over.closedByServer], [undefined, true], 'closed at once, unanswered');
    (held.shift() as Socket).destroy();
    await waitUntil(
      async () => (await rawHttp(node.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'])).status === 200,
      5000,
      'a freed slot',
    );
  });

  it('limits handshakes per address with HTTP 429', async () => {
    const node = await startNode({ handshakesPerIpPerSec: 2 });
    const statuses = await Promise.all(Array.from({ length: 10 }, () => upgradeStatus(node.wsUrl)));
    assert.ok(statuses.filter((s) => s === 101).length <= 5, statuses.join());
    assert.ok(statuses.includes(429), statuses.join());
  });

  it('closes connections that stay in no room with 4008', async () => {
    const node = await startNode({ idleTimeoutMs: 300 });
    const idle = await RawClient.connect(node.wsUrl, { name: 'Idle' });
    const busy = await RawClient.connect(node.wsUrl, { name: 'Busy' });
    await busy.request({ type: 'join', room: 'here' });
    assert.equal((await idle.waitClosed()).code, CloseCodes.idle);
    assert.equal((await busy.request({ type: 'ping' })).type, 'pong', 'a connection in a room stays');
    busy.close();
  });

  it('accepts browsers only from allowed origins; clients without Origin are not browsers', async () => {
    const node = await startNode({ allowedOrigins: 'https://chat.example.com' });
    assert.equal(await upgradeStatus(node.wsUrl, { origin: 'https://evil.example.com' }), 403);
    assert.equal(await upgradeStatus(node.wsUrl, { origin: 'https://chat.example.com' }), 101);
    assert.equal(await upgradeStatus(node.wsUrl), 101);
  });

  it('protects the API with the admin token', async () => {
    const token = 'admin-token-0123456789';
    const node = await startNode({ adminToken: token });
    assert.equal((await fetch(`${node.url}/api/stats`)).status, 401);
    assert.equal(
      (await fetch(`${node.url}/api/stats`, { headers: { authorization: 'Bearer wrong-token-0123456789' } }))
        .status,
      401,
    );
    assert.equal(
      (await fetch(`${node.url}/api/stats`, { headers: { authorization: `Bearer ${token}` } })).status,
      200,
    );
    assert.equal((await fetch(`${node.url}/api/stats/stream`)).status, 401);
    const stream = await fetch(`${node.url}/api/stats/stream?access_token=${token}`);
    assert.equal(stream.status, 200);
    await stream.body?.cancel();
    // Only the EventSource stream, which cannot send headers, takes the token in its URL.
    assert.equal((await fetch(`${node.url}/api/stats?access_token=${token}`)).status, 401);
    assert.equal((await fetch(`${node.url}/metrics?access_token=${token}`)).status, 401);
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200, 'health stays open for load balancers');
    assert.equal((await fetch(`${node.url}/`)).status, 200, 'the chat stays open');
  });
});

describe('per-user message rate across two instances', async () => {
  const { nodes } = await startInstanceGroup(2, 'rl', ['--user-messages-per-sec', '5']);

  it('holds one budget for a user on both instances, and recovers', async () => {
    const [n0, n1] = nodes as [ServerProcess, ServerProcess];
    const tab0 = await RawClient.connect(n0.wsUrl, { name: 'Spam', user: 'spammer' });
    const tab1 = await RawClient.connect(n1.wsUrl, { name: 'Spam', user: 'spammer' });
    const other = await RawClient.connect(n1.wsUrl, { name: 'Calm', user: 'calm' });
    for (const c of [tab0, tab1, other]) await c.request({ type: 'join', room: 'rate' });
    const started = Date.now();
    const replies: Frame[] = [];
    for (let i = 0; i < 30; i += 1) {
      replies.push(
        await (i % 2 ? tab1 : tab0).request({ type: 'send', room: 'rate', text: `s${i}`, cid: `s${i}` }),
      );
    }
    const elapsed = (Date.now() - started) / 1000;
    const accepted = replies.filter((r) => r.type === 'sent').length;
    const refused = replies.filter((r) => r.code === 'rate_limited');
    assert.ok(
      accepted <= 10 + Math.ceil(5 * elapsed) + 1,
      `${accepted} accepted in ${elapsed.toFixed(2)} s: burst 10 + 5/s`,
    );
    assert.ok(accepted >= 10, `the burst passes (${accepted})`);
    assert.ok(refused.length > 0 && refused.every((r) => r.temporary === true));
    const calm = await other.request({ type: 'send', room: 'rate', text: 'unaffected', cid: 'calm-1' });
    assert.equal(calm.type, 'sent', 'other users keep their own budget');
    await waitUntil(
      async () =>
        (await tab1.request({ type: 'send', room: 'rate', text: 'later', cid: `later-${Date.now()}` }))
          .type === 'sent',
      5000,
      'the budget to refill',
    );
    for (const c of [tab0, tab1, other]) c.close();
  });
});
