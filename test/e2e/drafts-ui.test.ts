/**
 * Drafts across a user's devices, in Chromium: two tabs of one person (one name in one browser), what one types
 * shows in the other's box once typing pauses, a message sent empties both, and a tab opened later finds the draft.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { composerHolds, hasChromium, launchBrowser, shownMessage, signIn, WAIT } from '../helpers/browser.js';
import { spawnServer } from '../helpers/processes.js';

/** Another tab of the person signed in on `page` (the same browser: the same anonymous user). */
async function anotherTab(page: Page, url: string, name: string): Promise<Page> {
  const tab = await page.context().newPage();
  await tab.goto(url);
  await tab.fill('#name', name);
  await tab.fill('#room', 'lobby');
  await tab.click('form.card button[type=submit]');
  await tab.waitForSelector('.status[data-status="connected"]', WAIT);
  return tab;
}

describe('drafts across a user’s devices in the web UI', { skip: !hasChromium() }, async () => {
  const server = await spawnServer([]);
  const browser = await launchBrowser();
  const desk = await signIn(browser, server.httpUrl, 'Alice');
  const laptop = await anotherTab(desk, server.httpUrl, 'Alice');
  const userIdOf = (page: Page) =>
    page.evaluate(() => Object.values(JSON.parse(localStorage.getItem('parley.ids') ?? '{}'))[0]);

  it('shows what one tab types in the other’s box, and empties both once it is sent', async () => {
    assert.equal(await userIdOf(desk), await userIdOf(laptop), 'one person in two tabs');
    await desk.fill('#composer-text', 'half a thought');
    await composerHolds(laptop, 'half a thought');
    await laptop.fill('#composer-text', 'half a thought, finished');
    await composerHolds(desk, 'half a thought, finished');
    await laptop.press('#composer-text', 'Enter');
    await shownMessage(desk, 'half a thought, finished').waitFor(WAIT);
    await composerHolds(desk, '');
    await composerHolds(laptop, '');
  });

  it('gives a tab opened later the draft of the others', async () => {
    await desk.fill('#composer-text', 'for later');
    // The server has it once the other tab heard of it.
    await composerHolds(laptop, 'for later');
    const phone = await anotherTab(desk, server.httpUrl, 'Alice');
    await composerHolds(phone, 'for later');
  });
});
