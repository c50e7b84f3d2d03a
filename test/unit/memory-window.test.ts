import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBroker } from '../../src/broker/memory-broker.js';
import type { ChatMessage } from '../../src/engine/types.js';
import { MemoryWindow } from '../../src/log/memory-window.js';

const message = (offset: number): ChatMessage => ({
  room: 'r',
  id: `m${offset}`,
  offset,
  epoch: 'e',
  from: { id: 'u', name: 'U' },
  text: `t${offset}`,
  ts: 0,
  cid: `c${offset}`,
});

/** A window that knows room `r` from offset 0, then got messages 1..count published. */
async function windowWith(size: number, count: number): Promise<MemoryWindow> {
  const broker = new MemoryBroker();
  await broker.subscribe('r');
  const window = new MemoryWindow(broker, size);
  await window.fill('r', { messages: [], position: { offset: 0, epoch: 'e' }, earliest: 1 });
  await window.publish(Array.from({ length: count }, (_, i) => message(i + 1)));
  return window;
}

describe('memory window', () => {
  it('answers the newest pages it holds and drops older ones (at most twice its size)', async () => {
    const window = await windowWith(3, 20);
    assert.deepEqual((await window.position('r'))?.offset, 20);
    const page = await window.read('r', { limit: 3 });
    assert.deepEqual(
      page?.messages.map((m) => m.offset),
      [18, 19, 20],
    );
    assert.equal(await window.read('r', { before: 12, limit: 3 }), undefined, 'older than the window');
  });

  it('keeps no window for a room without local members (a server API read of any name)', async () => {
    const window = new MemoryWindow(new MemoryBroker(), 3);
    await window.fill('nobody-here', { messages: [], position: { offset: 5, epoch: 'e' }, earliest: 1 });
    assert.equal(await window.position('nobody-here'), undefined);
    assert.equal(window.roomCount, 0);
  });

  it('with historySize 0 keeps positions only, not messages', async () => {
    const window = await windowWith(0, 1000);
    assert.deepEqual((await window.position('r'))?.offset, 1000);
    assert.equal(await window.read('r', { after: 999, limit: 1 }), undefined, 'the database answers');
  });
});
