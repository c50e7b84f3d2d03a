/**
 * Invite links in the web UI, in Chromium: Alice makes a link to her private room in its members panel; Carol, who
 * was never invited, opens the link, picks a name, is shown the room to join and lands in it; the link, for one
 * person, is then used up, and Alice revokes it.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hasChromium, launchBrowser, say, shownMessage, signIn, WAIT } from '../helpers/browser.js';
import { spawnServer } from '../helpers/processes.js';

describe('invite links in the web UI', { skip: !hasChromium() }, async () => {
  const node = await spawnServer([]);
  const browser = await launchBrowser();
  after(() => browser.close());
  const alice = await signIn(browser, node.httpUrl, 'Alice');

  it('lets someone never invited into a private room with a link, once', async () => {
    await alice.fill('#new-room', 'Back office');
    await alice.check('#new-room-private');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Back office' }).waitFor(WAIT);
    await say(alice, 'welcome aboard');
    if (!(await alice.locator('.members').isVisible())) await alice.click('.members-toggle');
    await alice.click('.room-links summary');
    await alice.selectOption('#invite-link-uses', '1');
    await alice.click('.room-links form button[type=submit]');
    const link = await alice.locator('#invite-link').inputValue(WAIT);
    assert.match(link, new RegExp(`^${node.httpUrl}/\\?join=[A-Za-z0-9_-]{32}$`));

    const carol = await (await browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
    await carol.goto(link);
    await carol.fill('#name', 'Carol');
    await carol.click('form.card button[type=submit]');
    // Asked first: the room's name, kind and size, and who invites.
    const offer = carol.locator('.invite-offer');
    await offer.locator('h2', { hasText: 'Back office' }).waitFor(WAIT);
    assert.match((await offer.textContent()) ?? '', /Alice invites you to.*Private room · 1 member/);
    await offer.locator('button', { hasText: 'Join Back office' }).click();
    await carol.locator('.room-header h1', { hasText: 'Back office' }).waitFor(WAIT);
    await shownMessage(carol, 'welcome aboard').waitFor(WAIT);
    assert.equal(new URL(carol.url()).searchParams.get('join'), null, 'the code left the address bar');
    await say(carol, 'thanks for the link');
    await shownMessage(alice, 'thanks for the link').waitFor(WAIT);

    // One person only: the next one is told, and lands nowhere new.
    const dave = await (await browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
    await dave.goto(link);
    await dave.fill('#name', 'Dave');
    await dave.click('form.card button[type=submit]');
    await dave.locator('.notice-bar', { hasText: 'Could not join with this link' }).waitFor(WAIT);
    assert.equal(await dave.locator('.sidebar .rooms button.room', { hasText: 'Back office' }).count(), 0);

    // Carol's join is in the room's log: the list is read again, and says how the link was used.
    await alice.locator('.room-links li', { hasText: '1 of 1 used: used up' }).waitFor(WAIT);
    await alice.locator('.room-links li button', { hasText: 'Revoke' }).click(WAIT);
    await alice.locator('.room-links li').waitFor({ state: 'detached', ...WAIT });
  });
});
