import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { PingWheel } from '../../src/transport/ping-wheel.js';

describe('ping wheel', () => {
  it('visits every item once per interval, a slice per tick, in the collection order', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const items = new Set<number>();
    const visits: number[][] = [];
    let tick: number[] = [];
    const wheel = new PingWheel<number>(1000, items, (item) => tick.push(item));
    t.after(() => wheel.stop());
    for (let i = 0; i < 8; i += 1) items.add(i);
    for (let i = 0; i < 4; i += 1) {
      t.mock.timers.tick(250);
      visits.push(tick);
      tick = [];
    }
    assert.deepEqual(visits, [
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    t.mock.timers.tick(250);
    assert.deepEqual(tick, [0, 1], 'the next interval starts over');
  });

  it('visits a small collection once per interval, not once per tick', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const items = new Set(['only']);
    const seen: string[] = [];
    const wheel = new PingWheel<string>(1000, items, (item) => seen.push(item));
    t.after(() => wheel.stop());
    t.mock.timers.tick(2000);
    assert.deepEqual(seen, ['only', 'only']);
  });

  it('reads the collection live: removed items are not visited, added ones are', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const items = new Map<string, string>(['a', 'b', 'c', 'd'].map((name) => [name, name]));
    const seen: string[] = [];
    const wheel = new PingWheel<string>(500, items, (item) => seen.push(item));
    t.after(() => wheel.stop());
    t.mock.timers.tick(250);
    assert.deepEqual(seen, ['a', 'b']);
    items.delete('c');
    items.set('e', 'e');
    t.mock.timers.tick(250);
    assert.deepEqual(seen, ['a', 'b', 'd', 'e'], 'c left during the pass, e joined it');
    t.mock.timers.tick(500);
    assert.deepEqual(seen.slice(4), ['a', 'b', 'd', 'e'], 'the next interval visits each once');
  });

  it('never visits more than a hundredth of the items per tick', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const visit = mock.fn();
    const items = new Set<number>();
    for (let i = 0; i < 5000; i += 1) items.add(i);
    const wheel = new PingWheel<number>(25_000, items, visit);
    t.after(() => wheel.stop());
    t.mock.timers.tick(250);
    assert.equal(visit.mock.callCount(), 50);
    t.mock.timers.tick(25_000 - 250);
    assert.equal(visit.mock.callCount(), 5000);
  });
});
