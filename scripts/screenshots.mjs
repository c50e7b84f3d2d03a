#!/usr/bin/env node
// Takes the README's screenshots (docs/screenshots/) of the chat and the dashboard: one instance in this process
// (rooms kept in memory, an admin token for the dashboard's actions), driven by Debian's Chromium.
// Run after `npm run build`: npm run screenshots
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createNode, makeConfig } from '../dist/src/index.js';
import { pngOf } from '../dist/test/helpers/png.js';

const out = new URL('../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ADMIN = 'screenshots-admin-token';

const node = createNode(
  makeConfig({
    port: 0,
    host: '127.0.0.1',
    nodeId: 'parley-1',
    store: 'memory',
    adminToken: ADMIN,
    statsIntervalMs: 500,
    logLevel: 'silent',
    // The conversation links example.com: nothing is fetched from beyond this machine.
    linkPreviews: 'off',
  }),
);
await node.start();
const browser = await chromium.launch({
  executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const person = async (name, options = {}) => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 640 }, ...options });
    const page = await context.newPage();
    await page.goto(node.url);
    await page.fill('#name', name);
    await page.click('form.card button[type=submit]');
    await page.waitForSelector('.status[data-status="connected"]', { state: 'attached' });
    return page;
  };
  const say = async (page, text) => {
    await page.fill('#composer-text', text);
    await page.press('#composer-text', 'Enter');
    await pause(150);
  };
  const alice = await person('Alice Martin');
  const bob = await person('Bob Okafor', { colorScheme: 'dark' });
  const phone = await person('Dana Lee', { viewport: { width: 390, height: 760 }, isMobile: true });
  await say(alice, 'Morning! The release notes are at https://example.com/notes');
  await say(alice, 'Two things left before Friday: the **migration guide** and `CHANGELOG.md`.');
  await say(bob, 'Thanks. <b>HTML</b> stays text here, by the way.');
  await say(phone, 'On my phone, reading along 👋');
  await say(bob, 'I can take the changelog @Alice Martin');
  // A thread under the to-do message: its count shows in the conversation, the thread beside it on Bob's screen.
  const todo = bob.locator('.messages li.message', { hasText: 'Two things left' });
  await todo.hover();
  await todo.locator('.actions button', { hasText: 'Thread' }).click();
  const inThread = async (page, text) => {
    await page.fill('#thread-composer-text', text);
    await page.press('#thread-composer-text', 'Enter');
    await pause(150);
  };
  await inThread(bob, 'The migration guide has a draft: review welcome');
  await alice.locator('.thread-summary').click();
  await inThread(alice, 'On it after lunch');
  // A photo with a caption: an evening sky, painted pixel by pixel.
  const sky = pngOf(480, 270, (x, y) => [
    Math.round(250 - y * 0.35),
    Math.round(120 + y * 0.3 - x * 0.05),
    Math.round(90 + x * 0.2),
  ]);
  await phone.setInputFiles('.composer input[type=file]', {
    name: 'harbour.png',
    mimeType: 'image/png',
    buffer: sky,
  });
  await phone.waitForSelector('.attachments li.ready');
  await say(phone, 'The view from the offsite');
  await pause(300);
  await alice.fill('#new-room', 'Design review');
  await alice.click('form.join button:has-text("Create")');
  await pause(300);
  await say(alice, 'New mockups are up');
  // Starred: listed under Favorites, first.
  await alice.click('.room-header .favorite-toggle');
  await pause(200);
  await alice.click('.rooms button:has-text("lobby")');
  await pause(200);
  const last = alice.locator('.messages li.message').last();
  await last.hover();
  await last.locator('button:has-text("React")').click();
  await last.locator('[aria-label="React 🎉"]').click();
  await pause(200);
  await bob.type('#composer-text', 'Looks go');
  await pause(400);
  await alice.mouse.move(0, 0);
  await alice.screenshot({ path: join(out, 'chat.png') });
  await bob.screenshot({ path: join(out, 'chat-dark.png') });
  await phone.screenshot({ path: join(out, 'chat-phone.png') });
  const dashboard = await (await browser.newContext({ viewport: { width: 1200, height: 860 } })).newPage();
  await dashboard.goto(`${node.url}/dashboard`);
  await dashboard.fill('#admin-token', ADMIN);
  await dashboard.click('form.card button[type=submit]');
  await dashboard.waitForSelector('[data-testid="connections-total"]');
  for (let i = 0; i < 12; i += 1) {
    await say(i % 2 ? alice : bob, `traffic ${i}`);
    await pause(350);
  }
  // Nothing of the page is cut: the users table fits its panel (its last column holds the Disconnect buttons).
  const cut = await dashboard.$$eval('.table-wrap', (wraps) =>
    wraps.filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.closest('section')?.ariaLabel),
  );
  if (cut.length > 0) console.warn(`cut at 1200 px: ${cut.join(', ')}`);
  await dashboard.screenshot({ path: join(out, 'dashboard.png'), fullPage: true });
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await node.shutdown();
}
