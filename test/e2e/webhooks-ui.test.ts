/**
 * Incoming webhooks in the web UI, in Chromium, over two instances (Redis as the bus, PostgreSQL as the store): Alice,
 * a room's owner, adds a webhook in the room's integrations and copies its address; a script posts to it on the
 * other instance; Bob there sees the message, marked as an app's; Alice removes the webhook and its address is
 * refused. Bob, a member, is not offered the integrations.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  hasChromium,
  launchBrowser,
  lowContrastText,
  shownMessage,
  signIn,
  WAIT,
} from '../helpers/browser.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { spawnServer } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis-server.js';

describe('incoming webhooks in the web UI over two instances', { skip: !hasChromium() }, async () => {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  const shared = ['--redis-url', redis.url, '--database-url', pg.url, '--redis-prefix', 'wui'];
  const nodes = await Promise.all([0, 1].map((i) => spawnServer([...shared, '--node-id', `wui${i}`])));
  const browser = await launchBrowser();
  after(() => browser.close());
  const first = nodes[0]?.httpUrl as string;
  const second = nodes[1]?.httpUrl as string;
  const alice = await signIn(browser, first, 'Alice');
  const bob = await signIn(browser, second, 'Bob');

  it("adds a webhook, shows its address once, shows what it posts as an app's, and removes it", async () => {
    await alice.fill('#new-room', 'Deploys');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Deploys' }).waitFor(WAIT);
    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Deploys' }).click(WAIT);
    await bob.locator('.room-header h1', { hasText: 'Deploys' }).waitFor(WAIT);

    if (!(await alice.locator('.members').isVisible())) await alice.click('.members-toggle');
    await alice.click('.room-integrations summary');
    await alice.fill('#webhook-name', 'CI');
    await alice.click('.room-integrations form button[type=submit]');
    const address = await alice.locator('#webhook-address').inputValue(WAIT);
    assert.match(address, new RegExp(`^${first}/hooks/[A-Za-z0-9_-]+/[A-Za-z0-9_-]{32}$`));
    await alice.locator('.webhook-list li', { hasText: 'CI' }).waitFor(WAIT);
    await bob
      .locator('li.notice[data-event=webhook_added]', { hasText: 'Alice added the webhook CI' })
      .waitFor(WAIT);
    assert.deepEqual(await lowContrastText(alice), []);

    // A script posts to the address, on the other instance, as Slack's format.
    const posted = await fetch(address.replace(first, second), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Build <https://ci.local/7|#7> passed' }),
    });
    assert.equal(posted.status, 200);
    const shown = shownMessage(bob, 'Build #7 (https://ci.local/7) passed');
    await shown.waitFor(WAIT);
    await shown.locator('.app-badge').waitFor(WAIT);
    assert.equal((await shown.locator('.from').textContent())?.trim(), 'CI');
    await shownMessage(alice, 'Build #7').locator('.app-badge').waitFor(WAIT);

    // A member is not offered the integrations.
    if (!(await bob.locator('.members').isVisible())) await bob.click('.members-toggle');
    await bob.locator('.members h2').first().waitFor(WAIT);
    assert.equal(await bob.locator('.room-integrations').count(), 0);

    alice.once('dialog', (dialog) => void dialog.accept());
    await alice.click('.webhook-list li button:has-text("Remove")');
    await alice.locator('.webhook-list').waitFor({ state: 'detached', ...WAIT });
    await bob
      .locator('li.notice[data-event=webhook_removed]', { hasText: 'Alice removed the webhook CI' })
      .waitFor(WAIT);
    const refused = await fetch(address, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'after' }),
    });
    assert.equal(refused.status, 404);
  });
});
