/**
 * The group chat protocol suite on one instance with the embedded store (PGlite, in this process: a file of its
 * own, so that its blocking work does not stall another node's event loop).
 */
import { groupChatSuite } from '../helpers/group-chat-suite.js';
import { startNode } from '../helpers/nodes.js';
import { tempDir } from '../helpers/temp-dir.js';

groupChatSuite('embedded store', async () => {
  const dataDir = await tempDir('parley-group-');
  return startNode({ store: 'embedded', dataDir });
});
