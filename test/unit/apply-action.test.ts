/** applyAction: what every client does with an action entry, live or replayed over a message read from history. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAction } from '../../client/wire/actions.js';
import type { ChatMessage, MessageAction } from '../../src/engine/types.js';

const message: ChatMessage = {
  room: 'r',
  id: 'm1',
  offset: 1,
  epoch: 'e',
  from: { id: 'alice', name: 'Alice' },
  text: 'helo',
  ts: 1000,
  cid: 'c1',
};
const entry = (offset: number, from: string, action: MessageAction, text = ''): ChatMessage => ({
  room: 'r',
  id: `a${offset}`,
  offset,
  epoch: 'e',
  from: { id: from, name: from },
  text,
  ts: 2000 + offset,
  cid: `act:a${offset}`,
  action,
});

describe('applyAction', () => {
  it('edits, counts reactions up and down, and deletes into a tombstone', () => {
    let shown = applyAction(message, entry(2, 'alice', { type: 'edit', target: 1 }, 'hello'));
    assert.equal(shown.text, 'hello');
    assert.equal(shown.edited, 2002);
    shown = applyAction(shown, entry(3, 'bob', { type: 'react', target: 1, emoji: '👍', add: true }));
    shown = applyAction(shown, entry(4, 'carol', { type: 'react', target: 1, emoji: '👍', add: true }));
    assert.deepEqual(shown.reactions, [{ emoji: '👍', count: 2, users: ['bob', 'carol'] }]);
    shown = applyAction(shown, entry(5, 'bob', { type: 'react', target: 1, emoji: '👍', add: false }));
    assert.deepEqual(shown.reactions, [{ emoji: '👍', count: 1, users: ['carol'] }]);
    shown = applyAction(shown, entry(6, 'carol', { type: 'react', target: 1, emoji: '👍', add: false }));
    assert.equal(shown.reactions, undefined);
    shown = applyAction(shown, entry(7, 'alice', { type: 'delete', target: 1 }));
    assert.equal(shown.deleted, true);
    assert.equal(shown.text, '');
    assert.equal(shown.rev, 7);
    assert.equal(applyAction(shown, entry(8, 'alice', { type: 'edit', target: 1 }, 'back')), shown);
  });

  it('skips an entry already in the message (rev) and an entry on another message', () => {
    const current = { ...message, reactions: [{ emoji: '👍', count: 1, users: ['bob'] }], rev: 3 };
    const replayed = entry(3, 'bob', { type: 'react', target: 1, emoji: '👍', add: true });
    assert.equal(applyAction(current, replayed), current, 'a resume that holds the reaction counts it once');
    assert.equal(applyAction(message, entry(9, 'alice', { type: 'edit', target: 2 }, 'x')), message);
    assert.equal(applyAction(message, { ...message, offset: 9 }), message, 'a plain message is no action');
  });
});
