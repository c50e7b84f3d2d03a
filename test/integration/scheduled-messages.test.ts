/**
 * Scheduled messages on one instance with the memory store (the suite in test/helpers/scheduled-suite.ts); the
 * embedded store and a cluster on PostgreSQL run it in files of their own.
 */
import { startNode } from '../helpers/nodes.js';
import { scheduledSuite } from '../helpers/scheduled-suite.js';

scheduledSuite('memory store', () =>
  startNode({ store: 'memory', schedulePollMs: 20, maxScheduledPerUser: 3 }),
);
