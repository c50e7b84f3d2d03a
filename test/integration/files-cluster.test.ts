/**
 * Files sent with messages across 3 instances sharing Redis and PostgreSQL: uploaded to one instance, read over
 * HTTP from another (the bytes are in the database, which every instance reads).
 */
import { startDurableCluster } from '../helpers/durable-cluster.js';
import { filesSuite } from '../helpers/files-suite.js';

filesSuite('3 instances + Redis + PostgreSQL, uploaded to one and read from another', async () => {
  const { nodes } = await startDurableCluster('f');
  return { upload: nodes[0], read: nodes[2] };
});
