import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; never a browser downloaded by a test tool. */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

/** True when the browser is installed (`.ci/run` installs it; locally: `apt-get install chromium`). */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Launches headless Chromium for one test file; closed after it. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  after(() => browser.close());
  return browser;
}

/** How long a UI test waits for something to show. */
export const WAIT = { timeout: 15_000 };

/**
 * Opens the chat in a new browser context (a new anonymous user), signs in with a name and a room, and waits to be
 * connected. `mobile`: a 390-pixel-wide phone viewport.
 */
export async function signIn(
  browser: Browser,
  url: string,
  name: string,
  options: { room?: string; mobile?: boolean } = {},
): Promise<Page> {
  const viewport = options.mobile ? { width: 390, height: 800 } : { width: 1100, height: 700 };
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(url);
  await page.fill('#name', name);
  await page.fill('#room', options.room ?? 'lobby');
  await page.click('form.card button[type=submit]');
  await page.waitForSelector('.status[data-status="connected"]', WAIT);
  return page;
}

/** Types a message in the composer and sends it. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#composer-text', text);
  await page.press('#composer-text', 'Enter');
}

/** A chat message on the page, by its text. */
export const shownMessage = (page: Page, text: string) =>
  page.locator('.messages li.message', { hasText: text });
