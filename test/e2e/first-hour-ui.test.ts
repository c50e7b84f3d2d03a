/**
 * The first hour with the bundled chat, as a new user meets it: two tabs as two people, a reload that keeps the
 * session, typing and presence that follow the connection, a history reset and a refused send that keep what the
 * user wrote, the chat's look (avatars, groups, ticks, favicon, title), emoji input, notifications, a phone
 * layout, and token mode with the example token endpoint. Chromium against real servers (and a real Redis).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import {
  hasChromium,
  launchBrowser,
  lowContrastText,
  notified,
  recordNotifications,
  say,
  shownMessage,
  shownNotifications,
  WAIT,
} from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SECRET = 'an example secret of at least thirty-two characters';

/** Signs in in a new tab of `context` (tabs of one browser share its storage, as a user's tabs do). */
async function tab(context: BrowserContext, url: string, name: string, room = 'lobby'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('form.card button[type=submit]');
  await page.waitForSelector('.status[data-status="connected"]', WAIT);
  return page;
}

/** The anonymous user id this browser keeps for a name. */
const idOf = (page: Page, name: string) =>
  page.evaluate(
    (n) => (JSON.parse(localStorage.getItem('parley.ids') ?? '{}') as Record<string, string>)[n],
    name,
  );

describe('the chat in its first hour', { skip: !hasChromium() }, async () => {
  const browser = await launchBrowser();

  it('makes two tabs of one browser two people, while one person in two tabs counts once', async () => {
    const node = await startNode();
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    const alice = await tab(context, node.url, 'Alice');
    const bob = await tab(context, node.url, 'Bob');
    await say(alice, 'Hello from the first tab');
    const seen = shownMessage(bob, 'Hello from the first tab');
    await seen.waitFor(WAIT);
    assert.equal(await seen.locator('.from').textContent(), 'Alice');
    await bob.type('#composer-text', 'typing');
    await alice.locator('.typing', { hasText: 'Bob is typing' }).waitFor(WAIT);
    assert.notEqual(await idOf(alice, 'alice'), await idOf(alice, 'bob'));
    // Alice's second tab is Alice again: still two people online.
    const again = await tab(context, node.url, 'Alice');
    await again.locator('.presence li', { hasText: 'Bob' }).waitFor(WAIT);
    assert.equal(await again.locator('.presence li').count(), 2);
    assert.equal(await bob.locator('.presence li').count(), 2);
    await context.close();
  });

  it('keeps the session across a reload, and signs out on request', async () => {
    const node = await startNode();
    const context = await browser.newContext();
    const page = await tab(context, node.url, 'Reloader', 'kept-room');
    await say(page, 'before the reload');
    await page.locator('.messages li.message.mine.sent', { hasText: 'before the reload' }).waitFor(WAIT);
    await page.reload();
    await page.waitForSelector('.status[data-status="connected"]', WAIT);
    assert.equal(await page.textContent('.brand .me'), 'Reloader');
    await shownMessage(page, 'before the reload').waitFor(WAIT);
    assert.equal(await page.textContent('.room-header h1'), '#kept-room');
    await page.click('.sign-out');
    await page.waitForSelector('#name', WAIT);
    await page.reload();
    await page.waitForSelector('#name', WAIT);
    await context.close();
  });

  it('does not open again on reload a room the user left elsewhere meanwhile (it would join them again)', async () => {
    const node = await startNode();
    const host = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Host', user: 'host' });
    after(() => host.close());
    await host.request({ type: 'create_room', name: 'Porch', id: 'porch' });
    const context = await browser.newContext();
    const page = await tab(context, node.url, 'Wanderer', 'porch');
    await page.locator('.room-header h1', { hasText: 'Porch' }).waitFor(WAIT);
    // An open channel too: the reload opens it after deciding about the porch, so it shows when that is done.
    await page.fill('#join-room', 'corner');
    await page.press('#join-room', 'Enter');
    await page.locator('.room-header h1', { hasText: 'corner' }).waitFor(WAIT);
    const id = (await idOf(page, 'wanderer')) as string;
    // This browser is offline (its saved rooms still name the porch) while the user leaves it on another device.
    await context.setOffline(true);
    await page.waitForSelector('.status:not([data-status="connected"])', WAIT);
    const elsewhere = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, {
      name: 'Wanderer',
      user: id,
    });
    after(() => elsewhere.close());
    assert.equal((await elsewhere.request({ type: 'leave_room', room: 'porch' })).type, 'done');
    // Back online, the page is reloaded: it restores the rooms it had open, from what it saved.
    await context.setOffline(false);
    await page.reload();
    await page.locator('.sidebar button.room', { hasText: 'corner' }).waitFor(WAIT);
    assert.equal(await page.locator('.sidebar button.room', { hasText: 'Porch' }).count(), 0);
    const members = await host.request({ type: 'members', room: 'porch' });
    assert.deepEqual(
      (members.members as Array<{ user: { id: string } }>).map((m) => m.user.id),
      ['host'],
      'not a member again',
    );
    await context.close();
  });

  it('looks like a chat: avatars, grouped messages, a tick instead of "sent", emoji input, favicon', async () => {
    const node = await startNode();
    const context = await browser.newContext();
    const bob = await tab(context, node.url, 'Bob Stone');
    await say(bob, 'first of two');
    await say(bob, 'second of two');
    const second = bob.locator('.messages li.message.mine.sent', { hasText: 'second of two' });
    await second.waitFor(WAIT);
    const first = bob.locator('.messages li.message', { hasText: 'first of two' });
    assert.equal(await first.locator('.avatar').textContent(), 'BS');
    assert.match((await second.getAttribute('class')) ?? '', /\bgrouped\b/);
    assert.equal(await second.locator('.avatar').count(), 0);
    assert.equal(await second.locator('.state').getAttribute('aria-label'), 'sent');
    assert.doesNotMatch((await second.textContent()) ?? '', /\bsent\b/);
    await bob.click('.emoji-toggle');
    await bob.click('[aria-label="Insert 👍"]');
    assert.equal(await bob.inputValue('#composer-text'), '👍');
    const icon = await bob.getAttribute('link[rel="icon"]', 'href');
    assert.equal(icon, '/favicon.svg');
    const served = await bob.request.get(`${node.url}/favicon.svg`);
    assert.equal(served.status(), 200);
    assert.match(served.headers()['content-type'] ?? '', /svg/);
    await context.close();
  });

  it('counts unread messages in the tab title and notifies of direct messages when asked to', async () => {
    const node = await startNode();
    const context = await browser.newContext();
    await recordNotifications(context);
    const carol = await tab(context, node.url, 'Carol');
    const dan = await tab(context, node.url, 'Dan');
    await carol.check('#notifications');
    await dan.locator('.presence li', { hasText: 'Carol' }).locator('.dm').click();
    await dan.waitForSelector('.room-header h1:has-text("Carol")', WAIT);
    await say(dan, 'a direct word');
    await notified(carol, 'Dan: a direct word');
    await carol.waitForFunction(() => document.title === '(1) Parley', null, WAIT);
    assert.notEqual(await carol.getAttribute('link[rel="icon"]', 'href'), '/favicon.svg', 'an unread dot');

    // "Nothing" for the direct room: no notification, no unread count in the title or the room list.
    const direct = carol.locator('.sidebar .rooms button.room', { hasText: 'Dan' });
    await direct.click();
    await carol.waitForSelector('.room-header h1:has-text("Dan")', WAIT);
    await carol.click('.members-toggle');
    assert.equal(await carol.inputValue('#notify-level'), 'all', "a direct room's default");
    await carol.selectOption('#notify-level', 'none');
    await carol.locator('.sidebar .rooms button.room.quiet', { hasText: 'Dan' }).waitFor(WAIT);
    await carol.locator('.sidebar .rooms button.room', { hasText: 'lobby' }).click();
    await carol.waitForSelector('.room-header h1:has-text("lobby")', WAIT);
    await say(dan, 'a quiet word');
    // The room list has the message (its preview): by then a notification or a count would have come too.
    await carol.locator('.sidebar .rooms button.room.quiet[title="Dan: a quiet word"]').waitFor(WAIT);
    assert.equal(await direct.locator('.badge[data-unread]').count(), 0);
    assert.equal(await carol.title(), 'Parley');
    assert.deepEqual(await shownNotifications(carol), ['Dan: a direct word']);
    await context.close();
  });

  it('marks every room read from the room list, without opening them, on every device', async () => {
    const node = await startNode();
    const context = await browser.newContext();
    const erin = await tab(context, node.url, 'Erin');
    const ids: string[] = [];
    for (const name of ['Alpha', 'Beta']) {
      await erin.fill('#new-room', name);
      await erin.click('form.join button:has-text("Create")');
      const button = erin.locator('.sidebar .rooms button.room', { hasText: name });
      await button.waitFor(WAIT);
      ids.push((await button.getAttribute('data-room')) as string);
    }
    await erin.locator('.sidebar .rooms button.room', { hasText: 'lobby' }).click();
    await erin.waitForSelector('.room-header h1:has-text("lobby")', WAIT);
    const writer = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, {
      name: 'Writer',
      user: 'writer',
    });
    after(() => writer.close());
    for (const room of ids) {
      await writer.request({ type: 'join', room });
      for (const text of ['one', 'two'])
        await writer.request({ type: 'send', room, text, cid: `${room}-${text}` });
    }
    await erin.locator('.sidebar .rooms button.room .badge[data-unread="2"]').nth(1).waitFor(WAIT);
    await erin.click('.sidebar button:has-text("Mark all read")');
    await erin
      .locator('.sidebar .rooms .badge[data-unread]')
      .first()
      .waitFor({ state: 'detached', ...WAIT });
    await erin.waitForFunction(() => document.title === 'Parley', null, WAIT);
    // The markers are the server's: another device of Erin's lists both rooms read.
    const device = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, {
      name: 'Erin',
      user: (await idOf(erin, 'erin')) as string,
    });
    after(() => device.close());
    const listed = (await device.request({ type: 'rooms' })).rooms as Array<{ id: string; unread: number }>;
    assert.deepEqual(
      ids.map((id) => listed.find((r) => r.id === id)?.unread),
      [0, 0],
    );
    await context.close();
  });

  it('goes to a room by a few letters of its name (Ctrl+K), and to the next or previous one (Alt+Down, Alt+Up)', async () => {
    const node = await startNode();
    const context = await browser.newContext();
    const fay = await tab(context, node.url, 'Fay');
    for (const name of ['Gardening', 'Garage sale', 'Chess']) {
      await fay.fill('#new-room', name);
      await fay.click('form.join button:has-text("Create")');
      await fay.waitForSelector(`.room-header h1:has-text("${name}")`, WAIT);
    }
    const header = () => fay.locator('.room-header h1').textContent();
    await fay.keyboard.press('Control+k');
    const box = fay.locator('.switcher input');
    await box.waitFor(WAIT);
    await box.fill('gar');
    // Both names hold "gar"; Down marks the second, Enter opens it.
    assert.deepEqual(await fay.locator('.switcher .switch-target bdi').allTextContents(), [
      'Garage sale',
      'Gardening',
    ]);
    await box.press('ArrowDown');
    await box.press('Enter');
    await fay.locator('.switcher').waitFor({ state: 'detached', ...WAIT });
    assert.equal(await header(), 'Gardening');
    // Escape closes it without going anywhere.
    await fay.keyboard.press('Control+k');
    await box.fill('chess');
    await box.press('Escape');
    await fay.locator('.switcher').waitFor({ state: 'detached', ...WAIT });
    assert.equal(await header(), 'Gardening');
    // A public room Fay has not joined is found too, and joined when picked.
    const other = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: 'Gus', user: 'gus' });
    after(() => other.close());
    await other.request({ type: 'create_room', name: 'Gazette', id: 'gazette' });
    await fay.keyboard.press('Control+k');
    await box.fill('gaz');
    await fay.locator('.switcher .switch-target', { hasText: 'Gazette' }).locator('text=join').waitFor(WAIT);
    await box.press('Enter');
    await fay.waitForSelector('.room-header h1:has-text("Gazette")', WAIT);
    await fay.locator('.sidebar .rooms button.room', { hasText: 'Gazette' }).waitFor(WAIT);
    await fay.locator('.sidebar .rooms button.room', { hasText: 'Gardening' }).click();
    await fay.waitForSelector('.room-header h1:has-text("Gardening")', WAIT);
    // The sidebar's order (newest activity first: Gazette, Chess, Garage sale, Gardening, then lobby, an open channel).
    const order = await fay.locator('.sidebar .rooms button.room .name').allTextContents();
    const at = order.indexOf('Gardening');
    await fay.keyboard.press('Alt+ArrowDown');
    await fay.waitForSelector(`.room-header h1:has-text("${order[at + 1]}")`, WAIT);
    await fay.keyboard.press('Alt+ArrowUp');
    await fay.waitForSelector('.room-header h1:has-text("Gardening")', WAIT);
    await context.close();
  });

  it('keeps the longest names and unbroken text on screen, on a phone and on a desktop', async () => {
    const node = await startNode();
    const long = 'W'.repeat(32);
    const writer = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: long, user: 'long' });
    after(() => writer.close());
    const made = await writer.request({
      type: 'create_room',
      name: 'A room with a very long name that keeps going on and on to the limit',
      topic: 'T'.repeat(200),
    });
    const room = (made.room as { id: string }).id;
    await writer.request({ type: 'join', room });
    await writer.request({ type: 'send', room, text: 'x'.repeat(600), cid: 'x' });
    await writer.request({ type: 'send', room, text: `https://example.com/${'a'.repeat(300)}`, cid: 'y' });
    for (const width of [390, 1100]) {
      const context = await browser.newContext({ viewport: { width, height: 760 } });
      const page = await tab(context, node.url, 'V'.repeat(32), room);
      await page.locator('.messages a', { hasText: 'example.com' }).waitFor(WAIT);
      const overflow = await page.evaluate(() =>
        ['html', '.messages', '.brand', '.room-header'].filter((selector) => {
          const el = document.querySelector(selector) as HTMLElement | null;
          return el !== null && el.scrollWidth > el.clientWidth + 1;
        }),
      );
      assert.deepEqual(overflow, [], `${width} px: nothing wider than its box`);
      await context.close();
    }
  });

  it('keeps a phone layout readable: the online count and a whole status word', async () => {
    const node = await startNode();
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await tab(context, node.url, 'Phone User');
    const count = page.locator('.room-header .online-count');
    assert.ok(await count.isVisible());
    assert.equal((await count.textContent())?.trim(), '1 online');
    const status = page.locator('.header-status .status');
    assert.ok(await status.isVisible());
    const clipped = await status.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    assert.equal(clipped, false, 'the status is not cut');
    const box = await status.boundingBox();
    assert.ok(box && box.x + box.width <= 390, 'the status is on screen');
    // The count opens the online list.
    await count.click();
    await page
      .locator('.presence li', { hasText: 'Phone User (you)' })
      .waitFor({ state: 'visible', ...WAIT });
    await context.close();
  });
});

