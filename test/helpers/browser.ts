import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { type Browser, chromium } from 'playwright-core';

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
