import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { PingWheel } from '../../src/transport/ping-wheel.js';

describe('ping wheel', () => {
  it('visits every item once per interval, a slot per tick', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const visits: number[][] = [];
    let tick: number[] = [];
    const wheel = new PingWheel<number>(1000, (item) => tick.push(item));
    t.after(() => wheel.stop());
    for (let i = 0; i < 8; i += 1) wheel.add(i);
    for (let i = 0; i < 4; i += 1) {
      t.mock.timers.tick(250);
      visits.push(tick);
      tick = [];
    }
    assert.deepEqual(visits, [
      [0, 4],
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
    t.mock.timers.tick(250);
    assert.deepEqual(tick, [0, 4], 'the next interval starts over');
  });

  it('forgets removed items and keeps short intervals in one slot', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const seen: string[] = [];
    const wheel = new PingWheel<string>(100, (item) => seen.push(item));
    t.after(() => wheel.stop());
    const slots = ['a', 'b', 'c'].map((item) => wheel.add(item));
    assert.deepEqual(slots, [0, 0, 0]);
    wheel.remove('b', 0);
    t.mock.timers.tick(100);
    assert.deepEqual(seen, ['a', 'c']);
  });

  it('never visits more than a hundredth of the items per tick', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const visit = mock.fn();
    const wheel = new PingWheel<number>(25_000, visit);
    t.after(() => wheel.stop());
    for (let i = 0; i < 5000; i += 1) wheel.add(i);
    t.mock.timers.tick(250);
    assert.equal(visit.mock.callCount(), 50);
    t.mock.timers.tick(25_000 - 250);
    assert.equal(visit.mock.callCount(), 5000);
  });
});
