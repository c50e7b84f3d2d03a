/**
 * Commands typed in the message box, in Chromium: a slash lists them (Enter takes the one marked), `/topic` sets
 * the room's topic, `/shrug` sends, `/me` shows an action, `/search` opens the search panel, `/away` sets the status and `/back` clears it,
 * `/msg` opens a direct conversation and sends there, `/invite` invites, an unknown command is refused with a notice
 * (the text stays), and `//` sends a message that starts with a slash; `/poll` posts a question whose options are
 * voted on by reacting; `@room` is offered as people are, and mentions every member.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { hasChromium, launchBrowser, say, shownMessage, signIn, WAIT } from '../helpers/browser.js';
import { spawnServer } from '../helpers/processes.js';

/** Types in the message box key by key (as a person does: the box offers commands as they type). */
async function typeInBox(page: Page, text: string): Promise<void> {
  await page.fill('#composer-text', '');
  await page.type('#composer-text', text);
}

describe('commands in the message box', { skip: !hasChromium() }, async () => {
  const node = await spawnServer();
  const browser = await launchBrowser();
  after(() => browser.close());
  const alice = await signIn(browser, node.httpUrl, 'Alice');
  const bob = await signIn(browser, node.httpUrl, 'Bob');

  it('lists the commands after a slash and runs them', async () => {
    await alice.fill('#new-room', 'Harbour');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Harbour' }).waitFor(WAIT);

    await typeInBox(alice, '/to');
    const offered = alice.locator('.composer .mention-suggestions[aria-label="Commands"] button');
    assert.deepEqual(await offered.allTextContents(), ["/topic <text> Sets this room's topic (empty: none)"]);
    await alice.press('#composer-text', 'Enter');
    assert.equal(await alice.inputValue('#composer-text'), '/topic ');
    await alice.type('#composer-text', 'Boats and ships');
    await alice.press('#composer-text', 'Enter');
    await alice.locator('.room-header .topic', { hasText: 'Boats and ships' }).waitFor(WAIT);
    assert.equal(await alice.inputValue('#composer-text'), '', 'the box is emptied');

    await say(alice, '/shrug no idea');
    await shownMessage(alice, 'no idea ¯\\_(ツ)_/¯').waitFor(WAIT);
    // /me: an action, shown as its sender doing it.
    await say(alice, '/me waves at **everyone**');
    const emote = alice.locator('.messages .text.emote', { hasText: 'waves at' });
    await emote.waitFor(WAIT);
    assert.equal(await emote.textContent(), 'Alice waves at everyone');
    await say(alice, '//slash at the start');
    await shownMessage(alice, '/slash at the start').waitFor(WAIT);

    // /search opens the search panel with what it asked, filters understood.
    await say(alice, '/search slash from:me');
    const panel = alice.locator('.search-panel');
    await panel.locator('.search-results .result-text', { hasText: /^\/slash at the start$/ }).waitFor(WAIT);
    assert.equal(await panel.locator('.search-result').count(), 1);
    assert.deepEqual(await panel.locator('.search-filters li').allInnerTexts(), ['From Alice']);
    assert.equal(await alice.inputValue('input[aria-label="Search messages"]'), 'slash from:me');
    await alice.press('input[aria-label="Search messages"]', 'Escape');
    await panel.waitFor({ state: 'detached', ...WAIT });

    await say(alice, '/away at lunch');
    await alice.locator('.my-status .status-button', { hasText: 'at lunch' }).waitFor(WAIT);
    await say(alice, '/back');
    await alice.locator('.my-status .status-button', { hasText: 'Set a status' }).waitFor(WAIT);

    await say(alice, '/frobnicate now');
    await alice.locator('.notice-bar', { hasText: '/frobnicate is no command' }).waitFor(WAIT);
    assert.equal(await alice.inputValue('#composer-text'), '/frobnicate now', 'the text stays, to mend');

    // A poll: its options numbered, each number a reaction of Alice's under it; Bob votes with one.
    await say(alice, '/poll Lunch where? | Pizza | Sushi');
    const poll = shownMessage(alice, 'Lunch where?');
    await poll.locator('button.reaction', { hasText: '2️⃣' }).waitFor(WAIT);
    assert.deepEqual(await poll.locator('button.reaction').allTextContents(), ['1️⃣1', '2️⃣1']);
    assert.match((await poll.locator('.text').textContent()) ?? '', /📊 Lunch where\?\s*1️⃣ Pizza\s*2️⃣ Sushi/);
    await say(alice, '/poll Only one? | Yes');
    await alice.locator('.notice-bar', { hasText: 'A question and 2 to 10 options' }).waitFor(WAIT);
    await alice.fill('#composer-text', '');

    await say(alice, '/invite @Bob');
    await bob.locator('[data-invitation]', { hasText: 'Harbour' }).waitFor(WAIT);

    await say(alice, '/msg @Bob are you coming?');
    await alice.locator('.room-header h1', { hasText: 'Bob' }).waitFor(WAIT);
    await shownMessage(alice, 'are you coming?').waitFor(WAIT);
    await bob.locator('.sidebar .rooms button.room', { hasText: 'Alice' }).click(WAIT);
    await shownMessage(bob, 'are you coming?').waitFor(WAIT);
  });

  it("mentions everyone in the room with @room: a mention on every member's badge", async () => {
    await bob
      .locator('[data-invitation]', { hasText: 'Harbour' })
      .locator('button', { hasText: 'Accept' })
      .click();
    await bob.locator('.room-header h1', { hasText: 'Harbour' }).waitFor(WAIT);
    const poll = shownMessage(bob, 'Lunch where?');
    await poll.locator('button.reaction', { hasText: '2️⃣' }).click();
    await poll.locator('button.reaction[aria-pressed="true"]', { hasText: '2️⃣2' }).waitFor(WAIT);
    // Bob looks at another room: Harbour's badge counts what comes.
    await bob.locator('.sidebar .rooms button.room', { hasText: 'Alice' }).click();
    await alice.locator('.sidebar .rooms button.room', { hasText: 'Harbour' }).click();
    await alice.locator('.room-header h1', { hasText: 'Harbour' }).waitFor(WAIT);
    await typeInBox(alice, '@ro');
    const offered = alice.locator('.composer .mention-suggestions[aria-label="Mention someone"] button');
    assert.equal(await offered.first().textContent(), '@room everyone in this room');
    await alice.press('#composer-text', 'Enter');
    await alice.type('#composer-text', 'the boat leaves at five');
    await alice.press('#composer-text', 'Enter');
    await shownMessage(alice, 'the boat leaves at five').waitFor(WAIT);
    const harbour = bob.locator('.sidebar .rooms button.room', { hasText: 'Harbour' });
    await harbour.locator('.mention-badge[data-mentions="1"]').waitFor(WAIT);
    await harbour.click();
    await bob.locator('.messages li.message.mention', { hasText: 'the boat leaves at five' }).waitFor(WAIT);
  });
});
