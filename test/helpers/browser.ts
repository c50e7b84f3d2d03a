import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

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

/** Waits until the message box holds `text` (it is filled after a render). */
export function composerHolds(page: Page, text: string): Promise<unknown> {
  return page.waitForFunction(
    (expected) =>
      (document.querySelector('#composer-text') as HTMLTextAreaElement | null)?.value === expected,
    text,
    WAIT,
  );
}

/** A chat message on the page, by its text. */
export const shownMessage = (page: Page, text: string) =>
  page.locator('.messages li.message', { hasText: text });

/**
 * Shows a message's actions (on hover) and, when `name` is not among those shown, its "More actions" (⋯): the
 * button named `name` (any case, or a pattern), ready to click.
 */
export async function messageAction(row: Locator, name: string | RegExp): Promise<Locator> {
  await row.hover();
  const shown = row.locator('.actions > button', { hasText: name });
  if ((await shown.count()) > 0) return shown.first();
  await row.locator('.actions button.more').click(WAIT);
  return row.locator('.actions .more-menu button', { hasText: name }).first();
}

/**
 * The visible text on the page whose colour is too close to what is behind it: a contrast ratio (WCAG's relative
 * luminance) below `minimum`, against the nearest opaque background up the tree. Each entry names the element,
 * its text and both colours. Buttons take the accent's label colour by default, so a button restyled with a light
 * background but no colour of its own shows up here.
 */
export function lowContrastText(page: Page, minimum = 3): Promise<string[]> {
  return page.evaluate((minimum) => {
    type Rgba = { r: number; g: number; b: number; a: number };
    const parse = (css: string): Rgba | undefined => {
      const parts = /rgba?\(([^)]+)\)/
        .exec(css)?.[1]
        ?.split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      if (!parts || parts.length < 3) return undefined;
      return { r: parts[0] ?? 0, g: parts[1] ?? 0, b: parts[2] ?? 0, a: parts[3] ?? 1 };
    };
    const luminance = ({ r, g, b }: Rgba) => {
      const channel = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const behind = (el: Element | null): Rgba => {
      for (let e = el; e; e = e.parentElement) {
        const colour = parse(getComputedStyle(e).backgroundColor);
        if (colour && colour.a > 0.5) return colour;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const found: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim());
      if (!ownText) continue;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
      // Disabled controls are meant to be faint.
      if (el.closest('[disabled]') || Number(style.opacity) < 0.6) continue;
      const text = parse(style.color);
      if (!text) continue;
      const back = behind(el);
      const [light, dark] = [luminance(text), luminance(back)].sort((a, b) => b - a) as [number, number];
      const ratio = (light + 0.05) / (dark + 0.05);
      if (ratio < minimum) {
        const what = `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">`;
        found.push(
          `${ratio.toFixed(2)} ${what} "${el.textContent?.trim().slice(0, 30)}" ${style.color} on ${JSON.stringify(back)}`,
        );
      }
    }
    return found;
  }, minimum);
}

/**
 * Makes the pages a context opens from now on record what they would show as desktop notifications (granted, so the
 * chat offers them), instead of showing them: read them with {@link shownNotifications}.
 */
export async function recordNotifications(context: BrowserContext): Promise<void> {
  await context.grantPermissions(['notifications']);
  await context.addInitScript(() => {
    const shown: string[] = [];
    (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
    class Recorded {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        shown.push(`${title}: ${options?.body ?? ''}`);
      }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { value: Recorded });
  });
}

/** What a page recorded as desktop notifications (`title: body`), in order (see {@link recordNotifications}). */
export function shownNotifications(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications);
}

/** Waits until a page has recorded a desktop notification (see {@link recordNotifications}). */
export function notified(page: Page, notification: string): Promise<unknown> {
  return page.waitForFunction(
    (expected) =>
      (window as unknown as { shownNotifications: string[] }).shownNotifications.includes(expected),
    notification,
    WAIT,
  );
}
