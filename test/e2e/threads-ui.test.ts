/**
 * Threads in the web UI, in Chromium, over two instances (Redis as the bus, PostgreSQL as the store): Bob replies in
 * the thread of Alice's message from the other instance; the reply stays out of the room's timeline, the root says
 * how many replies it has, the thread opens beside the conversation; a mention in a thread reaches Bob in another
 * room as a mention, not as an unread message; a reply is edited in the thread; a reload reads it all back; who
 * follows a thread is notified of a reply; a search result in a thread opens the thread; a room whose newest page
 * is all replies in a thread still shows its conversation; followed threads are listed in Threads with their new
 * replies, read on one tab for every other, unfollowed and followed again; a tab that has not opened the room is
 * notified of a followed thread's reply; a reply also sent to the room shows in its timeline too.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  hasChromium,
  launchBrowser,
  notified,
  recordNotifications,
  say,
  shownMessage,
  signIn,
  WAIT,
} from '../helpers/browser.js';
import { pngOf } from '../helpers/png.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { spawnServer } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';

const roomButton = (page: Page, text: string) =>
  page.locator('.sidebar .rooms button.room', { hasText: text });
const reply = (page: Page, text: string) =>
  page.locator('.thread-panel .thread-messages li.message', { hasText: text });
/** Signs a page in (anonymous, by name): a page of a browser context that has one keeps its user. */
async function signInPage(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.fill('#name', name);
  await page.click('form.card button[type=submit]');
  await page.waitForSelector('.status[data-status="connected"]', WAIT);
}
/** Opens the thread of a message of the room shown, by its text (its "Thread" action). */
async function openThreadOf(page: Page, text: string): Promise<void> {
  const root = shownMessage(page, text);
  await root.waitFor(WAIT);
  await root.hover();
  await root.locator('.actions button', { hasText: 'Thread' }).click(WAIT);
}
/** Writes in the open thread's box and sends it. */
async function replyInThread(page: Page, text: string): Promise<void> {
  await page.fill('#thread-composer-text', text);
  await page.press('#thread-composer-text', 'Enter');
}

