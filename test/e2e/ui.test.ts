/**
 * The web UI in Chromium against two instances sharing a private Redis: two people chatting, presence, typing,
 * HTML shown as text, unread counts, older history, the live dashboard, and an instance restart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { launchBrowser, say, shownMessage, signIn, WAIT } from '../helpers/browser.js';
import { startNode } from '../helpers/nodes.js';
import { type ServerProcess, spawnServer, startInstanceGroup } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil, within } from '../helpers/wait.js';

const message = shownMessage;

describe('web UI over two instances and Redis', async () => {
  const { nodes, groupArgs } = await startInstanceGroup(2, 'ui', ['--stats-interval-ms', '500']);
  const browser = await launchBrowser();
  const alice = await signIn(browser, (nodes[0] as ServerProcess).httpUrl, 'Alice');
  const bob = await signIn(browser, (nodes[1] as ServerProcess).httpUrl, 'Bob');

  it('connects each person to a different instance (named for operators in a tooltip, not the headline)', async () => {
    assert.equal(await alice.getAttribute('.sidebar .status', 'data-node'), 'ui0');
    assert.equal(await bob.getAttribute('.sidebar .status', 'data-node'), 'ui1');
    assert.equal(await alice.getAttribute('.sidebar .status', 'title'), 'Instance ui0');
    assert.equal((await alice.textContent('.sidebar .status'))?.trim(), 'Connected');
  });

  it('shows presence and typing across instances', async () => {
    await alice.locator('.presence li', { hasText: 'Bob' }).waitFor(WAIT);
    await bob.locator('.presence li', { hasText: 'Bob (you)' }).waitFor(WAIT);
    await bob.locator('.presence li', { hasText: 'Alice' }).waitFor(WAIT);
    await bob.type('#composer-text', 'hel');
    await alice.locator('.typing', { hasText: 'Bob is typing' }).waitFor(WAIT);
    await bob.fill('#composer-text', '');
  });

  it('delivers messages both ways, own ones marked and going from pending to sent', async () => {
    await say(alice, 'Hello Bob, from instance 0');
    await message(bob, 'Hello Bob, from instance 0').waitFor(WAIT);
    await alice.locator('.messages li.message.mine.sent', { hasText: 'Hello Bob' }).waitFor(WAIT);
    assert.equal(
      await alice
        .locator('.messages li.message.mine', { hasText: 'Hello Bob' })
        .locator('.from')
        .textContent(),
      'You',
    );
    await say(bob, 'Hi Alice, see https://example.com/page ok');
    const link = message(alice, 'Hi Alice').locator('a');
    await link.waitFor(WAIT);
    assert.equal(await link.getAttribute('href'), 'https://example.com/page');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  });

  it('offers only the actions this server takes (--store redis keeps no rooms: no reactions, edits, deletes, search)', async () => {
    const own = alice.locator('.messages li.message.mine.sent', { hasText: 'Hello Bob' });
    await own.hover();
    const actions = own.locator('.actions button');
    await actions.first().waitFor(WAIT);
    assert.deepEqual(await actions.allTextContents(), ['Reply', '⋯']);
    // Under "More actions", what needs no stored rooms: quoting, forwarding, a link.
    await own.locator('.actions button.more').click(WAIT);
    assert.deepEqual(await own.locator('.actions .more-menu button').allTextContents(), [
      'Quote',
      'Forward',
      'Copy link',
    ]);
    await own.locator('.actions button.more').click(WAIT);
    assert.equal(await alice.locator('.room-header .search-toggle').count(), 0, 'no Search button');
    // The protocol says why, on the joined room and without one.
    const probe = await RawClient.connect((nodes[0] as ServerProcess).wsUrl, {
      name: 'Probe',
      user: 'probe',
    });
    try {
      await probe.request({ type: 'join', room: 'lobby' });
      for (const command of [{ query: 'hello' }, { query: 'hello', room: 'lobby' }]) {
        const refused = await probe.request({ type: 'search', ...command });
        assert.deepEqual(
          [refused.code, refused.message],
          ['unsupported', 'this server cannot search messages (--store redis keeps no index of them)'],
        );
      }
    } finally {
      probe.close();
    }
  });

  it('labels a link with the address it really goes to, whatever direction characters it hides', async () => {
    await say(bob, 'spoof https://example.com/\u202Eevil here');
    const link = message(alice, 'spoof').locator('a');
    await link.waitFor(WAIT);
    assert.equal(await link.getAttribute('href'), 'https://example.com/%E2%80%AEevil');
    assert.equal(await link.textContent(), 'https://example.com/%E2%80%AEevil');
  });

  it('shows HTML and script as literal text', async () => {
    const evil =
      '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b> javascript:alert(1)';
    await say(bob, evil);
    const shown = message(alice, 'onerror');
    await shown.waitFor(WAIT);
    assert.equal(await shown.locator('.text').textContent(), evil);
    assert.equal(await alice.locator('.messages img, .messages script, .messages b').count(), 0);
    assert.equal(await shown.locator('a').count(), 0, 'only http(s) links become links');
    assert.equal(await alice.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
  });

  it('shows the formatting people type: code, code blocks, bold, italic, struck; leaves the rest as typed', async () => {
    await say(
      bob,
      'fmt: `npm ci`, **bold _both_**, *it*, ~~old~~ https://example.com/a_b_c snake_case 2*3*4',
    );
    const shown = message(alice, 'fmt:');
    await shown.waitFor(WAIT);
    const text = shown.locator('.text');
    assert.deepEqual(
      await text.evaluate((el) =>
        [...el.querySelectorAll('*')].map((e) => `${e.localName}:${e.textContent}`),
      ),
      [
        'code:npm ci',
        'strong:bold both',
        'em:both',
        'em:it',
        'del:old',
        'a:https://example.com/a_b_c',
        'bdi:https://example.com/a_b_c',
      ],
    );
    assert.match((await text.textContent()) ?? '', /snake_case 2\*3\*4$/);
    await bob.fill('#composer-text', 'block:\n```js\nconst a = 1 * 2;\nhttps://not.a.link/\n```\nafter');
    await bob.press('#composer-text', 'Enter');
    const block = message(alice, 'block:').locator('pre.code-block code');
    await block.waitFor(WAIT);
    assert.equal(await block.textContent(), 'const a = 1 * 2;\nhttps://not.a.link/');
    assert.equal(await message(alice, 'block:').locator('a').count(), 0, 'code is shown as typed');
    // Quoted lines, with their own formatting, between lines that are not; `>` elsewhere is text.
    await bob.fill('#composer-text', 'quote:\n> first **line**\n>\n> second\nafter 2 > 1\n>no space');
    await bob.press('#composer-text', 'Enter');
    const quote = message(alice, 'quote:').locator('blockquote.quote-block');
    await quote.waitFor(WAIT);
    assert.equal(await quote.count(), 1);
    assert.equal(await quote.textContent(), 'first line\n\nsecond');
    assert.equal(await quote.locator('strong').textContent(), 'line');
    assert.match(
      (await message(alice, 'quote:').locator('.text').textContent()) ?? '',
      /after 2 > 1\n>no space$/,
    );
  });

  it('counts unread messages of rooms not in view', async () => {
    await alice.fill('#join-room', 'side');
    await alice.press('#join-room', 'Enter');
    await alice.locator('.room-header h1', { hasText: '#side' }).waitFor(WAIT);
    await alice.click('.rooms button:has-text("lobby")');
    await say(bob, 'unread one');
    const side = await RawClient.connect((nodes[1] as ServerProcess).wsUrl, { name: 'Carol', user: 'carol' });
    await side.request({ type: 'join', room: 'side' });
    await side.request({ type: 'send', room: 'side', text: 'psst', cid: 'p1' });
    await side.request({ type: 'send', room: 'side', text: 'psst again', cid: 'p2' });
    await alice.locator('.rooms button:has-text("side") .badge', { hasText: '2' }).waitFor(WAIT);
    await alice.click('.rooms button:has-text("side")');
    assert.equal(await alice.locator('.rooms button:has-text("side") .badge').count(), 0);
    side.close();
  });

  it("keeps each room's draft, and a reply in the room it was started in", async () => {
    // Alice is in #side (the test above): half a message there, then a look at the lobby.
    await alice.fill('#composer-text', 'half a thought for side');
    await alice.click('.rooms button:has-text("lobby")');
    await alice.locator('.room-header h1', { hasText: '#lobby' }).waitFor(WAIT);
    assert.equal(await alice.inputValue('#composer-text'), '', "side's draft stays in side");
    // A reply started in the lobby does not follow her to side.
    await message(alice, 'unread one').hover();
    await message(alice, 'unread one').locator('.actions button:has-text("Reply")').click();
    await alice.locator('.composer-context', { hasText: 'Replying to' }).waitFor(WAIT);
    await alice.click('.rooms button:has-text("side")');
    await alice.locator('.room-header h1', { hasText: '#side' }).waitFor(WAIT);
    assert.equal(await alice.locator('.composer-context').count(), 0, 'no reply to another room');
    assert.equal(await alice.inputValue('#composer-text'), 'half a thought for side');
    // A reload of the tab keeps it too.
    await alice.reload();
    await alice.waitForSelector('.status[data-status="connected"]', WAIT);
    await alice.click('.rooms button:has-text("side")');
    await alice.locator('.room-header h1', { hasText: '#side' }).waitFor(WAIT);
    assert.equal(await alice.inputValue('#composer-text'), 'half a thought for side');
    await alice.fill('#composer-text', '');
    await alice.click('.rooms button:has-text("lobby")');
  });

  it('loads older history when scrolled to the top', async () => {
    const filler = await RawClient.connect((nodes[1] as ServerProcess).wsUrl, {
      name: 'Filler',
      user: 'filler',
    });
    await filler.request({ type: 'join', room: 'archive' });
    for (let i = 1; i <= 80; i += 1)
      await filler.request({ type: 'send', room: 'archive', text: `old ${i}`, cid: `o${i}` });
    filler.close();
    await alice.fill('#join-room', 'archive');
    await alice.press('#join-room', 'Enter');
    await message(alice, 'old 80').waitFor(WAIT);
    assert.equal(await alice.locator('.messages li.message').count(), 50);
    await alice.locator('.messages').evaluate((el) => {
      el.scrollTop = 0;
    });
    await alice.locator('.messages li.notice', { hasText: 'Beginning of #archive' }).waitFor(WAIT);
    assert.equal(await alice.locator('.messages li.message').count(), 80);
    // Left reading old messages, the room opens there again (not at its newest) after a look elsewhere.
    const list = alice.locator('.messages');
    await list.evaluate((el) => {
      el.scrollTop = 200;
    });
    await alice.waitForFunction(() => document.querySelector('.messages')?.scrollTop === 200, null, WAIT);
    await alice.click('.rooms button:has-text("lobby")');
    await alice.locator('.room-header h1', { hasText: '#lobby' }).waitFor(WAIT);
    await alice.click('.rooms button:has-text("archive")');
    await alice.locator('.room-header h1', { hasText: '#archive' }).waitFor(WAIT);
    assert.equal(await list.evaluate((el) => el.scrollTop), 200);
    await alice.click('.rooms button:has-text("lobby")');
  });

  it('shows a third client in the dashboard’s connection count within seconds', async () => {
    const dashboard = await (await browser.newContext()).newPage();
    await dashboard.goto(`${(nodes[0] as ServerProcess).httpUrl}/dashboard`);
    const total = dashboard.locator('[data-testid="total-connections"]');
    await dashboard.waitForFunction(
      () => /^\d+$/.test(document.querySelector('[data-testid="total-connections"]')?.textContent ?? ''),
      null,
      WAIT,
    );
    await dashboard.locator('table.instances tr[data-node="ui1"]').waitFor(WAIT);
    // Clients of earlier tests may still be leaving: start from a count the dashboard and the instances agree on.
    const live = async () =>
      (await Promise.all(nodes.map((n) => n.stats()))).reduce((sum, s) => sum + s.self.connections, 0);
    let before = -1;
    await waitUntil(
      async () => {
        const shown = Number(await total.textContent());
        const actual = await live();
        before = shown;
        return shown === actual;
      },
      20_000,
      'the dashboard to show the live connection count',
    );
    const third = await RawClient.connect((nodes[1] as ServerProcess).wsUrl, {
      name: 'Third',
      user: 'third',
    });
    await dashboard.waitForFunction(
      (expected) =>
        document.querySelector('[data-testid="total-connections"]')?.textContent === String(expected),
      before + 1,
      WAIT,
    );
    assert.equal(await dashboard.textContent('[data-testid="redis"]'), 'connected');
    assert.equal(await dashboard.textContent('[data-testid="instances"]'), '2 / 2');
    assert.equal(await dashboard.textContent('[data-testid="store"]'), 'Redis (recent only)');
    assert.ok((await dashboard.locator('.chart canvas').count()) >= 3, 'three live charts');
    third.close();
    await dashboard.close();
  });

  it('reconnects after its instance restarts and shows the messages sent meanwhile', async () => {
    const old = nodes[0] as ServerProcess;
    old.child.kill('SIGTERM');
    await within(old.exited, 20_000, 'the instance to exit');
    await alice.waitForSelector(
      '.status[data-status="reconnecting"], .status[data-status="connecting"]',
      WAIT,
    );
    await say(bob, 'sent while Alice was away 1');
    await say(bob, 'sent while Alice was away 2');
    await bob.locator('.messages li.message.mine.sent', { hasText: 'away 2' }).waitFor(WAIT);
    nodes[0] = await spawnServer([...groupArgs, '--node-id', 'ui0', '--stats-interval-ms', '500'], {
      port: old.port,
    });
    await alice.waitForSelector('.status[data-status="connected"]', WAIT);
    await message(alice, 'sent while Alice was away 1').waitFor(WAIT);
    await message(alice, 'sent while Alice was away 2').waitFor(WAIT);
    await alice.locator('.messages li.notice', { hasText: 'missed messages recovered' }).waitFor(WAIT);
    await say(alice, 'back again');
    await message(bob, 'back again').waitFor(WAIT);
  });
});

describe('dashboard on a single in-memory node', () => {
  it('works without Redis', async () => {
    const node = await startNode({ statsIntervalMs: 300 });
    const browser = await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${node.url}/dashboard`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="instances"]')?.textContent === '1 / 1',
      null,
      WAIT,
    );
    assert.equal(await page.textContent('[data-testid="redis"]'), 'not used (in-memory)');
    assert.equal(
      await page.textContent('[data-testid="store"]'),
      'memory (lost on restart)',
      'tests run --store memory',
    );
    const client = await RawClient.connect(node.wsUrl, { name: 'Solo' });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="total-connections"]')?.textContent === '1',
      null,
      WAIT,
    );
    client.close();
  });
});

describe('the bundled chat on the embedded default store', () => {
  it('still shows the conversation after the server restarted', async () => {
    const dataDir = await tempDir('parley-ui-data-');
    // What `npm start` runs: the embedded store (here in a temp directory instead of ./data).
    const args = ['--store', 'embedded', '--data-dir', dataDir, '--stats-interval-ms', '300'];
    const first = await spawnServer(args);
    const browser = await launchBrowser();
    const carol = await signIn(browser, first.httpUrl, 'Carol', { room: 'kept' });
    await say(carol, 'written before the restart');
    await carol.locator('.messages li.message.mine.sent', { hasText: 'before the restart' }).waitFor(WAIT);
    first.child.kill('SIGTERM');
    await within(first.exited, 20_000, 'the server to exit');

    const second = await spawnServer(args, { port: first.port });
    const dave = await signIn(browser, second.httpUrl, 'Dave', { room: 'kept' });
    await message(dave, 'written before the restart').waitFor(WAIT);
    // Carol's page reconnects by itself and keeps the conversation too.
    await carol.waitForSelector('.status[data-status="connected"]', WAIT);
    await say(dave, 'and after it');
    await message(carol, 'and after it').waitFor(WAIT);
    assert.equal((await second.stats()).self.store, 'embedded');
    // The dashboard shows where messages are kept and the store's figures.
    const dashboard = await (await browser.newContext()).newPage();
    await dashboard.goto(`${second.httpUrl}/dashboard`);
    await dashboard.waitForFunction(
      () => document.querySelector('[data-testid="store"]')?.textContent === 'embedded database',
      null,
      WAIT,
    );
    await dashboard.locator('[data-testid="store-batch"]').waitFor(WAIT);
    assert.match((await dashboard.textContent('[data-testid="store-hits"]')) ?? '', /^(—|\d+ %)$/);
    assert.equal(await dashboard.textContent('[data-testid="store-errors"]'), '0');
    // Gone before its data directory is removed (after the test): a store still closing writes into it.
    second.child.kill('SIGTERM');
    await within(second.exited, 20_000, 'the restarted server to exit');
  });
});
