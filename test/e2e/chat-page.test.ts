/** The chat page in a real browser: two people in two browser contexts chat in one room. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { startNode } from '../helpers/nodes.js';

async function signIn(page: Page, url: string, name: string, room: string): Promise<void> {
  await page.goto(url);
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#status[data-status="connected"]', { timeout: 10_000 });
  assert.equal(await page.isVisible('#signin'), false, 'the sign-in form is gone');
  assert.equal(await page.isVisible('#composer'), true);
}

describe('chat page in Chromium', () => {
  it('lets two people chat in a room, showing presence, typing and text as text', async () => {
    const node = await startNode();
    const browser = await launchBrowser();
    const alice = await (await browser.newContext()).newPage();
    const bob = await (await browser.newContext()).newPage();
    await signIn(alice, node.url, 'Alice', 'lobby');
    await signIn(bob, node.url, 'Bob', 'lobby');

    await alice.waitForFunction(
      () => document.querySelector('#presence')?.textContent?.includes('Bob'),
      null,
      {
        timeout: 10_000,
      },
    );
    await bob.type('#text', 'hi');
    await alice.waitForFunction(() => document.querySelector('#typing')?.textContent?.includes('Bob'), null, {
      timeout: 10_000,
    });
    await bob.fill('#text', 'Hello <b>Alice</b> <img src=x onerror="window.pwned=1">');
    await bob.press('#text', 'Enter');
    const item = alice.locator('#messages li', { hasText: 'Hello' });
    await item.waitFor({ timeout: 10_000 });
    assert.equal(
      await item.locator('.text').textContent(),
      'Hello <b>Alice</b> <img src=x onerror="window.pwned=1">',
      'shown as literal text',
    );
    assert.equal(await alice.locator('#messages li b').count(), 0, 'no HTML was injected');
    assert.equal(await alice.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);

    await alice.fill('#text', 'Hi Bob');
    await alice.press('#text', 'Enter');
    await bob.locator('#messages li', { hasText: 'Hi Bob' }).waitFor({ timeout: 10_000 });
    await alice.locator('#messages li.mine', { hasText: 'Hi Bob' }).waitFor({ timeout: 10_000 });
    assert.equal(await alice.locator('#messages li.mine').count(), 1, 'own messages are marked, only they');
    await alice.locator('#messages li.mine .state', { hasText: '✓' }).waitFor({ timeout: 10_000 });
    assert.equal(await alice.locator('#messages li.pending').count(), 0, 'acknowledged: no longer pending');
    assert.equal(await bob.locator('#messages li.mine').count(), 1);
  });
});