/** Luminance difference between an element's text and the page background (positive: lighter text). */
const contrastOf = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const luminance = (css: string) => {
        const [r, g, b] = (css.match(/\d+/g) ?? []).map(Number) as [number, number, number];
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      return (
        luminance(getComputedStyle(el).color) - luminance(getComputedStyle(document.body).backgroundColor)
      );
    });

describe('the chat at both sizes in both themes', { skip: !hasChromium() }, async () => {
  const browser = await launchBrowser();
  const node = await startNode();
  for (const phone of [false, true]) {
    for (const dark of [false, true]) {
      const label = `${phone ? 'phone' : 'desktop'}, ${dark ? 'dark' : 'light'}`;
      it(`${label}: status, online count, avatars, grouping, ticks, the emoji picker, readable text`, async () => {
        const context = await browser.newContext({
          viewport: phone ? { width: 390, height: 800 } : { width: 1100, height: 700 },
          colorScheme: dark ? 'dark' : 'light',
        });
        const room = `matrix-${phone ? 'p' : 'd'}${dark ? 'd' : 'l'}`;
        const kim = await tab(context, node.url, 'Kim Lane', room);
        const leo = await tab(context, node.url, 'Leo', room);
        await say(kim, 'first');
        await say(kim, 'second');
        const second = leo.locator('.messages li.message', { hasText: 'second' });
        await second.waitFor(WAIT);
        assert.match((await second.getAttribute('class')) ?? '', /\bgrouped\b/);
        assert.equal(
          await leo.locator('.messages li.message', { hasText: 'first' }).locator('.avatar').textContent(),
          'KL',
        );
        await kim
          .locator('.messages li.message.mine.sent', { hasText: 'second' })
          .locator('.state[aria-label="sent"]')
          .waitFor(WAIT);
        const status = leo.locator(phone ? '.header-status .status' : '.sidebar .status');
        assert.ok(await status.isVisible());
        assert.equal((await status.textContent())?.trim(), 'Connected');
        assert.equal(await status.evaluate((el) => el.scrollWidth > el.clientWidth + 1), false, 'not cut');
        const count = leo.locator('.room-header .online-count');
        assert.ok(await count.isVisible());
        assert.equal((await count.textContent())?.trim(), '2 online');
        const contrast = await contrastOf(leo, '.messages li.message .text');
        assert.ok(dark ? contrast > 120 : contrast < -120, `text against the page: ${contrast}`);
        await leo.click('.emoji-toggle');
        const picker = await leo.locator('.emoji-picker').boundingBox();
        const width = phone ? 390 : 1100;
        assert.ok(picker && picker.x >= 0 && picker.x + picker.width <= width, 'the picker is on screen');
        // Every piece of text on screen, picker open, reads against what is behind it (3:1 at least).
        assert.deepEqual(await lowContrastText(leo), []);
        await leo.click('[aria-label="Insert 🎉"]');
        assert.equal(await leo.inputValue('#composer-text'), '🎉');
        await context.close();
      });
    }
  }
});

