/**
 * The room list's arrangement in the web UI, in Chromium, on the embedded store (kept across a reload as in a first
 * start): a starred room is listed under Favorites, first, on every tab of the user, until unstarred; a room with a
 * draft is marked; a direct conversation closed with its × leaves the list on every tab, read, and comes back with the
 * next message (with its badge); closed again, Ctrl+K finds it by name and lists it again, which a reload keeps.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { hasChromium, launchBrowser, say, shownMessage, signIn, WAIT } from '../helpers/browser.js';
import { spawnServer } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The sidebar's entry of a room by its whole title (a substring would also match "Bob, Carol"). */
const entry = (page: Page, title: string, list = '.rooms') =>
  page.locator(`.sidebar ${list} button.room`, {
    has: page.locator('bdi', { hasText: new RegExp(`^${title}$`) }),
  });

/** A second tab of the page's user: the same browser context (its stored id), signed in under the same name. */
async function secondTab(page: Page, name: string): Promise<Page> {
  const tab = await page.context().newPage();
  await tab.goto(page.url());
  await tab.fill('#name', name);
  await tab.click('form.card button[type=submit]');
  await tab.waitForSelector('.status[data-status="connected"]', WAIT);
  return tab;
}

describe('favorites and closed conversations in the web UI', { skip: !hasChromium() }, async () => {
  const dir = await tempDir('parley-room-list-ui-');
  const node = await spawnServer(['--store', 'embedded', '--data-dir', dir]);
  const browser = await launchBrowser();
  after(() => browser.close());
  const alice = await signIn(browser, node.httpUrl, 'Alice');
  const bob = await signIn(browser, node.httpUrl, 'Bob');
  const aliceTab = await secondTab(alice, 'Alice');

  it('stars a room: listed under Favorites, first, on every tab, until unstarred', async () => {
    for (const name of ['Garden', 'Kitchen']) {
      await alice.fill('#new-room', name);
      await alice.click('form.join button:has-text("Create")');
      await alice.locator('.room-header h1', { hasText: name }).waitFor(WAIT);
    }
    await entry(alice, 'Garden').click();
    await alice.locator('.room-header h1', { hasText: 'Garden' }).waitFor(WAIT);
    const star = alice.locator('.room-header .favorite-toggle');
    assert.equal(await star.getAttribute('aria-pressed'), 'false');
    await star.click();
    await alice.locator('.room-header .favorite-toggle[aria-pressed="true"]').waitFor(WAIT);
    for (const page of [alice, aliceTab]) {
      await entry(page, 'Garden', '.favorites').waitFor(WAIT);
      // Listed once: under Favorites, not among the rooms as well.
      assert.equal(await entry(page, 'Garden').count(), 1);
    }
    // Favorites come first in the sidebar.
    assert.equal(await alice.locator('.sidebar ul.rooms').first().getAttribute('class'), 'rooms favorites');

    await star.click();
    // No Favorites without one, on either tab (each hears it from the server).
    for (const page of [alice, aliceTab])
      await page.locator('.sidebar .favorites').waitFor({ state: 'detached', ...WAIT });
  });

  it('marks a room whose message box holds text not sent, once another room is open', async () => {
    await entry(alice, 'Kitchen').click();
    await alice.locator('.room-header h1', { hasText: 'Kitchen' }).waitFor(WAIT);
    await alice.fill('#composer-text', 'half a thought');
    await entry(alice, 'Garden').click();
    await entry(alice, 'Kitchen').locator('.draft-mark').waitFor(WAIT);
    assert.equal(await entry(alice, 'Garden').locator('.draft-mark').count(), 0);
    await entry(alice, 'Kitchen').click();
    assert.equal(await alice.inputValue('#composer-text'), 'half a thought', 'the draft is back');
    await alice.fill('#composer-text', '');
    await entry(alice, 'Garden').click();
    await entry(alice, 'Kitchen')
      .locator('.draft-mark')
      .waitFor({ state: 'detached', ...WAIT });
  });

  it('closes a conversation until a new message comes; Ctrl+K lists it again, and a reload keeps that', async () => {
    await alice.fill('#new-direct', 'Bob');
    await alice.click('.new-direct button[type=submit]');
    await alice.locator('.room-header h1', { hasText: 'Bob' }).waitFor(WAIT);
    await say(alice, 'Lunch at noon?');
    await entry(bob, 'Alice').click(WAIT);
    await shownMessage(bob, 'Lunch at noon?').waitFor(WAIT);
    await say(bob, 'Sure!');
    await shownMessage(alice, 'Sure!').waitFor(WAIT);

    // Closed on one tab: gone from both, and the tab shows another room.
    const dm = entry(alice, 'Bob');
    await dm.hover();
    await alice.getByRole('button', { name: 'Close the conversation with Bob' }).click();
    await dm.waitFor({ state: 'detached', ...WAIT });
    await entry(aliceTab, 'Bob').waitFor({ state: 'detached', ...WAIT });
    assert.notEqual(await alice.locator('.room-header h1').textContent(), 'Bob');

    // A new message brings it back, counted unread, on every tab.
    await say(bob, 'Running late');
    for (const page of [alice, aliceTab]) {
      await entry(page, 'Bob').locator('.badge[data-unread="1"]').waitFor(WAIT);
    }

    // Closed again: Ctrl+K finds it by name (not before a letter is typed) and lists it again.
    await entry(alice, 'Bob').hover();
    await alice.getByRole('button', { name: 'Close the conversation with Bob' }).click();
    for (const page of [alice, aliceTab]) await entry(page, 'Bob').waitFor({ state: 'detached', ...WAIT });
    await alice.keyboard.press('Control+k');
    const box = alice.locator('.switcher input');
    await box.waitFor(WAIT);
    // The first list (the rooms listed) shows, without the closed conversation.
    await alice.locator('.switcher .switch-target', { hasText: 'Garden' }).waitFor(WAIT);
    assert.equal(await alice.locator('.switcher .switch-target', { hasText: 'Bob' }).count(), 0);
    await box.fill('bo');
    await alice.locator('.switcher .switch-target', { hasText: 'Bob' }).waitFor(WAIT);
    await box.press('Enter');
    await alice.locator('.room-header h1', { hasText: 'Bob' }).waitFor(WAIT);
    await shownMessage(alice, 'Running late').waitFor(WAIT);
    await entry(aliceTab, 'Bob').waitFor(WAIT);
    await aliceTab.reload();
    await aliceTab.waitForSelector('.status[data-status="connected"]', WAIT);
    await entry(aliceTab, 'Bob').waitFor(WAIT);
  });
});
