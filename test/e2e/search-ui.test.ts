/**
 * Message search in the web UI, in Chromium, on one instance with the embedded store (what `npm start` runs): words
 * found in every room of the user or in this one, what matched marked, and a result far back in a room opened at
 * the message (history loaded back to it); filters typed among the words (from:, in:, has:, on:, before:), and a
 * person's messages found from their card.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  hasChromium,
  launchBrowser,
  lowContrastText,
  shownMessage,
  signIn,
  WAIT,
} from '../helpers/browser.js';
import { spawnServer } from '../helpers/processes.js';
import { removeQuietly } from '../helpers/remove-quietly.js';

const API = 'api-token-for-search-ui';

/**
 * A server on the embedded store in a temporary directory, with the server API (the store named: the test helper
 * runs the memory store otherwise, to keep tests from writing ./data), and a POST to its API.
 */
async function embeddedServer(extra: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'parley-search-ui-'));
  after(() => removeQuietly(dir));
  const node = await spawnServer([
    '--store',
    'embedded',
    '--data-dir',
    join(dir, 'data'),
    '--api-token',
    API,
    ...extra,
  ]);
  const api = async (path: string, body: unknown) => {
    const response = await fetch(`${node.httpUrl}/api${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `${path}: ${response.status} ${await response.text()}`);
  };
  return { node, api };
}

describe('message search in the web UI', { skip: !hasChromium() }, async () => {
  const { node, api } = await embeddedServer();
  const carol = { id: 'carol', name: 'Carol' };
  const post = (room: string, text: string) => api(`/rooms/${room}/messages`, { text, from: carol });
  await api('/rooms', { name: 'Plans', id: 'plans', owner: carol });
  await api('/rooms', { name: 'Random', id: 'random', owner: carol });
  await post('plans', 'kickoff on Friday, 10:00');
  // More than the chat loads when it opens a room: the kickoff is found far back.
  for (let i = 1; i <= 70; i += 1) await post('plans', `filler ${i}`);
  await post('plans', 'friday retro notes');
  await post('random', 'Fried chicken? Friday!');
  // The chat's default room is an open channel: nobody belongs to it, and it is searched while joined.
  await post('lobby', 'lobby on friday');
  const browser = await launchBrowser();
  const alice = await signIn(browser, node.httpUrl, 'Alice');
  const open = async (page: Page, title: string) => {
    await page.click('button:has-text("Browse public rooms")');
    await page.locator('.browse button.room', { hasText: title }).click(WAIT);
    await page.locator('.room-header h1', { hasText: title }).waitFor(WAIT);
  };
  const results = (page: Page) => page.locator('.search-results .search-result');

  it('finds words in every room of the user, marks them, and opens a result far back at the message', async () => {
    await open(alice, 'Random');
    await open(alice, 'Plans');
    await alice.click('.room-header button:has-text("Search")');
    await alice.fill('input[aria-label="Search messages"]', 'fri');
    await alice.press('input[aria-label="Search messages"]', 'Enter');
    await results(alice).nth(3).waitFor(WAIT);
    assert.deepEqual(await results(alice).locator('.result-text').allInnerTexts(), [
      'lobby on friday',
      'Fried chicken? Friday!',
      'friday retro notes',
      'kickoff on Friday, 10:00',
    ]);
    assert.deepEqual(
      await results(alice).nth(1).locator('mark').allInnerTexts(),
      ['Fri', 'Fri'],
      'the start of each word the search matched',
    );
    assert.match(
      (await results(alice).nth(1).locator('.result-head').textContent()) ?? '',
      /Random · Carol ·/,
    );
    assert.equal(await shownMessage(alice, 'kickoff on Friday').count(), 0, 'not loaded yet: far back');
    assert.deepEqual(await lowContrastText(alice), [], 'the results and their marks are readable');
    await alice.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await lowContrastText(alice), [], 'in the dark theme too');
    await alice.emulateMedia({ colorScheme: 'light' });

    await results(alice).nth(3).click();
    const kickoff = shownMessage(alice, 'kickoff on Friday');
    await kickoff.and(alice.locator('.flash')).waitFor(WAIT);
    assert.ok(await kickoff.isVisible(), 'scrolled into view');
    assert.equal(await results(alice).count(), 4, 'the results stay while the reader goes through them');

    await results(alice).nth(1).click();
    await alice.locator('.room-header h1', { hasText: 'Random' }).waitFor(WAIT);
    await shownMessage(alice, 'Fried chicken').and(alice.locator('.flash')).waitFor(WAIT);
  });

  it('searches this room only, says when nothing matched, and closes', async () => {
    await alice.selectOption('select[aria-label="Search in"]', 'room');
    await alice.fill('input[aria-label="Search messages"]', 'friday');
    await alice.click('.search-panel button[type=submit]');
    await alice.waitForFunction(
      () => document.querySelectorAll('.search-results .search-result').length === 1,
      undefined,
      WAIT,
    );
    assert.deepEqual(await results(alice).locator('.result-text').allInnerTexts(), [
      'Fried chicken? Friday!',
    ]);
    await alice.fill('input[aria-label="Search messages"]', 'nothing here');
    await alice.press('input[aria-label="Search messages"]', 'Enter');
    await alice.locator('.search-panel', { hasText: 'No messages found.' }).waitFor(WAIT);
    await alice.press('input[aria-label="Search messages"]', 'Escape');
    await alice.locator('.search-panel').waitFor({ state: 'detached', ...WAIT });
  });

  it('on a phone, a picked result closes the panel over the conversation and shows the message', async () => {
    const phone = await signIn(browser, node.httpUrl, 'Dan', { mobile: true });
    await phone.click('.room-header .menu');
    await open(phone, 'Plans');
    await phone.click('.room-header button[aria-label="Search messages"]');
    await phone.fill('input[aria-label="Search messages"]', 'kickoff');
    await phone.press('input[aria-label="Search messages"]', 'Enter');
    await results(phone).first().click(WAIT);
    await phone.locator('.search-panel').waitFor({ state: 'detached', ...WAIT });
    await shownMessage(phone, 'kickoff on Friday').and(phone.locator('.flash')).waitFor(WAIT);
    // Opened again, the panel shows the same results.
    await phone.click('.room-header button[aria-label="Search messages"]');
    assert.equal(await results(phone).count(), 1);
  });
});

describe('search filters in the web UI', { skip: !hasChromium() }, async () => {
  const { node, api } = await embeddedServer();
  const carol = { id: 'carol', name: 'Carol' };
  const erin = { id: 'erin-7', name: 'Erin' };
  await api('/rooms', { name: 'Plans', id: 'plans', owner: carol });
  await api('/rooms', { name: 'Random', id: 'random', owner: carol });
  const browser = await launchBrowser();
  const alice = await signIn(browser, node.httpUrl, 'Alice');
  for (const title of ['Random', 'Plans']) {
    await alice.click('button:has-text("Browse public rooms")');
    await alice.locator('.browse button.room', { hasText: title }).click(WAIT);
    await alice.locator('.room-header h1', { hasText: title }).waitFor(WAIT);
  }
  const post = (room: string, text: string, from = carol) => api(`/rooms/${room}/messages`, { text, from });
  await post('plans', 'agenda at https://example.test/agenda', erin);
  await post('plans', 'agenda draft, no link yet');
  await post('random', 'erin says hi', erin);
  // Alice has seen Erin's messages: she knows her name.
  await shownMessage(alice, 'agenda at').waitFor(WAIT);
  const box = 'input[aria-label="Search messages"]';
  const panel = alice.locator('.search-panel');
  const texts = () => panel.locator('.search-results .result-text').allInnerTexts();
  /**
   * Searches for `typed` and waits for what it shows: these results, in order, or a line matching `line` (each
   * search here shows something the one before did not, so that the wait cannot end on the last one's).
   */
  const search = async (typed: string, until: string[] | RegExp) => {
    await alice.fill(box, typed);
    await alice.press(box, 'Enter');
    if (until instanceof RegExp) await panel.locator('p', { hasText: until }).waitFor(WAIT);
    else {
      await alice.waitForFunction(
        (expected) =>
          JSON.stringify(
            [...document.querySelectorAll('.search-results .result-text')].map(
              (e) => (e as HTMLElement).textContent,
            ),
          ) === expected,
        JSON.stringify(until),
        WAIT,
      );
    }
  };
  const chips = () => panel.locator('.search-filters li').allInnerTexts();

  it('narrows by person, room, link and day, says what it understood, and what it could not read', async () => {
    await alice.click('.room-header button:has-text("Search")');
    await panel.locator('.search-help', { hasText: 'from:@name' }).waitFor(WAIT);
    await search('agenda', ['agenda draft, no link yet', 'agenda at https://example.test/agenda']);
    await search('agenda from:@erin', ['agenda at https://example.test/agenda']);
    assert.deepEqual(await chips(), ['From Erin']);
    await search('has:link', ['agenda at https://example.test/agenda']);
    assert.deepEqual(await chips(), ['With links'], 'a filter alone');
    await search('from:Erin in:#random', ['erin says hi']);
    assert.deepEqual(await chips(), ['In Random', 'From Erin']);
    await search('agenda on:today', ['agenda draft, no link yet', 'agenda at https://example.test/agenda']);
    await search('agenda before:2000-01-01', /^No messages found\.$/);
    await search('agenda has:image', /only has:file and has:link/);
    await search('from:@"Nobody Known"', /Nobody here is called Nobody Known/);
    // A name nobody here has may be someone's user id: searched as one.
    await search('from:zed', /^No messages found\.$/);
    assert.deepEqual(await chips(), ['From user id zed']);
  });

  it("finds a person's messages from their card", async () => {
    await alice.press(box, 'Escape');
    await panel.waitFor({ state: 'detached', ...WAIT });
    await shownMessage(alice, 'agenda at').locator('button.from').click();
    await alice.locator('.person-card button', { hasText: 'Their messages' }).click();
    await alice.waitForFunction(
      () => document.querySelectorAll('.search-results .search-result').length === 2,
      undefined,
      WAIT,
    );
    assert.deepEqual(await texts(), ['erin says hi', 'agenda at https://example.test/agenda']);
    assert.equal(await alice.inputValue(box), 'from:erin-7');
    assert.deepEqual(await chips(), ['From Erin']);
  });
});

describe('a search that stops among the newest messages, in the web UI', {
  skip: !hasChromium(),
}, async () => {
  // Bounds that make any word seen twice walk the rooms, four messages a step: the newest messages of a small
  // room hide its older matches, as a huge database's newest do.
  const { node, api } = await embeddedServer([
    '--search-entries-max',
    '1',
    '--search-candidates-max',
    '1',
    '--search-walk-max',
    '4',
  ]);
  const carol = { id: 'carol', name: 'Carol' };
  await api('/rooms', { name: 'Notes', id: 'notes', owner: carol });
  for (const text of ['needle one', 'needle two', ...Array.from({ length: 6 }, (_, i) => `hay ${i}`)]) {
    await api('/rooms/notes/messages', { text, from: carol });
  }
  const browser = await launchBrowser();

  it('says that none of the newest matched, and finds the older ones when asked', async () => {
    const bea = await signIn(browser, node.httpUrl, 'Bea');
    await bea.click('button:has-text("Browse public rooms")');
    await bea.locator('.browse button.room', { hasText: 'Notes' }).click(WAIT);
    await bea.locator('.room-header h1', { hasText: 'Notes' }).waitFor(WAIT);
    await bea.click('.room-header button:has-text("Search")');
    await bea.selectOption('select[aria-label="Search in"]', 'room');
    await bea.fill('input[aria-label="Search messages"]', 'needle');
    await bea.press('input[aria-label="Search messages"]', 'Enter');
    const panel = bea.locator('.search-panel');
    await panel.locator('text=No messages found among the newest.').waitFor(WAIT);
    const older = panel.locator('button:has-text("Search older messages"), button:has-text("More results")');
    const found = panel.locator('.search-results .search-result .result-text');
    // Each click reads four more messages back: a few of them reach the two needles.
    for (let click = 0; click < 6 && (await found.count()) < 2; click += 1) {
      await older.first().click(WAIT);
      await panel.locator('text=Searching…').waitFor({ state: 'detached', ...WAIT });
    }
    assert.deepEqual(await found.allInnerTexts(), ['needle two', 'needle one'], 'newest first');
  });
});