describe('the chat through a Redis outage', { skip: !hasChromium() }, async () => {
  const browser = await launchBrowser();
  const redis = await RedisServer.start();
  after(() => redis.stop());
  const node = await startNode({ redisUrl: redis.url, store: 'redis', statsIntervalMs: 300 });

  it('keeps a refused send to retry, shows the degraded state, and keeps old messages through a reset', async () => {
    const context = await browser.newContext();
    const erin = await tab(context, node.url, 'Erin');
    const finn = await tab(context, node.url, 'Finn');
    await say(erin, 'said before the outage');
    await shownMessage(finn, 'said before the outage').waitFor(WAIT);

    // Redis goes away: the send is refused, kept with its text and a retry, and the status says so.
    await redis.kill();
    await say(erin, 'written during the outage');
    const failed = erin.locator('.messages li.message.failed', { hasText: 'written during the outage' });
    await failed.locator('.retry').waitFor(WAIT);
    await erin.waitForSelector('.sidebar .status[data-status="degraded"]', WAIT);
    assert.equal(await erin.inputValue('#composer-text'), '');

    // Redis comes back empty: history is reset; what was on screen stays above a separator.
    await redis.restart();
    await erin.waitForSelector('.sidebar .status[data-status="connected"]', { timeout: 30_000 });
    await say(finn, 'said after the reset');
    await shownMessage(erin, 'said after the reset').waitFor({ timeout: 30_000 });
    await erin.locator('.divider.reset').waitFor(WAIT);
    await erin.locator('.messages li.before-reset', { hasText: 'said before the outage' }).waitFor(WAIT);
    // The failed message is still there, with its text; a retry sends it (the same cid).
    await failed.locator('.retry').click();
    await erin
      .locator('.messages li.message.mine.sent', { hasText: 'written during the outage' })
      .waitFor(WAIT);
    await shownMessage(finn, 'written during the outage').waitFor(WAIT);
    await context.close();
  });

  it('clears typing and greys the online list while disconnected', async () => {
    const context = await browser.newContext();
    const page = await tab(context, node.url, 'Gus');
    const hal = await tab(context, node.url, 'Hal');
    await hal.type('#composer-text', 'hm');
    await page.locator('.typing', { hasText: 'Hal is typing' }).waitFor(WAIT);
    const green = await page
      .locator('.presence .online-dot')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    await node.shutdown();
    await page.waitForSelector('.presence.stale', WAIT);
    // Cleared with the connection, not by the indicator's own timeout: empty as soon as the list greys.
    assert.equal(await page.textContent('.typing'), '');
    const grey = await page
      .locator('.presence .online-dot')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(grey, green);
    await context.close();
  });
});

