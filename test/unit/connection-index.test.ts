import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConnectionIndex, connectionKey } from '../../src/hub/connection-index.js';
import type { Session } from '../../src/hub/session.js';

function session(id: string, name: string, user = `u-${id}`): Session {
  return {
    id,
    user: { id: user, name },
    rooms: new Set(['lobby', '_user:x']),
    connectedAt: 1,
  } as unknown as Session;
}

/** Every page of a query, followed by its cursors, as keys. */
function pages(index: ConnectionIndex, search: string | undefined, limit: number): string[] {
  const keys: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 10_000; guard += 1) {
    const { entries } = index.slice({
      limit,
      ...(search !== undefined ? { search } : {}),
      ...(after ? { after } : {}),
    });
    keys.push(...entries.map((e) => e.key));
    if (entries.length < limit) break;
    after = entries.at(-1)?.key;
  }
  return keys;
}

describe('the connection index', () => {
  it('pages by name, searches by the beginning of a name, and leaves out internal rooms', () => {
    const index = new ConnectionIndex('n1');
    for (const [id, name] of [
      ['1', 'Bob'],
      ['2', 'alice'],
      ['3', 'Alicia'],
      ['4', 'bobby'],
      ['5', 'Carol'],
    ] as const)
      index.add(session(id, name));
    const first = index.slice({ limit: 2 });
    assert.deepEqual(
      first.entries.map((e) => e.record.user.name),
      ['alice', 'Alicia'],
    );
    assert.equal(first.total, 5);
    const next = index.slice({ limit: 10, after: first.entries.at(-1)?.key as string });
    assert.deepEqual(
      next.entries.map((e) => e.record.user.name),
      ['Bob', 'bobby', 'Carol'],
    );
    const bobs = index.slice({ limit: 10, search: 'BOB' });
    assert.deepEqual(
      bobs.entries.map((e) => e.record.user.name),
      ['Bob', 'bobby'],
    );
    assert.equal(bobs.total, 2);
    assert.deepEqual(bobs.entries[0]?.record.rooms, ['lobby']);
    assert.equal(bobs.entries[0]?.record.node, 'n1');
  });

  it('removes every connection in any order, the first of each chunk too (it once stayed filed)', () => {
    const index = new ConnectionIndex('n');
    const all = Array.from({ length: 1000 }, (_, i) => session(String(i).padStart(5, '0'), `n${i}`));
    const byKey = [...all].sort((a, b) => (connectionKey(a) < connectionKey(b) ? -1 : 1));
    // A fixed shuffle (a multiplier coprime with 1000) removes first sessions of chunks past the first: the case that
    // stayed filed (this test fails on that code).
    const shuffled = all.map((_, i) => all[(i * 337) % all.length] as Session);
    for (const order of [shuffled, byKey, [...byKey].reverse()]) {
      for (const s of all) index.add(s);
      for (const [i, s] of order.entries()) {
        index.remove(s);
        assert.equal(index.size, all.length - i - 1, `after removing ${s.id}`);
      }
      assert.deepEqual(index.slice({ limit: 10 }), { entries: [], total: 0 });
    }
  });

  it('agrees with a sorted list through any adds and removes, across many chunks', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // Three adds in four, 700 operations at least: enough live connections for several chunks of 256
            // (fast-check draws short arrays unless told otherwise).
            add: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
            name: fc.string({ unit: fc.constantFrom(...'abAB yz'.split('')), minLength: 1, maxLength: 4 }),
            pick: fc.nat(),
          }),
          { minLength: 700, maxLength: 2000 },
        ),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(undefined, 'a', 'b', 'ab', 'z'),
        (operations, limit, search) => {
          const index = new ConnectionIndex('n');
          const live: Session[] = [];
          let next = 0;
          for (const op of operations) {
            if (op.add || live.length === 0) {
              next += 1;
              const made = session(String(next).padStart(5, '0'), op.name);
              live.push(made);
              index.add(made);
            } else {
              const [gone] = live.splice(op.pick % live.length, 1);
              index.remove(gone as Session);
            }
          }
          const expected = live
            .map((s) => connectionKey(s))
            .filter((key) => search === undefined || key.startsWith(search))
            .sort();
          assert.equal(index.size, live.length);
          assert.deepEqual(pages(index, search, limit), expected);
          assert.equal(
            index.slice({ limit: 1, ...(search !== undefined ? { search } : {}) }).total,
            expected.length,
          );
        },
      ),
      { numRuns: 60, seed: 20261203 },
    );
  });
});
