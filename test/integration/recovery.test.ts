/** Resume on one node: recovery after a reconnect, the seam between recovered and live messages, limits. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatMessage } from '../../client/index.js';
import { CloseCodes } from '../../src/protocol/close-codes.js';
import { startNode } from '../helpers/nodes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { watchedClient } from '../helpers/sdk.js';
import { waitUntil } from '../helpers/wait.js';

const offsets = (frames: Frame[] | ChatMessage[]) => frames.map((m) => m.offset as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('resume', async () => {
  const node = await startNode({ historySize: 50, recoveryMaxMessages: 40 });
  const clients: RawClient[] = [];
  after(() => {
    for (const c of clients) c.close();
  });
  const connect = async (name: string) => {
    const c = await RawClient.connect(node.wsUrl, { name, user: name.toLowerCase() });
    clients.push(c);
    return c;
  };
  const publish = async (c: RawClient, room: string, n: number, tag: string) => {
    for (let i = 0; i < n; i += 1)
      await c.request({ type: 'send', room, text: `${tag}${i}`, cid: `${tag}${i}` });
  };

  it('recovers exactly the missed messages, then goes on live', async () => {
    const room = 'resume-1';
    const pub = await connect('Pub');
    await pub.request({ type: 'join', room });
    const x = await connect('X');
    const first = await x.request({ type: 'join', room });
    await publish(pub, room, 3, 'a');
    await waitUntil(() => x.ofType('message').length === 3, 5000, 'x to get 3');
    x.close();
    await x.waitClosed();
    await publish(pub, room, 7, 'b');
    const again = await connect('X');
    const epoch = (first.position as { epoch: string }).epoch;
    const joined = await again.request({ type: 'join', room, since: { offset: 3, epoch } });
    assert.equal(joined.recovered, true);
    assert.deepEqual(offsets(joined.messages as Frame[]), range(4, 10));
    assert.deepEqual(joined.position, { offset: 10, epoch });
    await publish(pub, room, 1, 'c');
    const live = await again.frames.find((f) => f.type === 'message');
    assert.equal(live.offset, 11);
  });

  it('says recovered: false when the position is older than the retained history', async () => {
    const room = 'resume-trimmed';
    const pub = await connect('Pub2');
    const joined = await pub.request({ type: 'join', room });
    await publish(pub, room, 60, 't');
    const x = await connect('X2');
    const epoch = (joined.position as { epoch: string }).epoch;
    const reply = await x.request({ type: 'join', room, since: { offset: 2, epoch } });
    assert.equal(reply.recovered, false);
    assert.equal(reply.messages, undefined);
    assert.deepEqual(reply.position, { offset: 60, epoch });
  });

  it('says recovered: false for more missed messages than the recovery limit', async () => {
    const room = 'resume-limit';
    const pub = await connect('Pub3');
    const joined = await pub.request({ type: 'join', room });
    await publish(pub, room, 45, 'l');
    const x = await connect('X3');
    const epoch = (joined.position as { epoch: string }).epoch;
    assert.equal(
      (await x.request({ type: 'join', room, since: { offset: 4, epoch } })).recovered,
      false,
      '41 > 40',
    );
    const y = await connect('Y3');
    const ok = await y.request({ type: 'join', room, since: { offset: 5, epoch } });
    assert.equal(ok.recovered, true, '40 is recoverable');
    assert.equal((ok.messages as Frame[]).length, 40);
  });

  it('says recovered: false for another epoch', async () => {
    const room = 'resume-epoch';
    const x = await connect('X4');
    await x.request({ type: 'join', room: 'elsewhere' });
    const reply = await x.request({ type: 'join', room, since: { offset: 0, epoch: 'not-this-one' } });
    assert.equal(reply.recovered, false);
  });

  it('joins the recovered messages and a burst of live ones without a gap or a duplicate (the seam)', async () => {
    const room = 'seam';
    // Its own node with the default recovery limit: how much of the burst lands before the resume varies.
    const roomy = await startNode();
    const pub = await RawClient.connect(roomy.wsUrl, { name: 'Burst', user: 'burst' });
    after(() => pub.close());
    const joined = await pub.request({ type: 'join', room });
    await publish(pub, room, 20, 's');
    const epoch = (joined.position as { epoch: string }).epoch;
    const x = await RawClient.connect(roomy.wsUrl, { name: 'X5', user: 'x5' });
    after(() => x.close());
    // Fire 300 sends without waiting, and resume from offset 5 in the middle of them.
    for (let i = 0; i < 300; i += 1)
      pub.fire({ type: 'send', ref: 10_000 + i, room, text: `burst${i}`, cid: `burst${i}` });
    const reply = await x.request({ type: 'join', room, since: { offset: 5, epoch } });
    assert.equal(reply.recovered, true);
    await waitUntil(
      () =>
        offsets(reply.messages as Frame[])
          .concat(offsets(x.ofType('message')))
          .at(-1) === 320,
      10_000,
      'x to reach offset 320',
    );
    const seen = offsets(reply.messages as Frame[]).concat(offsets(x.ofType('message')));
    assert.deepEqual(seen, range(6, 320), 'every offset once, in order, across the seam');
  });

  it('fills a range with history after', async () => {
    const room = 'after';
    const c = await connect('After');
    await c.request({ type: 'join', room });
    await publish(c, room, 12, 'h');
    const page = await c.request({ type: 'history', room, after: 3, limit: 4 });
    assert.deepEqual(offsets(page.messages as Frame[]), [4, 5, 6, 7]);
    assert.equal(page.hasMore, true);
    const rest = await c.request({ type: 'history', room, after: 7, limit: 10 });
    assert.deepEqual(offsets(rest.messages as Frame[]), [8, 9, 10, 11, 12]);
    assert.equal(rest.hasMore, false);
  });

  it('SDK: a dropped connection resumes with nothing lost or repeated', async () => {
    const room = 'sdk-resume';
    const roomy = await startNode();
    const make = (name: string) =>
      watchedClient({
        url: roomy.wsUrl,
        name,
        userId: name.toLowerCase(),
        reconnect: { minDelayMs: 20, maxDelayMs: 100 },
      });
    const { client: reader, messages: got, joins, resets } = make('Reader');
    const { client: writer } = make('Writer');
    reader.connect();
    writer.connect();
    await reader.join(room);
    await writer.join(room);
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < 100; i += 1) {
      sends.push(writer.send(room, `w${i}`));
      if (i === 30 || i === 70) {
        // Drop the reader's connection from the server side, mid-stream.
        for (const session of roomy.hub.sessions) {
          if (session.user.id === 'reader') session.close(CloseCodes.internal, 'test drop');
        }
      }
      if (i % 10 === 0) await sends.at(-1);
    }
    await Promise.all(sends);
    await got.count(100, 10_000);
    assert.deepEqual(offsets(got.items), range(1, 100));
    assert.ok(joins.items.filter((j) => j.recovered === true).length >= 1, 'resumed at least once');
    assert.equal(resets.items.length, 0);
  });
});
