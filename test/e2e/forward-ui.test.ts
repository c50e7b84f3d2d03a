/**
 * Forwarding in the web UI, in Chromium: a message passed on from a room to another with a word of one's own, shown
 * there with where it came from (a link back to it) and previewed by the room list, and as a member of only the room
 * it went to sees it; a link to a message (Copy link), clicked in the chat or opened as a tab's address; a message
 * quoted in the box.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  composerHolds,
  hasChromium,
  launchBrowser,
  lowContrastText,
  messageAction,
  say,
  shownMessage,
  signIn,
  WAIT,
} from '../helpers/browser.js';
import { spawnServer } from '../helpers/processes.js';

/** Opens the Forward dialog of a message (its actions show on hover). */
async function forwardOf(page: Page, text: string) {
  await (await messageAction(shownMessage(page, text).last(), /^Forward$/)).click(WAIT);
  const dialog = page.locator('[role="dialog"][aria-label="Forward message"]');
  await dialog.waitFor(WAIT);
  return dialog;
}

describe('forwarding in the web UI', { skip: !hasChromium() }, async () => {
  const server = await spawnServer([]);
  const browser = await launchBrowser();
  const alice = await signIn(browser, server.httpUrl, 'Alice');
  const bob = await signIn(browser, server.httpUrl, 'Bob');

  it('forwards a message to another room with a word of one’s own, and goes back to the original from it', async () => {
    await say(bob, 'Ship it on Friday');
    await shownMessage(alice, 'Ship it on Friday').waitFor(WAIT);
    await alice.fill('#new-room', 'Leads');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Leads' }).waitFor(WAIT);
    await alice.locator('.sidebar .rooms button.room', { hasText: 'lobby' }).click();
    await alice.locator('.room-header h1', { hasText: 'lobby' }).waitFor(WAIT);

    const dialog = await forwardOf(alice, 'Ship it on Friday');
    await dialog.locator('blockquote', { hasText: 'Ship it on Friday' }).waitFor(WAIT);
    await dialog.locator('input[aria-label="Your message"]').fill('See below');
    await dialog.locator('input[aria-label="Room to forward to"]').fill('lea');
    // The user's rooms by a few letters of their name: Leads, not the lobby.
    await dialog.locator('.switch-target', { hasText: 'Leads' }).waitFor(WAIT);
    assert.equal(await dialog.locator('.switch-target').count(), 1);
    await alice.press('input[aria-label="Room to forward to"]', 'Enter');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await alice.locator('.notice-bar', { hasText: 'Forwarded to Leads' }).waitFor(WAIT);
    // Alice stays where she was; the forward is in Leads, whose entry previews it (its tooltip).
    assert.match((await alice.locator('.room-header h1').textContent()) ?? '', /lobby$/);
    await alice.locator('.sidebar .rooms button.room[title="Alice: ↪ See below"]').waitFor(WAIT);
    await alice.locator('.sidebar .rooms button.room', { hasText: 'Leads' }).click();
    const forward = shownMessage(alice, 'See below');
    const card = forward.locator('figure.forwarded');
    await card.waitFor(WAIT);
    assert.match((await card.locator('figcaption').textContent()) ?? '', /Forwarded from #?lobby$/);
    assert.equal((await card.locator('.forwarded-head .from').textContent()) ?? '', 'Bob');
    assert.equal((await card.locator('.text').textContent()) ?? '', 'Ship it on Friday');
    assert.deepEqual(await lowContrastText(alice), []);
    // Where it came from opens it there.
    await card.locator('figcaption button', { hasText: 'lobby' }).click();
    await alice.locator('.room-header h1', { hasText: 'lobby' }).waitFor(WAIT);
    await alice.locator('.messages li.message.flash', { hasText: 'Ship it on Friday' }).waitFor(WAIT);
  });

  it('copies a link to a message, which opens the message: clicked in the chat, or as the tab’s address', async () => {
    await alice.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.httpUrl });
    await alice.locator('.sidebar .rooms button.room', { hasText: 'lobby' }).click();
    const row = shownMessage(alice, 'Ship it on Friday').last();
    await (await messageAction(row, /^Copy link$/)).click(WAIT);
    await alice.locator('.notice-bar', { hasText: 'Link to the message copied' }).waitFor(WAIT);
    const link = await alice.evaluate(() => navigator.clipboard.readText());
    const offset = await row.getAttribute('data-offset');
    assert.equal(link, `${server.httpUrl}/?room=lobby&message=${offset}`);
    // Sent in another room and clicked: the chat goes to it (no new tab).
    await alice.locator('.sidebar .rooms button.room', { hasText: 'Leads' }).click();
    await say(alice, `As said here ${link}`);
    await shownMessage(alice, 'As said here').locator(`a[href="${link}"]`).click();
    await alice.locator('.messages li.message.flash', { hasText: 'Ship it on Friday' }).waitFor(WAIT);
    assert.match((await alice.locator('.room-header h1').textContent()) ?? '', /lobby$/);
    assert.equal(browser.contexts().flatMap((c) => c.pages()).length, 2, 'no tab opened');
    // Opened as the address of a tab (Bob's, reloaded: still signed in), and taken out of the address bar.
    await bob.goto(link);
    await bob.locator('.messages li.message.flash', { hasText: 'Ship it on Friday' }).waitFor(WAIT);
    assert.equal(new URL(bob.url()).search, '');
  });

  it('quotes a message in the box, to answer under it', async () => {
    await alice.locator('.sidebar .rooms button.room', { hasText: 'lobby' }).click();
    await alice.locator('.room-header h1', { hasText: 'lobby' }).waitFor(WAIT);
    const row = shownMessage(alice, 'Ship it on Friday').first();
    await (await messageAction(row, /^Quote$/)).click(WAIT);
    await composerHolds(alice, '> Ship it on Friday\n');
    // The box has the keyboard, its cursor after the quote.
    await alice.keyboard.type('Agreed');
    await alice.press('#composer-text', 'Enter');
    const answer = shownMessage(bob, 'Agreed');
    await answer.locator('blockquote.quote-block', { hasText: 'Ship it on Friday' }).waitFor(WAIT);
    assert.match((await answer.locator('.text').textContent()) ?? '', /Ship it on FridayAgreed$/);
  });

  it('shows a forward from a room the reader is not in without naming it', async () => {
    await alice.locator('.sidebar .rooms button.room', { hasText: 'Leads' }).click();
    await alice.locator('.room-header h1', { hasText: 'Leads' }).waitFor(WAIT);
    await say(alice, 'Budget approved');
    await shownMessage(alice, 'Budget approved').locator('.state').waitFor(WAIT);
    const dialog = await forwardOf(alice, 'Budget approved');
    await dialog.locator('input[aria-label="Room to forward to"]').fill('lobby');
    await dialog.locator('.switch-target', { hasText: 'lobby' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    // Bob is in the lobby only: the forward alone, from "another room".
    const card = bob.locator('.messages li.message figure.forwarded', { hasText: 'Budget approved' });
    await card.waitFor(WAIT);
    assert.match((await card.locator('figcaption').textContent()) ?? '', /Forwarded from another room/);
    assert.equal(await card.locator('figcaption button').count(), 0, 'nothing to open');
  });

  it('forwards to a person there is no conversation with yet: the conversation starts with it', async () => {
    await alice.locator('.sidebar .rooms button.room', { hasText: 'lobby' }).click();
    const dialog = await forwardOf(alice, 'Ship it on Friday');
    await dialog.locator('input[aria-label="Room to forward to"]').fill('bo');
    await dialog.locator('.switch-target', { hasText: /^@\s*Bob$/ }).click(WAIT);
    await dialog.waitFor({ state: 'detached', ...WAIT });
    // Bob's list has the new conversation; in it, the forward.
    await bob.locator('.sidebar button.room', { hasText: 'Alice' }).click(WAIT);
    const card = bob.locator('.messages li.message figure.forwarded', { hasText: 'Ship it on Friday' });
    await card.waitFor(WAIT);
    assert.match((await card.locator('figcaption').textContent()) ?? '', /Forwarded from #?lobby$/);
  });
});
