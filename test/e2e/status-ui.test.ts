/**
 * Statuses in the web UI, in Chromium, over two instances (Redis as the bus, PostgreSQL as the store): Alice on one
 * instance says she is in a meeting and not to be disturbed; Bob on the other sees it beside her name in the room's
 * online list, as it changes and once it is cleared, and on the card her name on a message opens (which messages her);
 * her other tab holds desktop notifications back meanwhile.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  hasChromium,
  launchBrowser,
  notified,
  recordNotifications,
  say,
  shownMessage,
  shownNotifications,
  signIn,
  WAIT,
} from '../helpers/browser.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { spawnServer } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis-server.js';

describe('statuses in the web UI over two instances', { skip: !hasChromium() }, async () => {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  const shared = ['--redis-url', redis.url, '--database-url', pg.url, '--redis-prefix', 'sui'];
  const nodes = await Promise.all([0, 1].map((i) => spawnServer([...shared, '--node-id', `sui${i}`])));
  const browser = await launchBrowser();
  after(() => browser.close());
  const alice = await signIn(browser, nodes[0]?.httpUrl as string, 'Alice');
  const bob = await signIn(browser, nodes[1]?.httpUrl as string, 'Bob');

  it('shows what Alice says of herself to Bob on the other instance, as it changes, until she clears it', async () => {
    await alice.fill('#new-room', 'Standup');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Standup' }).waitFor(WAIT);
    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Standup' }).click(WAIT);
    const aliceForBob = bob.locator('.presence li.person', { hasText: 'Alice' });
    await aliceForBob.waitFor(WAIT);

    await alice.click('.status-button');
    await alice.click('.status-suggestions button:has-text("In a meeting")');
    await alice.check('input[name=availability][value=dnd]');
    await alice.selectOption('.status-picker select', '60');
    await alice.click('.status-picker button[type=submit]');
    await alice.locator('.status-button', { hasText: 'In a meeting · Do not disturb' }).waitFor(WAIT);

    await aliceForBob.locator('.online-dot.dnd[aria-label="do not disturb"]').waitFor(WAIT);
    const said = aliceForBob.locator('.person-status');
    assert.equal(await said.getAttribute('title'), '📅 In a meeting · Do not disturb');
    assert.equal((await said.textContent())?.trim(), '📅');

    // Her messages show its emoji beside her name.
    await say(alice, 'brb');
    await shownMessage(bob, 'brb').locator('.from-status', { hasText: '📅' }).waitFor(WAIT);
    // Her name there says who she is (Escape closes it).
    await shownMessage(bob, 'brb').locator('button.from').click();
    const card = bob.locator('.person-card');
    await card.locator('.person-line', { hasText: '📅 In a meeting · Do not disturb' }).waitFor(WAIT);
    await bob.keyboard.press('Escape');
    await card.waitFor({ state: 'detached', ...WAIT });

    // The members panel says it too, in full.
    await bob.click('.members-toggle');
    await bob
      .locator('[data-member] .member-status', { hasText: '📅 In a meeting · Do not disturb' })
      .waitFor(WAIT);
    await bob.click('.members-toggle');

    // A tab that opens later asks for the status (no event comes for what was set before).
    const late = await signIn(browser, nodes[1]?.httpUrl as string, 'Carol', { room: 'lobby' });
    await late.click('button:has-text("Browse public rooms")');
    await late.locator('.browse button.room', { hasText: 'Standup' }).click(WAIT);
    await late.locator('.presence li.person', { hasText: 'Alice' }).locator('.online-dot.dnd').waitFor(WAIT);

    await alice.click('.status-button');
    await alice.check('input[name=availability][value=away]');
    await alice.click('.status-picker button[type=submit]');
    await aliceForBob.locator('.online-dot.away').waitFor(WAIT);

    await alice.click('.status-button');
    await alice.click('.status-picker button:has-text("Clear status")');
    await alice.locator('.status-button', { hasText: 'Set a status' }).waitFor(WAIT);
    await aliceForBob.locator('.online-dot:not(.away):not(.dnd)').waitFor(WAIT);
    assert.equal(await aliceForBob.locator('.person-status').count(), 0);
  });

  it('holds desktop notifications back on every tab of a user who asked not to be disturbed', async () => {
    // Another tab of Alice's (the same browser: the same user), which records what it would notify.
    const context = alice.context();
    await recordNotifications(context);
    const tab = await context.newPage();
    await tab.goto(nodes[0]?.httpUrl as string);
    await tab.fill('#name', 'Alice');
    await tab.fill('#room', 'lobby');
    await tab.click('form.card button[type=submit]');
    await tab.waitForSelector('.status[data-status="connected"]', WAIT);
    // Its room list is in (its rooms listed): from then on it hears of this user's status.
    await tab.locator('.sidebar .rooms button.room', { hasText: 'Standup' }).waitFor(WAIT);
    await tab.check('#notifications');

    await alice.click('.status-button');
    await alice.check('input[name=availability][value=dnd]');
    await alice.click('.status-picker button[type=submit]');
    await tab.locator('.status-button', { hasText: 'Do not disturb' }).waitFor(WAIT);
    // From her name on a message: the card says she is here, and Message opens their conversation.
    await shownMessage(bob, 'brb').locator('button.from').click();
    const card = bob.locator('.person-card');
    await card.locator('.person-line', { hasText: 'Online here' }).waitFor(WAIT);
    await card.locator('button', { hasText: /^Message$/ }).click();
    await bob.waitForSelector('.room-header h1:has-text("Alice")', WAIT);
    await bob.fill('#composer-text', 'are you there?');
    await bob.press('#composer-text', 'Enter');
    // The room list has the message: by then a notification would have come too.
    await tab.locator('.sidebar .rooms button.room[title="Bob: are you there?"]').waitFor(WAIT);
    assert.deepEqual(await shownNotifications(tab), []);

    await alice.click('.status-button');
    await alice.click('.status-picker button:has-text("Clear status")');
    await tab.locator('.status-button', { hasText: 'Set a status' }).waitFor(WAIT);
    await bob.fill('#composer-text', 'now?');
    await bob.press('#composer-text', 'Enter');
    await notified(tab, 'Bob: now?');
  });
});
