/**
 * The dashboard in Chromium against two instances sharing a private Redis, behind an admin token: a wrong token
 * is said so; the users list pages and searches every instance's connections; the live feed shows messages
 * (texts behind the token) and filters by room; the actions send a system message, disconnect a user everywhere
 * and look into a room; per-instance performance; charts readable in the dark theme (pixels, not only elements);
 * cards that do not wrap, legends without placeholders and a phone layout that does not overflow.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchBrowser, WAIT } from '../helpers/browser.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';

const ADMIN = 'dashboard-admin-token-0123';

async function openDashboard(
  browser: Browser,
  url: string,
  options: { dark?: boolean; width?: number; token?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1200, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  await page.goto(`${url}/dashboard`);
  await page.fill('#admin-token', options.token ?? ADMIN);
  await page.click('form.card button[type=submit]');
  return page;
}

/**
 * In the page: pixels of the first chart's axis area that have about the page's text colour (none while the chart
 * has not drawn yet).
 */
function axisPixelsInPage(): { matching: number; text: string } {
  const host = document.querySelector('.chart div') as HTMLElement | null;
  const canvas = host?.querySelector('canvas');
  if (!host || !canvas || canvas.width === 0) return { matching: 0, text: '' };
  const [r, g, b] = (getComputedStyle(host).color.match(/\d+/g) ?? ['0', '0', '0']).map(Number) as [
    number,
    number,
    number,
  ];
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  // The left axis (its tick labels) and the bottom axis.
  const areas = [
    context.getImageData(0, 0, 60 * devicePixelRatio, canvas.height),
    context.getImageData(0, canvas.height - 40 * devicePixelRatio, canvas.width, 40 * devicePixelRatio),
  ];
  let matching = 0;
  for (const { data } of areas) {
    for (let i = 0; i < data.length; i += 4) {
      const close =
        Math.abs((data[i] as number) - r) < 60 &&
        Math.abs((data[i + 1] as number) - g) < 60 &&
        Math.abs((data[i + 2] as number) - b) < 60;
      if (close && (data[i + 3] as number) > 128) matching += 1;
    }
  }
  return { matching, text: `rgb(${r}, ${g}, ${b})` };
}

/** The axis pixels once the chart drew them in the text colour, or as they are after the wait's bound. */
async function textColouredAxisPixels(page: Page): Promise<{ matching: number; text: string }> {
  await page
    .waitForFunction(`(${axisPixelsInPage.toString()})().matching > 50`, null, WAIT)
    .catch(() => undefined);
  return page.evaluate(axisPixelsInPage);
}

