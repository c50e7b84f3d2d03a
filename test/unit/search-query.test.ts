/** The search box's filters (client/search-query.ts), taken apart as the chat sends them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSearch } from '../../client/search-query.js';

// Noon, local time: days are counted in the reader's time zone.
const now = new Date(2026, 11, 7, 12, 0, 0);
const day = (year: number, month: number, date: number) => new Date(year, month - 1, date).getTime();

describe('parseSearch', () => {
  it('keeps plain words as they are', () => {
    assert.deepEqual(parseSearch('launch on Friday', now), { words: 'launch on Friday' });
    assert.deepEqual(parseSearch('  ', now), { words: '' });
  });

  it('takes the filters out of the words, whatever their case', () => {
    assert.deepEqual(parseSearch('plan from:@Alice in:#design HAS:file', now), {
      words: 'plan',
      from: 'Alice',
      in: 'design',
      has: 'file',
    });
    assert.deepEqual(parseSearch('from:bob has:links', now), { words: '', from: 'bob', has: 'link' });
    assert.deepEqual(parseSearch('from:@"Ann Lee" in:"Design review" notes', now), {
      words: 'notes',
      from: 'Ann Lee',
      in: 'Design review',
    });
  });

  it('reads days in local time: before, after (the next day on), on, today and yesterday', () => {
    assert.deepEqual(parseSearch('before:2026-12-01', now), { words: '', until: day(2026, 12, 1) });
    assert.deepEqual(parseSearch('after:2026-12-01', now), { words: '', since: day(2026, 12, 2) });
    assert.deepEqual(parseSearch('on:2026-02-28', now), {
      words: '',
      since: day(2026, 2, 28),
      until: day(2026, 3, 1),
    });
    assert.deepEqual(parseSearch('on:today', now), {
      words: '',
      since: day(2026, 12, 7),
      until: day(2026, 12, 8),
    });
    assert.deepEqual(parseSearch('after:yesterday before:2027-01-01 x', now), {
      words: 'x',
      since: day(2026, 12, 7),
      until: day(2027, 1, 1),
    });
    assert.deepEqual(
      parseSearch('after:2026-11-01 after:2026-11-20', now).since,
      day(2026, 11, 21),
      'times narrow',
    );
  });

  it('says what it could not read', () => {
    assert.match(parseSearch('on:2026-02-30', now).problem ?? '', /on:2026-02-30: a day is YYYY-MM-DD/);
    assert.match(parseSearch('before:tomorrow', now).problem ?? '', /before:tomorrow/);
    assert.match(parseSearch('has:image', now).problem ?? '', /only has:file and has:link/);
    assert.match(parseSearch('from: x', now).problem ?? '', /from: needs something/);
  });

  it('leaves other colons among the words', () => {
    assert.deepEqual(parseSearch('meet at 10:30 https://example.com/x', now), {
      words: 'meet at 10:30 https://example.com/x',
    });
    assert.deepEqual(parseSearch('subfrom:x', now), { words: 'subfrom:x' }, 'a filter starts a word');
  });
});