describe('threads in the web UI over two instances', { skip: !hasChromium() }, async () => {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  // A busy thread is written by a script below: no message rate in the way.
  const shared = [
    ...['--redis-url', redis.url, '--database-url', pg.url, '--redis-prefix', 'tui'],
    ...['--user-messages-per-sec', '1000'],
  ];
  const nodes = await Promise.all([0, 1].map((i) => spawnServer([...shared, '--node-id', `tui${i}`])));
  const browser = await launchBrowser();
  after(() => browser.close());
  const alice = await signIn(browser, nodes[0]?.httpUrl as string, 'Alice');
  const bob = await signIn(browser, nodes[1]?.httpUrl as string, 'Bob');

  it('replies in a thread beside the conversation; the root counts them; a mention in one is a mention', async () => {
    await alice.fill('#new-room', 'Lunch');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Lunch' }).waitFor(WAIT);
    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Lunch' }).click(WAIT);
    await bob.locator('.room-header h1', { hasText: 'Lunch' }).waitFor(WAIT);

    await say(alice, 'Where do we eat on Friday?');
    await openThreadOf(bob, 'Where do we eat on Friday?');
    await bob.locator('.thread-panel .thread-root', { hasText: 'Where do we eat on Friday?' }).waitFor(WAIT);
    // The thread's box takes the keyboard as the thread opens.
    await bob.waitForFunction(() => document.activeElement?.id === 'thread-composer-text', undefined, WAIT);
    await replyInThread(bob, 'Pizza place downstairs');
    await reply(bob, 'Pizza place downstairs').waitFor(WAIT);

    // On Alice's screen: the root says one reply, the reply is not in the timeline.
    const summary = shownMessage(alice, 'Where do we eat on Friday?').locator('.thread-summary');
    await summary.locator('.thread-count', { hasText: '1 reply' }).waitFor(WAIT);
    assert.equal(await shownMessage(alice, 'Pizza place downstairs').count(), 0, 'not in the timeline');
    assert.equal(await shownMessage(bob, 'Pizza place downstairs').count(), 0, "nor in the sender's");
    await summary.click();
    await reply(alice, 'Pizza place downstairs').waitFor(WAIT);

    // Bob is elsewhere; Alice answers in the thread and mentions him: a mention, no unread message.
    await roomButton(bob, 'lobby').click();
    await bob.locator('.room-header h1', { hasText: 'lobby' }).waitFor(WAIT);
    await replyInThread(alice, 'Fine by me @Bob');
    await reply(alice, 'Fine by me @Bob')
      .locator('.state')
      .waitFor({ state: 'detached', ...WAIT });
    const lunch = roomButton(bob, 'Lunch');
    await lunch.locator('.mention-badge', { hasText: '@1' }).waitFor(WAIT);
    assert.equal(await lunch.locator('.badge[data-unread]').count(), 0, 'a reply is no unread message');

    await lunch.click();
    const bobsSummary = shownMessage(bob, 'Where do we eat on Friday?').locator('.thread-summary');
    await bobsSummary.locator('.thread-count', { hasText: '2 replies' }).waitFor(WAIT);
    await bobsSummary.click();
    await reply(bob, 'Fine by me @Bob').waitFor(WAIT);

    // Bob edits his reply in the thread: Alice's thread shows it edited.
    const mine = reply(bob, 'Pizza place downstairs');
    await mine.hover();
    await mine.locator('.actions button', { hasText: 'Edit' }).click(WAIT);
    await mine.locator('textarea.edit-box').fill('Pizza place downstairs, 12:30');
    await mine.locator('textarea.edit-box').press('Enter');
    await reply(alice, 'Pizza place downstairs, 12:30').locator('.edited').waitFor(WAIT);

    // The thread's box is a message box of its own: a file chosen there goes with the reply, not to the room.
    await bob.setInputFiles('.thread-panel .composer input[type=file]', {
      name: 'menu.png',
      mimeType: 'image/png',
      buffer: pngOf(60, 40, [200, 120, 30]),
    });
    await bob.locator('.thread-panel .attachments li.ready', { hasText: 'menu.png' }).waitFor(WAIT);
    assert.equal(await bob.locator('.conversation .attachments li').count(), 0, "not in the room's box");
    await replyInThread(bob, 'the menu');
    await reply(alice, 'the menu').locator('.file-image img').waitFor(WAIT);
    assert.equal(await shownMessage(alice, 'the menu').count(), 0);
  });

  it('notifies who follows a thread of a reply; a search result in a thread opens it', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    await recordNotifications(context);
    const carol = await context.newPage();
    await signInPage(carol, nodes[0]?.httpUrl as string, 'Carol');
    await carol.check('#notifications');
    const dave = await signIn(browser, nodes[1]?.httpUrl as string, 'Dave');

    // Carol wrote the root: she follows its thread, and hears of a reply she would not see (the thread closed).
    await say(carol, 'Who has the projector remote?');
    await openThreadOf(dave, 'Who has the projector remote?');
    await replyInThread(dave, 'In the top drawer');
    await carol.waitForFunction(
      () =>
        (window as unknown as { shownNotifications: string[] }).shownNotifications.some(
          (n) => n.startsWith('Dave in') && n.endsWith(': In the top drawer'),
        ),
      undefined,
      WAIT,
    );

    await carol.click('.room-header button:has-text("Search")');
    await carol.fill('input[aria-label="Search messages"]', 'drawer');
    await carol.press('input[aria-label="Search messages"]', 'Enter');
    await carol.locator('.search-results .search-result', { hasText: 'In the top drawer' }).click(WAIT);
    await reply(carol, 'In the top drawer').waitFor(WAIT);
    await carol.locator('.thread-panel .thread-root', { hasText: 'projector remote' }).waitFor(WAIT);
  });

  it("shows a room's conversation when its newest entries are all replies in a thread", async () => {
    const script = await RawClient.connect(nodes[0]?.wsUrl as string, { name: 'Script', user: 'script' });
    after(() => script.close());
    await script.request({ type: 'join', room: 'busy-thread' });
    const send = (text: string, extra: Record<string, unknown> = {}) =>
      script.request({ type: 'send', room: 'busy-thread', text, cid: text, ...extra });
    await send('said before the thread');
    const root = (await send('the busy root')).offset as number;
    for (let i = 0; i < 120; i += 1) assert.equal((await send(`reply ${i}`, { thread: root })).type, 'sent');

    await bob.fill('#join-room', 'busy-thread');
    await bob.press('#join-room', 'Enter');
    await bob.locator('.room-header h1', { hasText: 'busy-thread' }).waitFor(WAIT);
    await shownMessage(bob, 'said before the thread').waitFor(WAIT);
    await shownMessage(bob, 'the busy root')
      .locator('.thread-count', { hasText: '120 replies' })
      .waitFor(WAIT);
    // By its whole text: the root's summary ("last reply 10:05 PM") holds "reply 1" at some hours of the day.
    assert.equal(await bob.locator('.messages li.message .text', { hasText: /^reply 1$/ }).count(), 0);
    await shownMessage(bob, 'the busy root').locator('.thread-summary').click();
    await reply(bob, 'reply 119').waitFor(WAIT);
    // The room's pages read to show its conversation held the older replies: the thread has them all.
    await reply(bob, 'reply 0').waitFor(WAIT);
    assert.equal(await bob.locator('.thread-panel button', { hasText: 'Earlier replies' }).count(), 0);
    await bob.locator('.thread-panel button', { hasText: 'Close' }).click();

    // Scrolled to the top, a conversation whose next older page is all replies reads on to what it can show.
    await script.request({ type: 'join', room: 'long-thread' });
    const inLong = (text: string, extra: Record<string, unknown> = {}) =>
      script.request({ type: 'send', room: 'long-thread', text, cid: text, ...extra });
    const longRoot = (await inLong('the long root')).offset as number;
    for (let i = 0; i < 120; i += 1) await inLong(`long reply ${i}`, { thread: longRoot });
    for (let i = 0; i < 30; i += 1) await inLong(`after ${i}`);
    await bob.fill('#join-room', 'long-thread');
    await bob.press('#join-room', 'Enter');
    await shownMessage(bob, 'after 29').waitFor(WAIT);
    assert.equal(await shownMessage(bob, 'the long root').count(), 0, 'not read yet');
    await bob.locator('.messages').evaluate((el) => {
      el.scrollTop = 0;
    });
    await shownMessage(bob, 'the long root')
      .locator('.thread-count', { hasText: '120 replies' })
      .waitFor(WAIT);
  });

  it('reads the thread back after a reload', async () => {
    await alice.reload();
    await alice.waitForSelector('.status[data-status="connected"]', WAIT);
    await roomButton(alice, 'Lunch').click();
    const summary = shownMessage(alice, 'Where do we eat on Friday?').locator('.thread-summary');
    await summary.locator('.thread-count', { hasText: '3 replies' }).waitFor(WAIT);
    assert.equal(await shownMessage(alice, 'Fine by me').count(), 0);
    await summary.click();
    await reply(alice, 'Pizza place downstairs, 12:30').waitFor(WAIT);
    await reply(alice, 'Fine by me @Bob').waitFor(WAIT);
    // Escape in the thread's empty box closes the thread.
    await alice.press('#thread-composer-text', 'Escape');
    await alice.locator('.thread-panel').waitFor({ state: 'detached', ...WAIT });
  });

  it('keeps followed threads in Threads, with their new replies, read on one device for every other', async () => {
    // A second tab of Alice's (the same browser and address: the same user; instances apart are the raw clients'
    // test in test/integration/threads-cluster.test.ts).
    const phone = await alice.context().newPage();
    await signInPage(phone, nodes[0]?.httpUrl as string, 'Alice');
    after(() => phone.close());
    const threadsButton = (page: Page) => page.locator('.sidebar button.threads-button');
    // Alice read every thread she follows (her thread was open after the reload): nothing new.
    await threadsButton(phone).waitFor(WAIT);

    await roomButton(alice, 'Lunch').click();
    await say(alice, 'Dessert ideas?');
    await roomButton(bob, 'Lunch').click();
    await openThreadOf(bob, 'Dessert ideas?');
    // Bob replied: he follows the thread. Its first reply makes Alice, who wrote the root, follow it too.
    await bob.locator('.thread-panel button.follow', { hasText: /^Follow$/ }).waitFor(WAIT);
    await replyInThread(bob, 'Tiramisu');
    await bob.locator('.thread-panel button.follow', { hasText: 'Following' }).waitFor(WAIT);
    for (const page of [alice, phone])
      await threadsButton(page).locator('.badge', { hasText: /^1$/ }).waitFor(WAIT);

    // On her phone, Threads lists it with its new reply; a pick opens it beside its message, and reads it.
    await threadsButton(phone).click();
    const listed = phone.locator('.threads li[data-thread]', { hasText: 'Dessert ideas?' });
    await listed.locator('.new-replies', { hasText: '1 new' }).waitFor(WAIT);
    await listed.locator('.search-result').click();
    await reply(phone, 'Tiramisu').waitFor(WAIT);
    // Read there, read everywhere: the other tab's badge goes.
    await threadsButton(alice)
      .locator('.badge')
      .waitFor({ state: 'detached', ...WAIT });

    // Unfollowed: out of the list, and another reply makes no badge (only a reply or a mention follows again).
    await phone.locator('.thread-panel button.follow', { hasText: 'Following' }).click();
    await phone.locator('.thread-panel button.follow', { hasText: /^Follow$/ }).waitFor(WAIT);
    await listed.waitFor({ state: 'detached', ...WAIT });
    await replyInThread(bob, 'or ice cream');
    await reply(phone, 'or ice cream').waitFor(WAIT);
    assert.equal(await threadsButton(alice).locator('.badge').count(), 0);
    await phone.locator('.thread-panel button.follow', { hasText: /^Follow$/ }).click();
    await phone.locator('.thread-panel button.follow', { hasText: 'Following' }).waitFor(WAIT);
    await listed.waitFor(WAIT);
  });

  it('notifies a tab of a reply in a followed thread of a room it has not opened', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    await recordNotifications(context);
    after(() => context.close());
    const erin = await context.newPage();
    await signInPage(erin, nodes[0]?.httpUrl as string, 'Erin');
    await erin.check('#notifications');
    await erin.fill('#new-room', 'Bakery');
    await erin.click('form.join button:has-text("Create")');
    await erin.locator('.room-header h1', { hasText: 'Bakery' }).waitFor(WAIT);
    await say(erin, 'Bread order for Friday?');
    // Her other tab (the same browser: Erin too) never opens Bakery: it lists it, and hears of it as activity.
    const tab = await context.newPage();
    await signInPage(tab, nodes[0]?.httpUrl as string, 'Erin');
    await roomButton(tab, 'Bakery').waitFor(WAIT);

    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Bakery' }).click(WAIT);
    await openThreadOf(bob, 'Bread order for Friday?');
    await replyInThread(bob, 'Two sourdough');
    // The first reply made Erin follow the thread (every tab of hers is told); the next notifies the other tab.
    await tab.locator('.sidebar button.threads-button .badge').waitFor(WAIT);
    await replyInThread(bob, 'and a rye');
    await notified(tab, 'Bob in Bakery: and a rye');
  });

  it('shows a reply also sent to the room in its timeline too, saying which thread', async () => {
    await roomButton(alice, 'Lunch').click();
    await alice.locator('.room-header h1', { hasText: 'Lunch' }).waitFor(WAIT);
    await say(alice, 'Movie night?');
    await roomButton(bob, 'Lunch').click();
    await openThreadOf(bob, 'Movie night?');
    const also = bob.locator('.thread-panel .also-to-room input[type=checkbox]');
    await also.check();
    await replyInThread(bob, 'Saturday is better');
    await reply(bob, 'Saturday is better').waitFor(WAIT);
    assert.equal(await also.isChecked(), false, "the next reply is the thread's unless asked again");
    await replyInThread(bob, 'or Sunday');

    // In Alice's timeline: the reply sent to the room too, saying which thread; the other one only in the thread.
    const shown = shownMessage(alice, 'Saturday is better');
    await shown.locator('.quote.in-thread', { hasText: 'Movie night?' }).waitFor(WAIT);
    await shownMessage(alice, 'Movie night?')
      .locator('.thread-count', { hasText: '2 replies' })
      .waitFor(WAIT);
    assert.equal(await alice.locator('.messages li.message .text', { hasText: /^or Sunday$/ }).count(), 0);
    await shown.locator('.quote.in-thread').click();
    await reply(alice, 'Saturday is better').waitFor(WAIT);
    await reply(alice, 'or Sunday').waitFor(WAIT);
  });
});
