import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Session } from '../../src/hub/session.js';
import { CloseCodes } from '../../src/protocol/close-codes.js';
import { ManualClock } from '../../src/util/clock.js';
import { FakeTransport } from '../helpers/fake-transport.js';

const limits = { sendQueueMaxBytes: 1000, writeHighWaterBytes: 200, closeTimeoutMs: 0 };
const clock = new ManualClock();
const time = { clock, timers: clock };
const env = { limits, time };
const user = { id: 'u', name: 'U' };
const frame = (n: number, size = 100) =>
  Buffer.from(JSON.stringify({ n, pad: 'x'.repeat(size - 20) }).padEnd(size));

describe('session outgoing queue', () => {
  it('writes straight to the socket while it keeps up', () => {
    const transport = new FakeTransport();
    const session = new Session('s', user, transport, env);
    for (let i = 0; i < 50; i += 1) session.deliver('r', frame(i));
    assert.equal(transport.written.length, 50);
    assert.equal(session.queued, 0);
  });

  it('queues above the high-water mark and flushes in order on drain', () => {
    const transport = new FakeTransport();
    const session = new Session('s', user, transport, env);
    transport.stalled = true;
    const frames = Array.from({ length: 6 }, (_, i) => frame(i));
    for (const f of frames) session.deliver('r', f);
    assert.equal(transport.written.length, 2, 'two frames reach the high-water mark');
    assert.equal(session.queued, 400);
    transport.drain();
    assert.deepEqual(transport.written, frames);
    assert.equal(session.queued, 0);
  });

  it('closes a slow consumer with 4003 when its queue overflows, and drops its queue', () => {
    const transport = new FakeTransport();
    let slow = 0;
    const session = new Session('s', user, transport, {
      limits,
      time,
      onSlowConsumer: () => {
        slow += 1;
      },
    });
    transport.stalled = true;
    for (let i = 0; i < 30; i += 1) session.deliver('r', frame(i));
    assert.deepEqual(transport.closedWith, { code: CloseCodes.slow_consumer, reason: 'slow consumer' });
    assert.equal(slow, 1);
    assert.equal(session.closed, true);
    assert.equal(session.queued, 0, 'memory is released at once');
    assert.equal(transport.terminated, true);
    const count = transport.written.length;
    session.deliver('r', frame(99));
    assert.equal(transport.written.length, count, 'nothing is written after closing');
  });

  it('shares one buffer between sessions (encode once)', () => {
    const a = new FakeTransport();
    const b = new FakeTransport();
    const shared = frame(1);
    new Session('a', user, a, env).deliver('r', shared);
    new Session('b', user, b, env).deliver('r', shared);
    assert.equal(a.written[0], shared);
    assert.equal(b.written[0], shared);
  });

  it('holds a joining room’s frames until release, skipping messages the join already covers', () => {
    const transport = new FakeTransport();
    const session = new Session('s', user, transport, env);
    session.hold('r');
    session.deliver('r', Buffer.from('"m4"'), { offset: 4, epoch: 'e' });
    session.deliver('r', Buffer.from('"diff"'));
    session.deliver('r', Buffer.from('"m5"'), { offset: 5, epoch: 'e' });
    session.deliver('other', Buffer.from('"o"'));
    assert.deepEqual(transport.written.map(String), ['"o"']);
    session.reply({ type: 'pong', ref: 1, ts: 0 });
    session.release('r', { send: true, skipThrough: { offset: 4, epoch: 'e' } });
    assert.deepEqual(transport.written.map(String).slice(2), ['"diff"', '"m5"']);
    assert.equal(session.queued, 0);
  });

  it('drops a covered message that arrives after the join reply (replies and pub/sub race in Redis)', () => {
    const transport = new FakeTransport();
    const session = new Session('s', user, transport, env);
    session.hold('r');
    session.release('r', { send: true, skipThrough: { offset: 7, epoch: 'e' } });
    session.deliver('r', Buffer.from('"m7"'), { offset: 7, epoch: 'e' });
    session.deliver('r', Buffer.from('"m8"'), { offset: 8, epoch: 'e' });
    session.deliver('r', Buffer.from('"m9"'), { offset: 9, epoch: 'e' });
    assert.deepEqual(transport.written.map(String), ['"m8"', '"m9"']);
    const other = new Session('s2', user, new FakeTransport(), env);
    other.hold('r');
    other.release('r', { send: true, skipThrough: { offset: 7, epoch: 'old' } });
    other.deliver('r', Buffer.from('"new1"'), { offset: 1, epoch: 'new' });
    assert.equal(
      (other as unknown as { transport: FakeTransport }).transport.written.length,
      1,
      'a new epoch passes',
    );
  });

  it('counts held frames against the queue limit', () => {
    const transport = new FakeTransport();
    const session = new Session('s', user, transport, env);
    session.hold('r');
    for (let i = 0; i < 11; i += 1) session.deliver('r', frame(i));
    assert.equal(transport.closedWith?.code, CloseCodes.slow_consumer);
  });

  it('drops held frames when a join fails', () => {
    const transport = new FakeTransport();
    const session = new Session('s', user, transport, env);
    session.hold('r');
    session.deliver('r', Buffer.from('"x"'), { offset: 1, epoch: 'e' });
    session.release('r', { send: false });
    assert.equal(transport.written.length, 0);
    assert.equal(session.queued, 0);
  });
});

describe('session credentials', () => {
  it('closes with token_expired exactly when the token expires, unless refreshed first', () => {
    const clock = new ManualClock(1_000_000);
    const time = { clock, timers: clock };
    const env = { limits, time };
    const transport = new FakeTransport();
    const session = new Session('s', user, transport, env);
    session.applyIdentity({ user, expiresAt: clock.now() + 1000 });
    const closedCode = () => transport.closedWith?.code;
    clock.advance(999);
    assert.equal(closedCode(), undefined);
    // A refresh pushes the expiry back.
    session.applyIdentity({ user, expiresAt: clock.now() + 1000 });
    clock.advance(999);
    assert.equal(closedCode(), undefined);
    clock.advance(1);
    assert.equal(closedCode(), 4010);
  });
});
