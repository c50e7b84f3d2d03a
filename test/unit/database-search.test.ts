/**
 * How a database search decides its way (src/log/database-search.ts): from a sample of the table, the words index
 * for words rare enough that what it reads and hands over stays within its bounds, else a walk through the rooms.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  estimator,
  indexWords,
  type SampleRow,
  SEARCH_BOUNDS,
  walkPerRoom,
  walkSteps,
} from '../../src/log/database-search.js';

const bounds = { samplePages: 10, candidatesMax: 1_000, entriesMax: 5_000, walkMax: 100 };

/** A sample of 10 pages of a table of 100 (every count scaled by 10), grouped by which words a message holds. */
const sample = (groups: Record<number, number>): SampleRow[] =>
  Object.entries(groups).map(([mask, messages]) => ({ pages: 100, mask, messages }));

describe('deciding how a database search goes', () => {
  it('scales what the sample counts to the table, for any set of words', () => {
    const estimate = estimator(sample({ 0: 50, 1: 30, 2: 7, 3: 2 }), bounds);
    assert.equal(estimate(1), 320, 'word 0: alone and with word 1');
    assert.equal(estimate(2), 90);
    assert.equal(estimate(3), 20, 'both');
    assert.equal(estimator([], bounds)(1), 0, 'nothing sampled');
    const whole = estimator([{ pages: 3, mask: 1, messages: 4 }], bounds);
    assert.equal(whole(1), 4, 'a table smaller than the sample is read whole: counts as they are');
  });

  it('looks up the rarest words, checks the others, walks when every word is common', () => {
    const words = ['common', 'rare'];
    // common: 3,000 + 400 (scaled); rare: 20 + 400.
    const some = estimator(sample({ 1: 300, 2: 2, 3: 40 }), bounds);
    assert.deepEqual(indexWords(words, some, bounds), { looked: ['rare', 'common'], checked: [] });
    // common: 6,000 + 400: beyond what the index may read beside the rare one.
    const more = estimator(sample({ 1: 600, 2: 2, 3: 40 }), bounds);
    assert.deepEqual(indexWords(words, more, bounds), { looked: ['rare'], checked: ['common'] });
    // Both in 5,000 messages or more: walk.
    const both = estimator(sample({ 1: 500, 2: 500, 3: 10 }), bounds);
    assert.equal(indexWords(words, both, bounds), undefined);
    // Each readable, but together in 2,000 messages: more than the index may hand over: walk.
    const together = estimator(sample({ 1: 10, 2: 10, 3: 200 }), bounds);
    assert.equal(indexWords(words, together, bounds), undefined);
    // A word no sampled message holds is the rarest.
    assert.deepEqual(indexWords(['w', 'zebra'], estimator(sample({ 1: 700 }), bounds), bounds), {
      looked: ['zebra'],
      checked: ['w'],
    });
  });

  it('walks an eighth first, then the rest; shares a walk among the rooms, at least one message each', () => {
    assert.deepEqual(walkSteps(bounds), [13, 87]);
    assert.deepEqual(walkSteps({ ...bounds, walkMax: 1 }), [1]);
    assert.deepEqual(walkSteps(SEARCH_BOUNDS), [313, 2187]);
    assert.equal(walkPerRoom(['a'], 100), 100);
    assert.equal(walkPerRoom(['a', 'b', 'c', 'a'], 100), 34);
    const many = Array.from({ length: 1000 }, (_, i) => `r${i}`);
    assert.equal(walkPerRoom(many, 100), 1);
    assert.equal(walkPerRoom(many, 2187), 3);
  });
});
