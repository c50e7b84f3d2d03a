/**
 * Link previews in the web UI, in Chromium: a message with a link shows the page's card (image, site, title,
 * description) to its reader, made by the server from a real page of the test's (`--link-previews any` lets it reach
 * the loopback address); a link inside code has none; "Show previews of links" turns them off in this browser.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { hasChromium, launchBrowser, say, shownMessage, signIn, WAIT } from '../helpers/browser.js';
import { pngOf } from '../helpers/png.js';
import { spawnServer } from '../helpers/processes.js';

describe('link previews in the web UI', { skip: !hasChromium() }, async () => {
  const picture = pngOf(120, 60, [30, 120, 200]);
  const site = createServer((req, res) => {
    if (req.url === '/boat.png') {
      res.setHeader('content-type', 'image/png');
      res.end(picture);
      return;
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<html><head><meta property="og:title" content="Ships &amp; harbours">
       <meta property="og:description" content="Everything about boats."><meta property="og:site_name" content="Harbour News">
       <meta property="og:image" content="/boat.png"></head><body></body></html>`,
    );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => site.close(() => resolve())));
  const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const node = await spawnServer(['--link-previews', 'any']);
  const browser = await launchBrowser();
  after(() => browser.close());
  const alice = await signIn(browser, node.httpUrl, 'Alice');
  const bob = await signIn(browser, node.httpUrl, 'Bob');

  it("shows a linked page's card to every reader, none for a link in code, and none once turned off", async () => {
    await say(alice, `Look at this: ${origin}/ships`);
    for (const page of [alice, bob]) {
      const card = shownMessage(page, 'Look at this').locator('a.link-preview');
      await card.waitFor(WAIT);
      assert.equal(await card.locator('.title').textContent(), 'Ships & harbours');
      assert.equal(await card.locator('.site').textContent(), 'Harbour News');
      assert.equal(await card.locator('.description').textContent(), 'Everything about boats.');
      assert.equal(await card.getAttribute('href'), `${origin}/ships`);
      // The image came inside the server's answer: shown from a data: URL, never fetched by the browser.
      assert.match((await card.locator('img').getAttribute('src')) ?? '', /^data:image\/png;base64,/);
      await page.waitForFunction(
        () => (document.querySelector('a.link-preview img') as HTMLImageElement | null)?.naturalWidth === 120,
        undefined,
        WAIT,
      );
    }
    await say(alice, `In code: \`${origin}/code\` and done`);
    await shownMessage(bob, 'and done').waitFor(WAIT);
    // A later message with a link: previews are asked one at a time as messages show, so by the time its card
    // shows, a card of the earlier message would have shown too.
    await say(alice, `after the code ${origin}/after`);
    await shownMessage(bob, 'after the code').locator('a.link-preview').waitFor(WAIT);
    assert.equal(await shownMessage(bob, 'and done').locator('a.link-preview').count(), 0);

    await bob.check('#link-previews');
    await bob.uncheck('#link-previews');
    await shownMessage(bob, 'Look at this')
      .locator('a.link-preview')
      .waitFor({ state: 'detached', ...WAIT });
    await bob.reload();
    await bob.waitForSelector('.status[data-status="connected"]', WAIT);
    await shownMessage(bob, 'Look at this').waitFor(WAIT);
    assert.equal(await bob.isChecked('#link-previews'), false, 'kept in this browser');
    assert.equal(await shownMessage(bob, 'Look at this').locator('a.link-preview').count(), 0);
  });
});
