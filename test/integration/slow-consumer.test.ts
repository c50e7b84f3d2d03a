import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCodes } from '../../src/protocol/close-codes.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitUntil } from '../helpers/wait.js';

describe('slow consumer', () => {
  it('closes a client that stops reading with 4003 while the others receive everything', async () => {
    const node = await startNode({
      sendQueueMaxBytes: 256 * 1024,
      writeHighWaterBytes: 32 * 1024,
      closeTimeoutMs: 20_000,
      maxTextLength: 2000,
    });
    const publisher = await RawClient.connect(node.wsUrl, { name: 'Pub' });
    const reader = await RawClient.connect(node.wsUrl, { name: 'Reader' });
    const stuck = await RawClient.connect(node.wsUrl, { name: 'Stuck' });
    for (const c of [publisher, reader, stuck]) await c.request({ type: 'join', room: 'flood' });
    stuck.ws.pause(); // stops reading: the socket buffers, then the server queue, fill up

    const text = 'x'.repeat(1900);
    let sent = 0;
    // Publish until the server gives up on the stuck client (bounded: at most 40 MB of messages).
    while (node.hub.counters.slowConsumers === 0 && sent < 20_000) {
      const batch = [];
      for (let i = 0; i < 100; i += 1) {
        sent += 1;
        batch.push(publisher.request({ type: 'send', room: 'flood', text, cid: `c${sent}` }));
      }
      await Promise.all(batch);
    }
    assert.equal(node.hub.counters.slowConsumers, 1, `closed after ${sent} messages`);
    for (let i = 0; i < 50; i += 1) {
      sent += 1;
      await publisher.request({ type: 'send', room: 'flood', text: `tail ${i}`, cid: `c${sent}` });
    }
    await waitUntil(() => reader.ofType('message').length === sent, 20_000, 'reader to receive everything');
    const offsets = reader.ofType('message').map((m) => m.offset as number);
    assert.deepEqual(
      offsets,
      Array.from({ length: sent }, (_, i) => i + 1),
    );
    stuck.ws.resume();
    const closed = await stuck.waitClosed(20_000);
    assert.equal(closed.code, CloseCodes.slow_consumer);
    assert.equal(closed.reason, 'slow consumer');
    assert.ok(stuck.ofType('message').length < sent, 'the stuck client got only part of the flood');
    publisher.close();
    reader.close();
  });
});
