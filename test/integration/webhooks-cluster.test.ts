/**
 * Incoming webhooks across 3 instances sharing Redis and PostgreSQL: added through one instance, posted to through
 * another, delivered to the first.
 */
import { startDurableCluster } from '../helpers/durable-cluster.js';
import { webhooksSuite } from '../helpers/webhooks-suite.js';

webhooksSuite('3 instances + Redis + PostgreSQL, added on one and posted to on another', async () => {
  const { nodes } = await startDurableCluster('w');
  return { chat: nodes[0], post: nodes[2] };
});
