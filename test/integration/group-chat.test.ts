/**
 * Group chat through the protocol on one instance with the memory store: rooms created, public and private,
 * invitations, roles and moderation with their error codes, system events in the room's log, direct rooms, the
 * room list with its live updates, and joining a room by name as before rooms were stored. The embedded store runs
 * the same suite in a file of its own (PGlite's blocking work would stall this process's other node).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { groupChatSuite } from '../helpers/group-chat-suite.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';

groupChatSuite('memory store', () => startNode({ store: 'memory' }));

describe('the per-user room limit', async () => {
  const node = await startNode({ store: 'memory', maxRoomsPerUser: 1 });
  const url = `ws://127.0.0.1:${node.port}/ws`;

  it('holds for everyone a direct room would take in, so nobody can grow another user’s room list', async () => {
    const [full, other] = await Promise.all(
      ['full', 'other'].map((user) => RawClient.connect(url, { name: user, user })),
    );
    after(() => {
      full?.close();
      other?.close();
    });
    assert.equal((await (full as RawClient).request({ type: 'create_room', name: 'Mine' })).type, 'room');
    const refused = await (other as RawClient).request({ type: 'direct', users: [{ id: 'full' }] });
    assert.deepEqual([refused.code, refused.message], ['room_limit', 'full may belong to at most 1 rooms']);
    const own = await (full as RawClient).request({ type: 'create_room', name: 'Second' });
    assert.equal(own.code, 'room_limit');
  });
});
