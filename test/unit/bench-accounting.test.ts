import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliveryTracker, encodePayload, scanDelivery } from '../../bench/load/accounting.js';
import { LatencyRecorder } from '../../bench/load/latency.js';
import { defaultAddresses, defaultWorkers, isLoopback, parseBenchArgs } from '../../bench/load/options.js';
import { replyRef } from '../../bench/load/parley-driver.js';
import { planClients } from '../../bench/load/run.js';

describe('load tool accounting', () => {
  it('counts an in-order stream as complete', () => {
    const t = new DeliveryTracker();
    for (let s = 1; s <= 5; s += 1) t.record(7, s);
    assert.deepEqual(t.totals(new Map([[7, 5]])), { received: 5, duplicates: 0, missing: 0 });
  });

  it('finds duplicates, gaps and a missing tail per publisher', () => {
    const t = new DeliveryTracker();
    for (const s of [1, 2, 2, 5, 6, 3]) t.record(1, s);
    for (const s of [1, 2]) t.record(2, s);
    // publisher 1: 3 and 4 skipped (3 came late: counts as a duplicate of a passed position), 2 duplicated;
    // publisher 2: sent 4, got 2.
    assert.deepEqual(
      t.totals(
        new Map([
          [1, 6],
          [2, 4],
        ]),
      ),
      { received: 8, duplicates: 2, missing: 4 },
    );
  });

  it('counts everything missing for a silent publisher', () => {
    const t = new DeliveryTracker();
    assert.deepEqual(t.totals(new Map([[3, 10]])), { received: 0, duplicates: 0, missing: 10 });
  });

  it('finds payloads in any framing without decoding it, and rejects foreign frames', () => {
    const text = encodePayload(1_733_000_000_123.457, 9, 42, 'xxxx');
    const found: number[][] = [];
    const collect = (sentAtUs: number, publisher: number, seq: number) =>
      found.push([sentAtUs, publisher, seq]);
    for (const frame of [
      `["m","bench-1","id7",3,"ep","u1","u1","${text}",1733000000124,"run-9-1-42"]`,
      `{"t":"m","r":"bench-1","m":"${text}"}`,
      `42["m","bench-1","${text}"]`,
    ]) {
      assert.equal(scanDelivery(Buffer.from(frame), collect), true, frame);
    }
    assert.deepEqual(found, Array(3).fill([1_733_000_000_123_457, 9, 42]));
    for (const foreign of ['hello world', '{"type":"sent","ref":4}', '"@@12|x|3|"', '"@@12|4|"', '"@@']) {
      assert.equal(scanDelivery(Buffer.from(foreign), collect), false, foreign);
    }
    assert.equal(found.length, 3);
  });

  it("reads a reply's ref in place and leaves errors and every other frame to the JSON decoder", () => {
    assert.equal(replyRef(Buffer.from('{"type":"sent","ref":4071,"room":"r","offset":3}')), 4071);
    assert.equal(replyRef(Buffer.from('{"type":"joined","ref":12,"room":"r","presence":[]}')), 12);
    assert.equal(replyRef(Buffer.from('{"type":"left","ref":7}')), 7);
    for (const other of [
      '{"type":"sent","ref":,"room":"r"}',
      '{"type":"sent","ref":"4","room":"r"}',
      '{"type":"sent","ref":4',
      '{"type":"error","ref":4,"code":"rate_limited"}',
      '{"type":"welcome","v":1,"session":"s"}',
      `{"type":"${'x'.repeat(40)}","ref":4}`,
      '{"type":"sent"',
      '["m","r","id",1]',
    ]) {
      assert.equal(replyRef(Buffer.from(other)), undefined, other);
    }
  });
});

describe('load tool latency', () => {
  it('merges encoded histograms exactly', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    for (let i = 1; i <= 100; i += 1) a.recordMs(i);
    for (let i = 101; i <= 200; i += 1) b.recordMs(i);
    const merged = LatencyRecorder.merge([a.encode(), b.encode()]);
    assert.equal(merged.count, 200);
    assert.ok(Math.abs(merged.p50 - 100) <= 0.5, `p50 ${merged.p50}`);
    assert.ok(Math.abs(merged.p99 - 198) <= 0.5, `p99 ${merged.p99}`);
    assert.ok(Math.abs(merged.max - 200) <= 0.5);
    assert.deepEqual(LatencyRecorder.merge([]), { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  });
});

describe('load tool plan and options', () => {
  it('spreads rooms, instances and source addresses, with publishers first in each room', () => {
    const options = parseBenchArgs([
      '--clients',
      '12',
      '--rooms',
      '3',
      '--publishers-per-room',
      '1',
      '--addresses',
      '2',
      '--address-block',
      '7',
      '--url',
      'ws://127.0.0.1:1/ws,ws://127.0.0.1:2/ws',
    ]);
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    const { plans, roomPublishers } = planClients(options);
    assert.equal(plans.length, 12);
    assert.deepEqual(Object.keys(roomPublishers).sort(), ['bench-0', 'bench-1', 'bench-2']);
    for (const room of ['bench-0', 'bench-1', 'bench-2']) {
      const members = plans.filter((p) => p.room === room);
      assert.equal(members.length, 4);
      assert.equal(new Set(members.map((m) => m.url)).size, 2, `${room} spans both instances`);
    }
    assert.deepEqual(new Set(plans.map((p) => p.localAddress)), new Set(['127.0.7.2', '127.0.7.3']));
  });

  it('waits --settle seconds before publishing; none unless asked', () => {
    const settled = parseBenchArgs(['--settle', '10']);
    const plain = parseBenchArgs([]);
    assert.equal(settled !== 'help' && settled.settleSec, 10);
    assert.equal(plain !== 'help' && plain.settleSec, 0);
    assert.throws(() => parseBenchArgs(['--settle', '1.5']), /--settle must be a whole number/);
  });

  it('uses as few load processes as the open-files limit allows, at least two', () => {
    assert.equal(defaultWorkers(100), 2);
    assert.equal(defaultWorkers(19_900), 2);
    assert.equal(defaultWorkers(40_000), 3);
  });

  it('spreads large runs over one source address per 1,000 clients', () => {
    assert.equal(defaultAddresses(5000), 1);
    assert.equal(defaultAddresses(5001), 6);
    assert.equal(defaultAddresses(19_900), 20);
    assert.equal(defaultAddresses(1_000_000), 253);
    assert.throws(() => parseBenchArgs(['--addresses', '254']), /at most 253/);
  });

  it('sends load only to this machine', () => {
    assert.equal(isLoopback('ws://127.0.0.9:80/ws'), true);
    assert.equal(isLoopback('ws://localhost:1/ws'), true);
    assert.equal(isLoopback('ws://10.0.0.1:1/ws'), false);
    assert.throws(() => parseBenchArgs(['--url', 'ws://192.168.1.1:8080/ws']), /only sent to this machine/);
  });
});
