/**
 * Conformance suite of the FileStore contract (uploads, sending them with a message, reading, removing, the sweep):
 * every backend answers these the same way.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { FileStore, NewUpload } from '../../src/files/file-store.js';
import { randomId } from '../../src/util/ids.js';

/** Makes a fresh, empty store. */
export interface FileStoreFactory {
  create(): Promise<{
    files: FileStore;
    /**
     * Stores a chat message of `owner` with `cid` in `room` (deleted: a tombstone), where the store can tell whether
     * a sent file's message is kept (the database stores); absent for `--store memory`, whose sent files stay.
     */
    message?: (room: string, owner: string, cid: string, deleted?: boolean) => Promise<void>;
    close(): Promise<void>;
  }>;
}

const T0 = 1_800_000_000_000;

const upload = (overrides: Partial<NewUpload> = {}): NewUpload => ({
  id: randomId() + randomId(),
  owner: 'ann',
  room: 'lobby',
  name: 'notes.txt',
  size: 6,
  type: 'text/plain',
  at: T0,
  ...overrides,
});

async function bytesOf(pieces: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const piece of pieces) all.push(Buffer.from(piece));
  return Buffer.concat(all);
}

export function fileStoreSuite(name: string, factory: FileStoreFactory): void {
  describe(`FileStore conformance: ${name}`, () => {
    const open: Array<() => Promise<void>> = [];
    const make = async () => {
      const made = await factory.create();
      open.push(made.close);
      return made;
    };
    after(async () => {
      await Promise.all(open.map((close) => close()));
    });

    /** An upload stored whole and complete. */
    const uploaded = async (files: FileStore, overrides: Partial<NewUpload> = {}, body = 'hello!') => {
      const file = upload({ size: Buffer.byteLength(body), ...overrides });
      await files.begin(file);
      await files.write(file.id, 0, Buffer.from(body));
      const ref = await files.finish(file.id, { type: file.type });
      assert.ok(ref);
      return file;
    };

    it('keeps an upload in pieces, serves it only once sent, and gives its bytes back in order', async () => {
      const { files } = await make();
      const file = upload({ name: 'photo.png', size: 9 });
      await files.begin(file);
      for (const [seq, piece] of ['abc', 'def', 'ghi'].entries())
        await files.write(file.id, seq, Buffer.from(piece));
      assert.equal(await files.read(file.id), undefined, 'an upload in progress is not served');
      const ref = await files.finish(file.id, { type: 'image/png', width: 640, height: 480 });
      assert.deepEqual(ref, {
        id: file.id,
        name: 'photo.png',
        size: 9,
        type: 'image/png',
        width: 640,
        height: 480,
      });
      assert.equal(await files.finish(file.id, { type: 'image/png' }), undefined, 'finished once');
      assert.equal(await files.read(file.id), undefined, 'a complete upload not sent is not served');
      assert.deepEqual(await files.claim([file.id], 'ann', 'lobby', 'c1', T0), [ref]);
      const read = await files.read(file.id);
      assert.deepEqual(read?.file, ref);
      assert.equal((await bytesOf(read?.bytes() ?? [])).toString(), 'abcdefghi');
      const part = async (start: number, end: number) =>
        (await bytesOf(read?.bytes({ start, end }) ?? [])).toString();
      assert.deepEqual(
        [await part(0, 0), await part(2, 6), await part(3, 5), await part(7, 8), await part(0, 8)],
        ['a', 'cdefg', 'def', 'hi', 'abcdefghi'],
        'a range of bytes across pieces',
      );
      assert.equal(await files.read('nothing-here'), undefined);
    });

    it('sends a file with one message of its owner in its room, all of a message’s files or none', async () => {
      const { files } = await make();
      const first = await uploaded(files, { name: 'a.txt' });
      const second = await uploaded(files, { name: 'b.txt' });
      const elsewhere = await uploaded(files, { room: 'other' });
      const pending = upload();
      await files.begin(pending);
      assert.equal(await files.claim([first.id], 'bob', 'lobby', 'c1', T0), undefined, 'not the owner');
      assert.equal(await files.claim([elsewhere.id], 'ann', 'lobby', 'c1', T0), undefined, 'another room');
      assert.equal(await files.claim([pending.id], 'ann', 'lobby', 'c1', T0), undefined, 'not complete');
      assert.equal(
        await files.claim([first.id, 'nothing'], 'ann', 'lobby', 'c1', T0),
        undefined,
        'an unknown id',
      );
      assert.equal(await files.read(first.id), undefined, 'a refused claim took none of them');
      const both = await files.claim([second.id, first.id], 'ann', 'lobby', 'c1', T0);
      assert.deepEqual(
        both?.map((ref) => ref.name),
        ['b.txt', 'a.txt'],
        'in the order asked',
      );
      assert.equal(
        await files.claim([first.id], 'ann', 'lobby', 'c2', T0),
        undefined,
        'sent with another message',
      );
      assert.deepEqual(
        (await files.claim([first.id, second.id], 'ann', 'lobby', 'c1', T0))?.map((ref) => ref.name),
        ['a.txt', 'b.txt'],
        'a retried send (same cid) finds its files again',
      );
    });

    it('counts an owner’s bytes, in progress and sent, and forgets what is discarded', async () => {
      const { files } = await make();
      const kept = await uploaded(files, {}, 'twelve bytes');
      await files.claim([kept.id], 'ann', 'lobby', 'c1', T0);
      await files.begin(upload({ size: 1000 }));
      await uploaded(files, { owner: 'bob' }, 'x');
      assert.equal(await files.usage('ann'), 1012);
      assert.equal(await files.usage('bob'), 1);
      assert.equal(await files.usage('nobody'), 0);
      await files.discard([kept.id, 'unknown']);
      assert.equal(await files.usage('ann'), 1000);
      assert.equal(await files.read(kept.id), undefined);
    });

    it('removes the files of a deleted message, and only those', async () => {
      const { files } = await make();
      const gone = await uploaded(files);
      const stays = await uploaded(files);
      const other = await uploaded(files, { owner: 'bob' });
      await files.claim([gone.id], 'ann', 'lobby', 'c1', T0);
      await files.claim([stays.id], 'ann', 'lobby', 'c2', T0);
      await files.claim([other.id], 'bob', 'lobby', 'c1', T0);
      await files.discardSent('lobby', 'ann', 'c1');
      assert.equal(await files.read(gone.id), undefined);
      assert.ok(await files.read(stays.id));
      assert.ok(await files.read(other.id), 'another sender’s message with the same cid keeps its file');
    });

    it('sweeps uploads never sent, and files whose message is no longer kept', async (t) => {
      const { files, message } = await make();
      const old = await uploaded(files, { at: T0 });
      const unfinished = upload({ at: T0 });
      await files.begin(unfinished);
      const recent = await uploaded(files, { at: T0 + 60_000 });
      const sent = await uploaded(files, { at: T0 });
      await files.claim([sent.id], 'ann', 'lobby', 'kept', T0);
      await message?.('lobby', 'ann', 'kept');
      const swept = await files.sweep({ unsentBefore: T0 + 1, sentBefore: T0 + 1 });
      assert.equal(swept, 2);
      assert.equal(await files.usage('ann'), 6 + 6, 'the recent upload and the sent file stay');
      assert.equal(await files.claim([old.id], 'ann', 'lobby', 'c9', T0), undefined);
      assert.ok(await files.claim([recent.id], 'ann', 'lobby', 'c9', T0 + 120_000));
      assert.ok(await files.read(sent.id));
      if (!message) {
        t.diagnostic('this store cannot tell whether a message is kept: its sent files stay until deleted');
        return;
      }
      const orphan = await uploaded(files, { at: T0 });
      await files.claim([orphan.id], 'ann', 'lobby', 'lost', T0);
      const tombstone = await uploaded(files, { at: T0 });
      await files.claim([tombstone.id], 'ann', 'lobby', 'deleted', T0);
      await message('lobby', 'ann', 'deleted', true);
      const justSent = await uploaded(files, { at: T0 });
      await files.claim([justSent.id], 'ann', 'lobby', 'storing', T0 + 120_000);
      assert.equal(await files.sweep({ unsentBefore: T0, sentBefore: T0 + 60_000 }), 2);
      assert.equal(await files.read(orphan.id), undefined, 'its message is not kept');
      assert.equal(await files.read(tombstone.id), undefined, 'its message was deleted');
      assert.ok(await files.read(justSent.id), 'sent moments ago: its message may still be on its way');
      assert.ok(await files.read(sent.id), 'its message is kept');
    });
  });
}
