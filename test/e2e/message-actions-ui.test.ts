/**
 * Acting on messages in the web UI, in Chromium, over two instances (Redis as the bus, PostgreSQL as the store):
 * edit (and what a message said before), delete, react, reply (and jump to the original), mention with autocomplete and highlight, the unread and
 * mention badges, the tab title and the "new messages" divider, marking a message unread, emoji by their short names. Alice is on one instance, Bob on the other.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
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
import { PostgresServer } from '../helpers/postgres-server.js';
import { spawnServer } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis-server.js';

const message = shownMessage;
const roomButton = (page: Page, text: string) =>
  page.locator('.sidebar .rooms button.room', { hasText: text });
/** Clicks one of a message's actions (shown on hover). */
async function action(page: Page, text: string, name: string): Promise<void> {
  await (await messageAction(message(page, text).last(), name)).click(WAIT);
}

describe('acting on messages in the web UI over two instances', { skip: !hasChromium() }, async () => {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  const shared = ['--redis-url', redis.url, '--database-url', pg.url, '--redis-prefix', 'mui'];
  const nodes = await Promise.all([0, 1].map((i) => spawnServer([...shared, '--node-id', `mui${i}`])));
  const browser = await launchBrowser();
  const alice = await signIn(browser, nodes[0]?.httpUrl as string, 'Alice');
  const bob = await signIn(browser, nodes[1]?.httpUrl as string, 'Bob');

  it('edits, reacts, replies (jumping to the original) and deletes', async () => {
    await alice.fill('#new-room', 'Plans');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Plans' }).waitFor(WAIT);
    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Plans' }).click(WAIT);
    await bob.locator('.room-header h1', { hasText: 'Plans' }).waitFor(WAIT);

    await say(alice, 'helo team');
    await message(bob, 'helo team').waitFor(WAIT);
    await action(alice, 'helo team', 'Edit');
    await composerHolds(alice, 'helo team');
    await say(alice, 'hello team');
    await message(bob, 'hello team').locator('.edited').waitFor(WAIT);
    assert.equal(await message(bob, 'helo team').count(), 0, 'the old text is gone');

    await action(bob, 'hello team', 'React');
    await message(bob, 'hello team').locator('.picker button[aria-label="React 👍"]').click(WAIT);
    const reaction = message(alice, 'hello team').locator('.reaction', { hasText: '👍' });
    await reaction.locator('.count', { hasText: '1' }).waitFor(WAIT);
    // The count is text on the chip: not the white of a button's label on the chip's white.
    const [count, chip] = await reaction.evaluate((el) => [
      getComputedStyle(el.querySelector('.count') as Element).color,
      getComputedStyle(el).backgroundColor,
    ]);
    assert.notEqual(count, chip, 'the count is readable');
    await reaction.click();
    await reaction.locator('.count', { hasText: '2' }).waitFor(WAIT);
    await reaction.click();
    await reaction.locator('.count', { hasText: '1' }).waitFor(WAIT);

    await action(bob, 'hello team', 'Reply');
    await bob.locator('.composer-context', { hasText: 'Replying to' }).waitFor(WAIT);
    await say(bob, 'agreed');
    const reply = message(alice, 'agreed');
    await reply.locator('.quote', { hasText: 'hello team' }).waitFor(WAIT);
    await reply.locator('.quote').click();
    await message(alice, 'hello team').and(alice.locator('.flash')).waitFor(WAIT);

    await say(alice, 'oops, wrong room');
    await message(bob, 'oops, wrong room').waitFor(WAIT);
    // The room list previews the newest message (a tooltip), and a deleted text leaves it.
    await roomButton(bob, 'Plans').and(bob.locator('[title="Alice: oops, wrong room"]')).waitFor(WAIT);
    alice.once('dialog', (dialog) => void dialog.accept());
    await action(alice, 'oops, wrong room', 'Delete');
    await bob.locator('.message.deleted .tombstone', { hasText: 'Message deleted' }).waitFor(WAIT);
    await message(bob, 'oops, wrong room').waitFor({ state: 'detached', ...WAIT });
    await bob.waitForFunction(
      () => !document.querySelector('.sidebar .rooms button.room[title*="oops"]'),
      undefined,
      WAIT,
    );

    // Up in an empty box edits the user's last message (the deleted one is passed over), as in other chats.
    await alice.press('#composer-text', 'ArrowUp');
    await composerHolds(alice, 'hello team');
    await say(alice, 'hello, team');
    await message(bob, 'hello, team').locator('.edited').waitFor(WAIT);

    // (edited) shows what it said before, oldest first, from the other instance's reader too.
    await message(bob, 'hello, team').locator('button.edited').click();
    const history = message(bob, 'hello, team').locator('.edit-history');
    await history.locator('li').nth(2).waitFor(WAIT);
    assert.deepEqual(await history.locator('.version-text').allTextContents(), [
      'helo team',
      'hello team',
      'hello, team',
    ]);
    assert.match((await history.locator('li').first().textContent()) ?? '', /^Sent /);
    assert.deepEqual(await lowContrastText(bob), [], 'the history is readable');
    await message(bob, 'hello, team').locator('button.edited').click();
    await history.waitFor({ state: 'detached', ...WAIT });
  });

  it('mentions with autocomplete; badges, tab title and the new messages divider', async () => {
    // Bob looks at another room; Alice writes in Plans and mentions him.
    await roomButton(bob, 'lobby').click();
    await bob.locator('.room-header h1', { hasText: 'lobby' }).waitFor(WAIT);
    await say(alice, 'first, without Bob');
    await alice.fill('#composer-text', 'look here @Bo');
    const suggestion = alice.locator('.mention-suggestions button', { hasText: 'Bob' });
    await suggestion.waitFor(WAIT);
    // Readable (it was white on the panel's grey), and taken with Enter as in other chats (a click works too).
    const [color, panel] = await suggestion.evaluate((el) => [
      getComputedStyle(el).color,
      getComputedStyle(el.closest('.mention-suggestions') as Element).backgroundColor,
    ]);
    assert.notEqual(color, panel);
    assert.notEqual(color, 'rgb(255, 255, 255)');
    await alice.press('#composer-text', 'Enter');
    await composerHolds(alice, 'look here @Bob ');
    await alice.press('#composer-text', 'Enter');

    const plans = roomButton(bob, 'Plans');
    await plans.locator('.badge[data-unread="2"]').waitFor(WAIT);
    await plans.locator('.mention-badge', { hasText: '@1' }).waitFor(WAIT);
    await bob.waitForFunction(() => document.title.startsWith('(2)'), undefined, WAIT);

    await plans.click();
    const divider = bob.locator('.messages li.divider.new-messages');
    await divider.waitFor(WAIT);
    // The divider sits right before the first message Bob had not read.
    const next = divider.locator('xpath=following-sibling::li[contains(@class, "message")][1]');
    assert.match((await next.textContent()) ?? '', /first, without Bob/);
    await message(bob, 'look here @Bob').and(bob.locator('.mention')).waitFor(WAIT);
    await plans.locator('.badge').waitFor({ state: 'detached', ...WAIT });
    await bob.waitForFunction(() => document.title === 'Parley', undefined, WAIT);
  });

  it('reading on one device clears the badge on the other (another instance)', async () => {
    // Bob's second device, on Alice's instance: anonymous mode keeps the user id per browser and name (per origin,
    // and each instance is an origin here), so the device is given Bob's id.
    const ids = await bob.evaluate(() => localStorage.getItem('parley.ids'));
    const tablet = await (await browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
    await tablet.goto(nodes[0]?.httpUrl as string);
    await tablet.evaluate((saved) => localStorage.setItem('parley.ids', saved as string), ids);
    await tablet.reload();
    await tablet.fill('#name', 'Bob');
    await tablet.fill('#room', 'lobby');
    await tablet.click('form.card button[type=submit]');
    await tablet.waitForSelector('.status[data-status="connected"]', WAIT);
    await roomButton(bob, 'lobby').click();
    await bob.locator('.room-header h1', { hasText: 'lobby' }).waitFor(WAIT);
    await roomButton(tablet, 'lobby').click();

    await say(alice, 'news for both tabs');
    await roomButton(bob, 'Plans').locator('.badge[data-unread]').waitFor(WAIT);
    await roomButton(tablet, 'Plans').locator('.badge[data-unread]').waitFor(WAIT);
    await roomButton(bob, 'Plans').click();
    await message(bob, 'news for both tabs').waitFor(WAIT);
    await roomButton(tablet, 'Plans')
      .locator('.badge[data-unread]')
      .waitFor({ state: 'detached', ...WAIT });

    // Marked unread on one device: the divider goes before that message here, the badge comes back on the other;
    // this tab leaves it unread while the room stays open, and reads it once it is opened anew.
    await action(bob, 'news for both tabs', 'Mark unread');
    const divider = bob.locator('.messages li.divider.new-messages');
    await divider.waitFor(WAIT);
    const next = divider.locator('xpath=following-sibling::li[contains(@class, "message")][1]');
    assert.match((await next.textContent()) ?? '', /news for both tabs/);
    await roomButton(tablet, 'Plans').locator('.badge[data-unread="1"]').waitFor(WAIT);
    await roomButton(bob, 'lobby').click();
    await roomButton(bob, 'Plans').locator('.badge[data-unread="1"]').waitFor(WAIT);
    await roomButton(bob, 'Plans').click();
    await roomButton(tablet, 'Plans')
      .locator('.badge[data-unread]')
      .waitFor({ state: 'detached', ...WAIT });
  });

  it('shows "Seen" under the last message the other person of a direct room has read', async () => {
    await alice.locator('.presence li', { hasText: 'Bob' }).first().locator('button.dm').click(WAIT);
    await alice.locator('.room-header h1', { hasText: 'Bob' }).waitFor(WAIT);
    await say(alice, 'are you there?');
    const direct = roomButton(bob, 'Alice');
    await direct.waitFor(WAIT);
    await direct.click();
    await message(bob, 'are you there?').waitFor(WAIT);
    await message(alice, 'are you there?').locator('.state', { hasText: 'Seen' }).waitFor(WAIT);
    assert.equal(await bob.isChecked('#read-receipts'), true, 'read receipts are on by default');
  });

  it('tells a reader scrolled up how many messages arrived below, and takes them there', async () => {
    // In the direct room of the test before: enough messages to scroll.
    for (let i = 0; i < 30; i += 1) await say(alice, `line ${i}`);
    await message(bob, 'line 29').waitFor(WAIT);
    const distance = () =>
      bob.evaluate(() => {
        const list = document.querySelector('.messages') as HTMLElement;
        return list.scrollHeight - list.scrollTop - list.clientHeight;
      });
    await bob.evaluate(() => {
      (document.querySelector('.messages') as HTMLElement).scrollTop = 0;
    });
    await say(alice, 'below you');
    await say(alice, 'and below again');
    await bob.locator('.jump-latest', { hasText: '2 new messages' }).waitFor(WAIT);
    assert.ok((await distance()) > 100, 'the reader stays where they were reading');
    await bob.click('.jump-latest');
    await bob.locator('.jump-latest').waitFor({ state: 'detached', ...WAIT });
    assert.ok((await distance()) < 40, 'at the newest');
  });

  it('offers emoji after a colon, and turns a short name typed whole into its emoji', async () => {
    await alice.fill('#composer-text', 'ship it :tad');
    const offered = alice.locator('.mention-suggestions button', { hasText: ':tada:' });
    await offered.waitFor(WAIT);
    assert.match((await offered.textContent()) ?? '', /🎉/);
    await alice.press('#composer-text', 'Enter');
    await composerHolds(alice, 'ship it 🎉 ');
    await alice.type('#composer-text', 'thanks :+1:');
    await composerHolds(alice, 'ship it 🎉 thanks 👍');
    await alice.press('#composer-text', 'Enter');
    await message(bob, 'ship it 🎉 thanks 👍').waitFor(WAIT);
    // Not in the middle of a word (a time, an address), and not a name no emoji has.
    await alice.type('#composer-text', 'at 10:30 see http://x :nosuchname:');
    await composerHolds(alice, 'at 10:30 see http://x :nosuchname:');
    assert.equal(await alice.locator('.mention-suggestions').count(), 0);
    await alice.fill('#composer-text', '');
  });
});
