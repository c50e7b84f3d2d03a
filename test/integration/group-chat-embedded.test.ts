/**
 * The group chat protocol suite on one instance with the embedded store (PGlite, in this process: a file of its
 * own, so that its blocking work does not stall another node's event loop).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { groupChatSuite } from '../helpers/group-chat-suite.js';
import { startNode } from '../helpers/nodes.js';

groupChatSuite('embedded store', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-group-'));
  after(() => rm(dataDir, { recursive: true, force: true }));
  return startNode({ store: 'embedded', dataDir });
});
