/**
 * What a file is taken for, from its first bytes, and the byte range a `Range` header asks for: pure functions,
 * checked on the forms that matter and on random input (never a throw, never a range outside the file).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { inspect } from '../../src/files/file-kinds.js';
import { declaredType, fileName } from '../../src/files/upload-rules.js';
import { rangeOf } from '../../src/http/file-downloads.js';
import { pngOf } from '../helpers/png.js';
import { wavOf } from '../helpers/wav.js';

describe('what a file is taken for', () => {
  it('recognises images, audio and video by their bytes, whatever was declared', () => {
    const iso = (brand: string) =>
      Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from(`ftyp${brand}`, 'latin1')]);
    const cases: Array<[Buffer, string, string]> = [
      [pngOf(3, 2), 'text/plain', 'image/png'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'application/pdf', 'image/jpeg'],
      [Buffer.from('GIF89a....'), '', 'image/gif'],
      [Buffer.from('RIFF\0\0\0\0WEBPVP8 '), '', 'image/webp'],
      [iso('isom'), '', 'video/mp4'],
      [iso('M4A '), '', 'audio/mp4'],
      [iso('heic'), 'image/heic', 'application/octet-stream'],
      [iso('qt  '), 'video/quicktime', 'application/octet-stream'],
      [
        Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d]),
        '',
        'video/webm',
      ],
      [
        Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x42, 0x82, 0x88, 0x6d, 0x61, 0x74, 0x72]),
        'video/x-matroska',
        'application/octet-stream',
      ],
      [Buffer.from('OggS\0\x02'), '', 'audio/ogg'],
      [wavOf(0.01), '', 'audio/wav'],
      [Buffer.from('ID3\x04'), '', 'audio/mpeg'],
      [Buffer.from([0xff, 0xfb, 0x90, 0x64]), '', 'audio/mpeg'],
      [Buffer.from('<svg onload="alert(1)"/>'), 'image/svg+xml', 'application/octet-stream'],
      [Buffer.from('<html>'), 'text/html', 'text/html'],
      [Buffer.from('plain'), 'video/mp4', 'application/octet-stream'],
    ];
    for (const [bytes, declared, type] of cases)
      assert.equal(inspect(bytes, declared).type, type, `${declared} ${bytes.toString('latin1', 0, 12)}`);
    assert.deepEqual(inspect(pngOf(30, 20), '').width, 30);
  });

  it('keeps names and declared types within their rules', () => {
    assert.equal(fileName('../../etc/passwd'), '.._.._etc_passwd');
    assert.equal(fileName(' .. '), 'file');
    assert.equal(fileName('\u0000'), '_');
    assert.equal(declaredType(' Application/PDF '), 'application/pdf');
    assert.equal(declaredType('text/html; charset=utf-8'), 'application/octet-stream');
    assert.equal(declaredType(undefined), 'application/octet-stream');
    fc.assert(
      fc.property(fc.string(), fc.uint8Array({ maxLength: 64 }), (name, head) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be there
        assert.doesNotMatch(fileName(name), /[\u0000-\u001f\u007f/\\]/);
        assert.ok(fileName(name).length > 0);
        const type = inspect(head, declaredType(name)).type;
        assert.match(type, /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/);
      }),
    );
  });
});

describe('the byte range a Range header asks for', () => {
  it('reads the three forms, refuses a start past the end, and serves the whole file otherwise', () => {
    assert.deepEqual(rangeOf('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(rangeOf('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(rangeOf('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(rangeOf('bytes=-1000', 100), { start: 0, end: 99 });
    assert.deepEqual(rangeOf('bytes=50-5000', 100), { start: 50, end: 99 });
    assert.equal(rangeOf('bytes=100-', 100), 'unsatisfiable');
    assert.equal(rangeOf('bytes=-0', 100), 'unsatisfiable');
    for (const whole of [undefined, '', 'bytes=-', 'bytes=5-1', 'bytes=0-1,3-4', 'items=0-1', 'bytes=a-b'])
      assert.equal(rangeOf(whole, 100), undefined, String(whole));
  });

  it('never throws, and never asks for a byte outside the file', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${a}-${b}`),
        ),
        fc.integer({ min: 1, max: 1_000_000 }),
        (header, size) => {
          const range = rangeOf(header, size);
          if (range === undefined || range === 'unsatisfiable') return;
          assert.ok(range.start >= 0 && range.start <= range.end && range.end < size);
        },
      ),
    );
  });
});
