/**
 * Files sent with messages, through the protocol and HTTP: uploaded in pieces on one instance, sent, delivered and
 * kept with the message, read over HTTP (from another instance in a cluster), refused where they must be, and
 * removed with their message. Run on one instance of each store and on a cluster (files.test.ts,
 * files-embedded.test.ts, group-chat-cluster.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileRef } from '../../client/index.js';
import type { ParleyNode } from '../../src/index.js';
import { randomId } from '../../src/util/ids.js';
import { pngOf } from './png.js';
import type { Frame, RawClient } from './raw-client.js';
import { clientOf, outcome, publicRoom } from './suite-clients.js';

/**
 * @param start the instance clients upload to, and the one files are read from over HTTP (the same one on a
 *   single instance; another of the cluster otherwise)
 */
export function filesSuite(
  name: string,
  start: () => Promise<{ upload: ParleyNode; read: ParleyNode }>,
): void {
  describe(`files sent with messages: ${name}`, async () => {
    const { upload: node, read } = await start();
    const base = `http://127.0.0.1:${read.port}`;
    const as = (id: string, on = node) => clientOf(on, id);
    /** A public room of `owner` that the others joined (every client joins it on its connection). */
    const roomOf = (owner: RawClient, ...others: RawClient[]) => publicRoom('files', owner, ...others);
    const fetchFile = (file: Pick<FileRef, 'id' | 'name'>, init?: RequestInit) =>
      fetch(`${base}/files/${file.id}/${encodeURIComponent(file.name)}`, init);

    it('announces the bounds, takes a file in pieces, sends it with a message and serves it to be shown', async () => {
      const alice = await as('alice');
      const bob = await as('bob');
      const room = await roomOf(alice, bob);
      const limits = alice.welcome?.limits as { maxFileBytes: number; maxFilesPerMessage: number };
      assert.ok(limits.maxFileBytes > 0);
      assert.equal(limits.maxFilesPerMessage, 10);
      const png = pngOf(30, 20);
      const done = await alice.upload(room, png, 'sunset.png', { chunkBytes: 25 });
      assert.equal(done.type, 'uploaded', JSON.stringify(done));
      const file = done.file as FileRef;
      assert.deepEqual(
        { ...file, id: undefined },
        { id: undefined, name: 'sunset.png', size: png.length, type: 'image/png', width: 30, height: 20 },
      );
      assert.match(file.id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal((await fetchFile(file)).status, 404, 'not served before it is sent');

      const sent = await alice.request({ type: 'send', room, text: '', cid: 'photo', files: [file.id] });
      assert.equal(sent.type, 'sent', JSON.stringify(sent));
      const live = await bob.frames.find(
        (f) => f.type === 'message' && f.room === room && f.cid === 'photo',
        5000,
      );
      assert.deepEqual(live.files, [file]);
      assert.equal(live.text, '');
      const history = await bob.request({ type: 'history', room });
      const kept = (history.messages as Frame[]).find((m) => m.cid === 'photo');
      assert.deepEqual(kept?.files, [file], 'history keeps the files with the message');
      const again = await alice.request({ type: 'send', room, text: '', cid: 'photo', files: [file.id] });
      assert.deepEqual(
        [again.type, again.duplicate, again.offset],
        ['sent', true, sent.offset],
        'a retry is one message',
      );

      const response = await fetchFile(file);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/png');
      assert.equal(response.headers.get('content-length'), String(png.length));
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.match(response.headers.get('content-security-policy') ?? '', /sandbox/);
      assert.match(response.headers.get('content-disposition') ?? '', /^inline; filename="sunset.png"/);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), png);
      const etag = response.headers.get('etag') ?? '';
      assert.equal((await fetchFile(file, { headers: { 'if-none-match': etag } })).status, 304);
      const head = await fetchFile(file, { method: 'HEAD' });
      assert.deepEqual([head.status, head.headers.get('content-length')], [200, String(png.length)]);
      assert.equal((await fetchFile(file, { method: 'POST' })).status, 405);
    });

    it('never serves a file to be shown unless its bytes are an image', async () => {
      const carol = await as('carol');
      const room = await roomOf(carol);
      const page = Buffer.from('<html><script>alert(document.cookie)</script></html>');
      const html = await carol.upload(room, page, 'page.html', { mime: 'text/html' });
      const disguised = await carol.upload(room, page, 'cat.png', { mime: 'image/png' });
      const odd = await carol.upload(room, Buffer.from('x'), 'a/b\\c\u0007.txt', { mime: 'not a type' });
      const files = [html, disguised, odd].map((frame) => frame.file as FileRef);
      assert.deepEqual(
        files.map((file) => [file.name, file.type]),
        [
          ['page.html', 'text/html'],
          ['cat.png', 'application/octet-stream'],
          ['a_b_c_.txt', 'application/octet-stream'],
        ],
      );
      const ids = files.map((file) => file.id);
      assert.equal(
        outcome(await carol.request({ type: 'send', room, text: 'three', cid: 'c', files: ids })),
        'ok',
      );
      for (const file of files) {
        const response = await fetchFile(file);
        assert.equal(response.headers.get('content-type'), 'application/octet-stream');
        assert.match(response.headers.get('content-disposition') ?? '', /^attachment; /);
      }
      const named = await fetchFile({ id: files[0]?.id as string, name: 'ignored.exe' });
      assert.equal(named.status, 200, 'the name in the address is the browser’s: the id finds the file');
      assert.equal((await fetch(`${base}/files/${'A'.repeat(22)}/x`)).status, 404);
      assert.equal((await fetch(`${base}/files/..%2f..%2fetc%2fpasswd`)).status, 404);
    });

    it('plays audio and video recognised by their bytes, and serves one range of any file', async () => {
      const kim = await as('kim');
      const room = await roomOf(kim);
      // An ISO media file's head (`ftyp`, brand isom), then bytes numbered so that a range shows where it came from.
      const head = Buffer.concat([
        Buffer.from([0, 0, 0, 0x18]),
        Buffer.from('ftypisom\0\0\x02\0isomiso2', 'latin1'),
      ]);
      const video = Buffer.concat([head, Buffer.from(Array.from({ length: 200 }, (_, i) => i))]);
      // Pieces of 7 bytes: ranges start and end inside them.
      const clip = (await kim.upload(room, video, 'clip.mp4', { chunkBytes: 7 })).file as FileRef;
      const song = (await kim.upload(room, Buffer.from('ID3\x04\0\0 tagged audio'), 'song.mp3'))
        .file as FileRef;
      const fake = (await kim.upload(room, Buffer.from('not a video'), 'x.mp4', { mime: 'video/mp4' }))
        .file as FileRef;
      assert.deepEqual(
        [clip.type, song.type, fake.type],
        ['video/mp4', 'audio/mpeg', 'application/octet-stream'],
      );
      const ids = [clip.id, song.id, fake.id];
      assert.equal(
        outcome(await kim.request({ type: 'send', room, text: 'media', cid: 'm', files: ids })),
        'ok',
      );
      const whole = await fetchFile(clip);
      assert.deepEqual(
        [whole.headers.get('content-type'), whole.headers.get('accept-ranges')],
        ['video/mp4', 'bytes'],
      );
      assert.match(whole.headers.get('content-disposition') ?? '', /^inline/);
      const size = video.length;
      const ranged = async (range: string) => {
        const response = await fetchFile(clip, { headers: { range } });
        const body = Buffer.from(await response.arrayBuffer());
        return [response.status, response.headers.get('content-range'), body.length, body] as const;
      };
      assert.deepEqual(await ranged('bytes=10-29'), [206, `bytes 10-29/${size}`, 20, video.subarray(10, 30)]);
      assert.deepEqual(await ranged('bytes=-5'), [
        206,
        `bytes ${size - 5}-${size - 1}/${size}`,
        5,
        video.subarray(-5),
      ]);
      assert.deepEqual(await ranged(`bytes=${size - 3}-`), [
        206,
        `bytes ${size - 3}-${size - 1}/${size}`,
        3,
        video.subarray(-3),
      ]);
      assert.deepEqual((await ranged(`bytes=${size}-`)).slice(0, 2), [416, `bytes */${size}`]);
      assert.deepEqual(
        (await ranged('bytes=0-1,4-5')).slice(0, 3),
        [200, null, size],
        'several ranges: the whole file',
      );
      assert.match((await fetchFile(song)).headers.get('content-disposition') ?? '', /^inline/);
      assert.match((await fetchFile(fake)).headers.get('content-disposition') ?? '', /^attachment/);
    });

    it('refuses what does not fit: size, extra bytes, stray binary frames, two uploads at once', async () => {
      const dan = await as('dan');
      const room = await roomOf(dan);
      const max = (dan.welcome?.limits as { maxFileBytes: number } | undefined)?.maxFileBytes ?? 0;
      assert.equal(
        outcome(await dan.request({ type: 'upload', room, name: 'big', size: max + 1 })),
        'file_too_large',
      );
      assert.equal(outcome(await dan.request({ type: 'upload', room, name: 'x', size: 0 })), 'bad_request');
      assert.equal(outcome(await dan.request({ type: 'upload', room, name: '', size: 1 })), 'bad_request');
      assert.equal(
        outcome(await dan.request({ type: 'upload', room: 'not-joined', name: 'x', size: 1 })),
        'not_joined',
      );
      const over = await dan.upload(room, Buffer.from('abcdef'), 'over.txt', { size: 4 });
      assert.equal(outcome(over), 'file_too_large', 'more bytes than announced');
      dan.sendRaw(Buffer.from('stray'), true);
      const stray = await dan.frames.find((f) => f.code === 'binary_unsupported', 5000);
      assert.equal(stray.ref, undefined);

      const ready = await dan.request({ type: 'upload', room, name: 'slow.txt', size: 10 });
      assert.equal(ready.type, 'upload_ready');
      assert.equal(outcome(await dan.request({ type: 'upload', room, name: 'x', size: 1 })), 'upload_busy');
      const cancelled = await dan.request({ type: 'cancel_upload' });
      assert.deepEqual([cancelled.type, cancelled.room], ['done', room]);
      dan.sendRaw(Buffer.from('late'), true);
      await dan.frames.find(
        (f) => f.code === 'binary_unsupported' && f !== stray,
        5000,
        'bytes after a cancel',
      );
      assert.equal(
        (await dan.upload(room, Buffer.from('fine'), 'fine.txt')).type,
        'uploaded',
        'the next one goes',
      );
      assert.equal((await dan.request({ type: 'cancel_upload' })).type, 'done', 'nothing to cancel is fine');
    });

    it('sends only one’s own complete files of this room, each with one message', async () => {
      const erin = await as('erin');
      const frank = await as('frank');
      const room = await roomOf(erin, frank);
      const other = await roomOf(erin, frank);
      const mine = (await erin.upload(room, Buffer.from('mine'), 'mine.txt')).file as FileRef;
      const send = (client: RawClient, files: string[], to = room, text = 'see') =>
        client.request({ type: 'send', room: to, text, cid: randomId(), files });
      assert.equal(outcome(await send(frank, [mine.id])), 'no_file', 'another user’s');
      assert.equal(outcome(await send(erin, [mine.id], other)), 'no_file', 'uploaded for another room');
      assert.equal(outcome(await send(erin, ['nothing'])), 'no_file');
      assert.equal(outcome(await send(erin, [mine.id, mine.id])), 'bad_request', 'named twice');
      assert.equal(outcome(await send(erin, [])), 'bad_request');
      const eleven = Array.from({ length: 11 }, (_, i) => `f${i}`);
      assert.equal(outcome(await send(erin, eleven)), 'bad_request', 'more than maxFilesPerMessage');
      assert.equal(outcome(await send(erin, [mine.id], room, '   ')), 'text_empty', 'blank text is no text');
      const ready = await erin.request({ type: 'upload', room, name: 'half.txt', size: 10 });
      assert.equal(outcome(await send(erin, [ready.file as string])), 'no_file', 'not complete');
      await erin.request({ type: 'cancel_upload' });
      assert.equal(outcome(await send(erin, [mine.id])), 'ok');
      assert.equal(outcome(await send(erin, [mine.id])), 'no_file', 'sent already, with another message');
      assert.equal((await fetchFile(mine)).status, 200);
    });

    it('removes a message’s files with it: nobody reads them after the delete', async () => {
      const gina = await as('gina');
      const hal = await as('hal');
      const room = await roomOf(gina, hal);
      const file = (await gina.upload(room, Buffer.from('secret plans'), 'plans.txt')).file as FileRef;
      const sent = await gina.request({ type: 'send', room, text: 'plans', cid: 'p', files: [file.id] });
      assert.equal((await fetchFile(file)).status, 200);
      assert.equal(outcome(await gina.request({ type: 'delete', room, offset: sent.offset })), 'ok');
      assert.equal((await fetchFile(file)).status, 404);
      const history = await hal.request({ type: 'history', room });
      const tombstone = (history.messages as Frame[]).find((m) => m.offset === sent.offset);
      assert.deepEqual([tombstone?.deleted, tombstone?.files], [true, undefined]);
    });

    it('forwards a message’s files with it, served while the original keeps them', async () => {
      const ivy = await as('ivy');
      const jon = await as('jon');
      const room = await roomOf(ivy, jon);
      const other = `${room}-fwd`;
      assert.equal(outcome(await jon.request({ type: 'join', room: other })), 'ok');
      const file = (await ivy.upload(room, Buffer.from('the minutes'), 'minutes.txt')).file as FileRef;
      const sent = await ivy.request({ type: 'send', room, text: 'minutes', cid: 'm', files: [file.id] });
      const forward = await jon.request({
        type: 'send',
        room: other,
        text: '',
        cid: 'f',
        forward: { room, offset: sent.offset },
      });
      assert.equal(forward.type, 'sent', JSON.stringify(forward));
      const page = await jon.request({ type: 'history', room: other });
      const copy = (page.messages as Frame[]).find((m) => m.id === forward.id);
      assert.deepEqual((copy?.forwarded as { files?: FileRef[] } | undefined)?.files, [file]);
      assert.equal((await fetchFile(file)).status, 200);
      // The original deleted, its files go: the copy still names them, and they are no longer served.
      assert.equal(outcome(await ivy.request({ type: 'delete', room, offset: sent.offset })), 'ok');
      assert.equal((await fetchFile(file)).status, 404);
    });

    it('takes no file from a member who may not send', async () => {
      const owner = await as('ivy');
      const muted = await as('jay');
      const room = await roomOf(owner, muted);
      assert.equal(outcome(await owner.request({ type: 'mute', room, user: 'jay' })), 'ok');
      assert.equal(outcome(await muted.request({ type: 'upload', room, name: 'x', size: 1 })), 'muted');
    });
  });
}
