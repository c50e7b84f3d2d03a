/**
 * The parts of link previews that decide alone: which addresses are the public internet, and what a page's markup
 * says of it (the fetch itself is tested against a real HTTP server, test/integration/link-previews.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkPreviewImageBytes, makeConfig } from '../../src/config/config.js';
import { pageMetadata, pageText } from '../../src/links/page-metadata.js';
import { isPublicAddress } from '../../src/links/public-address.js';

describe('isPublicAddress', () => {
  it('takes hosts of the public internet, v4 and v6', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(isPublicAddress(address), true, address);
    }
  });
  it('refuses loopback, private, link-local, shared, reserved and multicast addresses, however written', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '0.0.0.0',
      '10.20.30.40',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '192.0.2.1',
      '198.18.0.1',
      '224.0.0.251',
      '255.255.255.255',
      '::',
      '::1',
      '::7f00:1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::7f00:1',
      'fe80::1',
      'fd12:3456::1',
      'ff02::1',
      '2001:db8::1',
      '2002:7f00:1::1',
      'localhost',
      '',
    ]) {
      assert.equal(isPublicAddress(address), false, address);
    }
  });
});

describe('pageMetadata', () => {
  const base = new URL('https://example.com/news/item');
  it('prefers Open Graph, then Twitter, then the title and the description; the first of a tag given twice', () => {
    const html = `<html><head><title>Title tag</title><meta name="description" content="Meta description">
      <meta name="twitter:title" content="Twitter title"><meta property="og:title" content="First">
      <meta property="og:title" content="Second"></head><body><title>Not this</title></body></html>`;
    assert.deepEqual(pageMetadata(html, base), { title: 'First', description: 'Meta description' });
    assert.deepEqual(pageMetadata('<title> Only &lt;this&gt; </title>', base), { title: 'Only <this>' });
    assert.deepEqual(pageMetadata('<p>nothing</p>', base), {});
  });
  it('reads the body only when the head said nothing (some sites put their tags there)', () => {
    assert.deepEqual(
      pageMetadata('<head><title>Head</title></head><body><meta property="og:title" content="Body">', base),
      {
        title: 'Head',
      },
    );
    assert.deepEqual(pageMetadata('<head></head><body><meta property="og:title" content="Body">', base), {
      title: 'Body',
    });
  });
  it('resolves the image against the page, and takes only http(s) images', () => {
    const image = (content: string) =>
      pageMetadata(`<meta property="og:image" content="${content}">`, base).image?.href;
    assert.equal(image('/img/a.png'), 'https://example.com/img/a.png');
    assert.equal(image('b.png'), 'https://example.com/news/b.png');
    assert.equal(image('javascript:alert(1)'), undefined);
    assert.equal(image('data:image/png;base64,AAAA'), undefined);
    assert.equal(image('http://[bad'), undefined);
  });
  it('cuts long text with an ellipsis, never inside a character, and drops control and direction characters', () => {
    const long = '😀'.repeat(250);
    const found = pageMetadata(`<meta property="og:description" content="${long}">`, base);
    assert.equal(found.description, long, 'within 300 characters: whole');
    const title = pageMetadata(`<meta property="og:title" content="${'😀'.repeat(210)}">`, base).title ?? '';
    assert.equal(Array.from(title).length, 200);
    assert.ok(title.endsWith('…') && !title.includes('\uFFFD'));
    assert.equal(pageMetadata('<title>a\u202Eb\u0007c\nd</title>', base).title, 'a b c d');
  });
  it('decodes a page in the charset it names, else UTF-8', () => {
    const latin = Buffer.from('<meta charset="iso-8859-1"><title>Gr\xfc\xdfe</title>', 'latin1');
    assert.equal(pageMetadata(pageText(latin, undefined), base).title, 'Grüße');
    assert.equal(pageMetadata(pageText(Buffer.from('<title>Grüße</title>'), undefined), base).title, 'Grüße');
    assert.equal(pageText(Buffer.from('ok'), 'no-such-charset'), 'ok');
  });
});

describe('linkPreviewImageBytes', () => {
  it('is the configured bound, less when an answer with the image would not fit the send queue', () => {
    assert.equal(linkPreviewImageBytes(makeConfig({})), 96 * 1024);
    // 64 KiB of queue: 48 KiB of base64 once 16 KiB are kept for the rest, so 36 KiB of image.
    assert.equal(linkPreviewImageBytes(makeConfig({ sendQueueMaxBytes: 64 * 1024 })), 36 * 1024);
    assert.equal(
      linkPreviewImageBytes(makeConfig({ sendQueueMaxBytes: 16 * 1024, writeHighWaterBytes: 1024 })),
      0,
    );
  });
});