/** The example token backend of docs/security.md, on a free port. */
async function startTokenEndpoint(chatUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [`${ROOT}examples/token-endpoint.mjs`], {
    env: { ...process.env, PARLEY_JWT_SECRET: SECRET, CHAT_URL: chatUrl, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  after(() => child.kill());
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  return { url: `http://127.0.0.1:${port}`, child };
}

describe('the bundled chat in token mode', { skip: !hasChromium() }, async () => {
  const browser = await launchBrowser();

  it('signs in through the example token endpoint and keeps the session on reload', async () => {
    const port = await freePort();
    const chatUrl = `http://127.0.0.1:${port}`;
    const endpoint = await startTokenEndpoint(chatUrl);
    const node = await startNode({
      port,
      auth: 'jwt',
      jwtSecret: SECRET,
      uiTokenUrl: `${endpoint.url}/token`,
      uiLoginUrl: `${endpoint.url}/login`,
    });
    assert.equal(node.url, chatUrl);
    const page = await (await browser.newContext()).newPage();
    await page.goto(chatUrl);
    await page.click('a.button:has-text("Sign in")', WAIT);
    await page.fill('#login-name', 'Hana');
    await page.click('button[type=submit]');
    await page.waitForURL(`${chatUrl}/`, WAIT);
    await page.waitForSelector('.status[data-status="connected"]', WAIT);
    assert.equal(await page.textContent('.brand .me'), 'Hana');
    await say(page, 'signed in with a token');
    await page.locator('.messages li.message.mine.sent', { hasText: 'signed in with a token' }).waitFor(WAIT);
    await page.reload();
    await page.waitForSelector('.status[data-status="connected"]', WAIT);
    assert.equal(await page.textContent('.brand .me'), 'Hana');
  });

  it('says what to do when no token endpoint is set, instead of a dead composer', async () => {
    const node = await startNode({ auth: 'jwt', jwtSecret: SECRET });
    const page = await (await browser.newContext()).newPage();
    await page.goto(node.url);
    await page.locator('text=no sign-in is set up for this page').waitFor(WAIT);
    assert.equal(await page.locator('#composer-text').count(), 0);
    assert.equal(await page.locator('#name').count(), 0);
  });
});
