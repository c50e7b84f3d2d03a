/**
 * Files in the web UI, in Chromium, over two instances (Redis as the bus, PostgreSQL as the store, where the files'
 * bytes are too): Alice on one instance picks an image and drops a text file into the message box, sends them;
 * Bob on the other instance sees the image shown (loaded, at its size) and the file to download; a delete takes
 * them away for both; a recording is played from the other instance.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  hasChromium,
  launchBrowser,
  messageAction,
  say,
  shownMessage,
  signIn,
  WAIT,
} from '../helpers/browser.js';
import { pngOf } from '../helpers/png.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { spawnServer } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis-server.js';
import { wavOf } from '../helpers/wav.js';

describe('files in the web UI over two instances', { skip: !hasChromium() }, async () => {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  const shared = ['--redis-url', redis.url, '--database-url', pg.url, '--redis-prefix', 'fui'];
  const nodes = await Promise.all([0, 1].map((i) => spawnServer([...shared, '--node-id', `fui${i}`])));
  const browser = await launchBrowser();
  after(() => browser.close());
  const alice = await signIn(browser, nodes[0]?.httpUrl as string, 'Alice');
  const bob = await signIn(browser, nodes[1]?.httpUrl as string, 'Bob');

  it('uploads a picked image and a dropped file, sends them, shows them to the other side, and deletes them', async () => {
    await alice.fill('#new-room', 'Pictures');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Pictures' }).waitFor(WAIT);
    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Pictures' }).click(WAIT);
    await bob.locator('.room-header h1', { hasText: 'Pictures' }).waitFor(WAIT);

    const png = pngOf(120, 80, [30, 120, 200]);
    await alice.setInputFiles('.composer input[type=file]', {
      name: 'blue.png',
      mimeType: 'image/png',
      buffer: png,
    });
    // Dropped onto the message box, as from a file manager.
    const dropped = await alice.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['meeting at noon'], 'notes.txt', { type: 'text/plain' }));
      return transfer;
    });
    await alice.dispatchEvent('form.composer', 'drop', { dataTransfer: dropped });
    const chips = alice.locator('.attachments li');
    await chips.filter({ hasText: 'blue.png' }).and(alice.locator('li.ready')).waitFor(WAIT);
    await chips.filter({ hasText: 'notes.txt' }).and(alice.locator('li.ready')).waitFor(WAIT);
    await say(alice, 'the sky today');

    const sent = shownMessage(bob, 'the sky today');
    const image = sent.locator('.file-image img');
    await image.waitFor(WAIT);
    await bob.waitForFunction(
      () => (document.querySelector('.file-image img') as HTMLImageElement | null)?.naturalWidth === 120,
      undefined,
      WAIT,
    );
    assert.deepEqual(
      [await image.getAttribute('width'), await image.getAttribute('height')],
      ['120', '80'],
      'shown at its size before it loads: nothing jumps',
    );
    const chip = sent.locator('.file-chip', { hasText: 'notes.txt' });
    await chip.waitFor(WAIT);
    const href = (await chip.getAttribute('href')) as string;
    const served = await fetch(`${nodes[1]?.httpUrl}${href}`);
    assert.equal(await served.text(), 'meeting at noon', 'read from the other instance');
    assert.equal(await alice.locator('.attachments li').count(), 0, 'the box is empty again');

    // A recording: played on the other side by the browser, which reads it through the server (ranges).
    await alice.setInputFiles('.composer input[type=file]', {
      name: 'hello.wav',
      mimeType: 'audio/wav',
      buffer: wavOf(1.5),
    });
    await alice.locator('.attachments li.ready').waitFor(WAIT);
    await say(alice, 'listen');
    await shownMessage(bob, 'listen').locator('.file-audio audio').waitFor(WAIT);
    await bob.waitForFunction(
      () => {
        const audio = document.querySelector('.file-audio audio') as HTMLAudioElement | null;
        return audio !== null && Math.abs(audio.duration - 1.5) < 0.05;
      },
      undefined,
      WAIT,
    );

    // A photo alone: no text, and the room list of the other side says what it was.
    await alice.setInputFiles('.composer input[type=file]', {
      name: 'again.png',
      mimeType: 'image/png',
      buffer: png,
    });
    await alice.locator('.attachments li.ready').waitFor(WAIT);
    await alice.click('.composer button[type=submit]');
    await bob.locator('.messages li.message .file-image img[alt="again.png"]').waitFor(WAIT);

    const row = shownMessage(alice, 'the sky today');
    alice.once('dialog', (dialog) => void dialog.accept());
    await (await messageAction(row, 'Delete')).click(WAIT);
    await sent.waitFor({ state: 'detached', ...WAIT });
    await bob.waitForFunction(() => !document.querySelector('.file-chip'), undefined, WAIT);
    assert.equal((await fetch(`${nodes[1]?.httpUrl}${href}`)).status, 404, 'gone with its message');
  });
});
