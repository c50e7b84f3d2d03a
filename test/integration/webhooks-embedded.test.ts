/**
 * Incoming webhooks on one instance with the embedded store (PGlite in this process): a file of its own, so that
 * PGlite's blocking work does not stall another node's event loop.
 */
import { startNode } from '../helpers/nodes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { webhooksSuite } from '../helpers/webhooks-suite.js';

webhooksSuite('embedded store', async () => {
  const node = await startNode({ store: 'embedded', dataDir: await tempDir('parley-hooks-') });
  return { chat: node, post: node };
});
