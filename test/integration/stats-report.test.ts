import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitUntil } from '../helpers/wait.js';

describe('the stats report', async () => {
  // The shortest interval: each wait below spans a few reports, whatever the one at start saw.
  const node = await startNode({ statsIntervalMs: 100 });
  const clients: RawClient[] = [];
  after(() => {
    for (const c of clients) c.close();
  });
  const totals = async () => (await node.clusterStats()).cluster.totals;

  it('counts users and rooms as they come and go, though an unchanged node reports the same activity', async () => {
    // The report copies the users and rooms only when they changed (see NodeActivity): every change must still
    // reach the cluster totals, in both directions.
    const ann = await RawClient.connect(node.wsUrl, { name: 'Ann', user: 'ann' });
    clients.push(ann);
    await waitUntil(async () => (await totals()).usersOnline === 1, 5000, 'ann to be counted');
    assert.equal((await ann.request({ type: 'join', room: 'tally' })).type, 'joined');
    await waitUntil(async () => (await totals()).rooms === 1, 5000, 'the room to be counted');
    const bob = await RawClient.connect(node.wsUrl, { name: 'Bob', user: 'bob' });
    clients.push(bob);
    await waitUntil(async () => (await totals()).usersOnline === 2, 5000, 'bob to be counted');
    assert.equal((await ann.request({ type: 'leave', room: 'tally' })).type, 'left');
    await waitUntil(async () => (await totals()).rooms === 0, 5000, 'the room to be forgotten');
    bob.close();
    await waitUntil(async () => (await totals()).usersOnline === 1, 5000, 'bob to be gone');
    assert.equal(node.stats().rooms, 0);
  });
});
