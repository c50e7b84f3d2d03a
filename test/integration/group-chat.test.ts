/**
 * Group chat through the protocol on one instance of each store: rooms created, public and private, invitations,
 * roles and moderation with their error codes, system events in the room's log, direct rooms, the room list with
 * its live updates, and joining a room by name as before rooms were stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { groupChatSuite } from '../helpers/group-chat-suite.js';
import { startNode } from '../helpers/nodes.js';

groupChatSuite('memory store', () => startNode({ store: 'memory' }));
groupChatSuite('embedded store', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-group-'));
  after(() => rm(dataDir, { recursive: true, force: true }));
  return startNode({ store: 'embedded', dataDir });
});
