import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SmallSet } from '../../src/util/small-set.js';

describe('SmallSet', () => {
  it('behaves as a Set under random adds and deletes (size, membership, insertion order)', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 200; run += 1) {
      const small = new SmallSet<string>();
      const plain = new Set<string>();
      for (let step = 0; step < 60; step += 1) {
        const value = `r${Math.floor(random() * 4)}`;
        if (random() < 0.55) {
          small.add(value);
          plain.add(value);
        } else assert.equal(small.delete(value), plain.delete(value));
        assert.equal(small.size, plain.size);
        assert.deepEqual([...small], [...plain]);
        for (const probe of ['r0', 'r1', 'r2', 'r3']) assert.equal(small.has(probe), plain.has(probe));
      }
    }
  });

  it('holds an undefined-looking member correctly (empty string)', () => {
    const set = new SmallSet<string>();
    assert.equal(set.has(''), false);
    set.add('');
    assert.equal(set.has(''), true);
    assert.equal(set.size, 1);
    assert.equal(set.delete(''), true);
    assert.equal(set.size, 0);
  });
});