describe('the dashboard', { skip: !hasChromium() }, async () => {
  const redis = await RedisServer.start();
  after(() => redis.stop());
  const config = { redisUrl: redis.url, adminToken: ADMIN, statsIntervalMs: 300 };
  const a = await startNode({ ...config, nodeId: 'dash-a' });
  const b = await startNode({ ...config, nodeId: 'dash-b' });
  const clients: RawClient[] = [];
  after(() => {
    for (const client of clients) client.close();
  });
  for (let i = 0; i < 30; i += 1) {
    const client = await RawClient.connect((i % 2 ? b : a).wsUrl, {
      name: `Member ${String(i).padStart(2, '0')}`,
      user: `m${i}`,
    });
    await client.request({ type: 'join', room: i % 3 ? 'lobby' : 'design' });
    clients.push(client);
  }
  const browser = await launchBrowser();

  it('says so when the admin token is wrong', async () => {
    const page = await openDashboard(browser, a.url, { token: 'not-the-token-at-all' });
    await page.locator('[role="alert"]', { hasText: 'That token was refused' }).waitFor(WAIT);
    await page.context().close();
  });

  it('pages and searches the users of every instance', async () => {
    const page = await openDashboard(browser, a.url);
    await page.locator('[data-testid="connections-total"]', { hasText: '30 connections' }).waitFor(WAIT);
    const rows = page.locator('table.connections tbody tr');
    assert.equal(await rows.count(), 25);
    const instances = await page.locator('table.connections tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(new Set(instances), new Set(['dash-a', 'dash-b']));
    await page.click('.pager button:has-text("Next")');
    await page.waitForFunction(
      () => document.querySelectorAll('table.connections tbody tr').length === 5,
      null,
      WAIT,
    );
    await page.fill('#connection-search', 'member 1');
    await page.locator('[data-testid="connections-total"]', { hasText: '10 connections' }).waitFor(WAIT);
    assert.match((await rows.first().textContent()) ?? '', /Member 10.*lobby|Member 10.*design/);
    await page.context().close();
  });

  it('streams live events with their texts, filtered by room', async () => {
    const page = await openDashboard(browser, a.url);
    const events = page.locator('[data-testid="events"] li[data-type="message"]');
    // Instance B records once the page's watch reached it through Redis: send until an event shows.
    for (let n = 0; (await events.count()) === 0 && n < 40; n += 1) {
      await (clients[1] as RawClient).request({
        type: 'send',
        room: 'lobby',
        text: `live ${n}`,
        cid: `l${n}`,
      });
      // Until this send's event shows, or the next send.
      await events
        .first()
        .waitFor({ timeout: 500 })
        .catch(() => undefined);
    }
    assert.match((await events.first().textContent()) ?? '', /Member 01.*#lobby.*live \d+/);
    await page.fill('#feed-room', 'design');
    await page.press('#feed-room', 'Tab');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="events"] li[data-type]').length === 0,
      null,
      WAIT,
    );
    await (clients[3] as RawClient).request({ type: 'send', room: 'design', text: 'for design', cid: 'd1' });
    await (clients[1] as RawClient).request({
      type: 'send',
      room: 'lobby',
      text: 'not for design',
      cid: 'd2',
    });
    await page
      .locator('[data-testid="events"] li[data-type="message"]', { hasText: 'for design' })
      .waitFor(WAIT);
    assert.equal(await page.locator('[data-testid="events"] li', { hasText: 'not for design' }).count(), 0);
    await page.context().close();
  });

  it('sends a system message, looks into a room and disconnects a user everywhere', async () => {
    const page = await openDashboard(browser, a.url);
    const listener = clients[2] as RawClient; // in lobby, on A
    await page.fill('#action-room', 'lobby');
    await page.fill('#action-text', 'Maintenance at noon');
    await page.click('form.action button:has-text("Send")');
    await page.locator('[data-testid="action-outcome"]', { hasText: 'System message sent' }).waitFor(WAIT);
    await listener.frames.find(
      (f) => f.type === 'message' && JSON.stringify(f).includes('Maintenance at noon'),
      5000,
      'the system message',
    );
    await page.click('button:has-text("Inspect room")');
    const inspected = page.locator('[data-testid="inspected"]');
    await inspected.waitFor(WAIT);
    assert.match((await inspected.textContent()) ?? '', /Present \(\d+\):.*Member/);
    assert.match((await inspected.textContent()) ?? '', /Maintenance at noon/);
    // Disconnect from the users list: Member 05 is on instance B.
    const target = clients[5] as RawClient;
    await page.fill('#connection-search', 'member 05');
    await page.locator('table.connections tbody tr', { hasText: 'Member 05' }).locator('button').click();
    // The pick reaches the actions form on its next render.
    await page.waitForFunction(
      () => (document.querySelector('#action-user') as HTMLInputElement | null)?.value === 'm5',
      null,
      WAIT,
    );
    await page.click('button:has-text("Disconnect everywhere")');
    const closed = await target.closed;
    assert.equal(closed.code, 4503);
    // The list reads itself again: the user is gone from it.
    await page.locator('[data-testid="connections-total"]', { hasText: /^0 connections/ }).waitFor(WAIT);
    await page.context().close();
  });

  it('shows each instance’s performance, and charts, cards and legends readable in both themes', async () => {
    for (const dark of [false, true]) {
      const page = await openDashboard(browser, a.url, { dark });
      await page.locator('[data-testid="cpu-dash-b"]').waitFor(WAIT);
      assert.match((await page.textContent('[data-testid="cpu-dash-b"]')) ?? '', /^\d+\.\d %$/);
      await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 6, null, WAIT);
      const axis = await textColouredAxisPixels(page);
      assert.ok(
        axis.matching > 50,
        `axis labels drawn in the text colour ${axis.text} (${axis.matching} pixels)`,
      );
      if (dark) {
        const [r] = axis.text.match(/\d+/g)?.map(Number) ?? [0];
        assert.ok((r ?? 0) > 150, 'a light text colour on the dark theme');
      }
      const legends = await page.locator('.u-legend').allTextContents();
      assert.ok(legends.length > 0 && legends.every((text) => !text.includes('--')), legends.join(' | '));
      const cut = await page.$$eval('.stat .value', (values) =>
        values.filter((v) => v.scrollWidth > v.clientWidth + 1).map((v) => v.textContent),
      );
      assert.deepEqual(cut, [], 'no card value is cut');
      await page.context().close();
    }
  });

  it('fits a phone: nothing wider than the screen but the tables, which scroll', async () => {
    const page = await openDashboard(browser, a.url, { width: 390, dark: true });
    await page.locator('[data-testid="connections-total"]').waitFor(WAIT);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 391, `page width ${overflow}`);
    const scrolls = await page.$$eval('.table-wrap', (wraps) =>
      wraps.map((w) => getComputedStyle(w).overflowX),
    );
    assert.ok(scrolls.every((s) => s === 'auto'));
    await page.context().close();
  });
});
