import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanDisplayName, hasUnsafeNameCharacters } from '../../src/auth/display-name.js';

describe('display names', () => {
  it('refuses control, separator and bidirectional formatting characters', () => {
    for (const bad of [
      'a\u0000',
      'a\tb',
      'a\u001b[31m',
      'a\u2028',
      'a\u202Eb',
      'a\u2067',
      'a\u200E',
      'a\u061C',
    ]) {
      assert.equal(hasUnsafeNameCharacters(bad), true, JSON.stringify(bad));
    }
    for (const good of ['Ada', 'Zoë', 'محمد', '李雷', '👩‍💻 dev', '<b>x</b>', 'a b']) {
      assert.equal(hasUnsafeNameCharacters(good), false, good);
    }
  });

  it('cleans a name: removes what the rule refuses, trims, cuts by code points', () => {
    assert.equal(cleanDisplayName('  Ev\u0000il\u202E  ', 32), 'Evil');
    assert.equal(cleanDisplayName('\u0001\u0002', 32), '');
    assert.equal(cleanDisplayName('😀😀😀', 2), '😀😀');
    assert.equal(cleanDisplayName('ab   cd', 3), 'ab');
  });
});
