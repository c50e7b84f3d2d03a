/**
 * Files sent with messages on one instance with the embedded store (PGlite in this process, the bytes in the data
 * directory): a file of its own, so that PGlite's blocking work does not stall another node's event loop.
 */
import { filesSuite } from '../helpers/files-suite.js';
import { startNode } from '../helpers/nodes.js';
import { tempDir } from '../helpers/temp-dir.js';

filesSuite('embedded store', async () => {
  const node = await startNode({ store: 'embedded', dataDir: await tempDir('parley-files-') });
  return { upload: node, read: node };
});
