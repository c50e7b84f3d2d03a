/**
 * `parley copy-to-postgres`: conversations kept in the embedded store (`npm start`'s) moved to PostgreSQL. A server
 * on a data directory stores rooms, members, messages (edited, reacted to, in a thread), a file and read state; the
 * command copies them into a private PostgreSQL; a server on that database then serves the same history, room list
 * and file, and resumes where a client left. Refused while the directory is in use and into a database with rows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PostgresServer } from '../helpers/postgres-server.js';
import { CLI, spawnServer } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { within } from '../helpers/wait.js';

const run = promisify(execFile);
const API = 'api-token-for-copy';

/** `parley copy-to-postgres` with these flags: its exit code and what it wrote. */
async function copy(flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'copy-to-postgres', ...flags], {
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('copying the embedded store to PostgreSQL', async () => {
  const pg = await PostgresServer.start();
  after(() => pg.stop());
  await pg.sql('CREATE DATABASE moved');
  const databaseUrl = pg.url.replace(/\/postgres$/, '/moved');
  const dir = await tempDir('parley-copy-');
  const dataDir = join(dir, 'data');

  it('moves rooms, messages, files and read state, and a server on PostgreSQL serves them', async () => {
    const embedded = await spawnServer(['--store', 'embedded', '--data-dir', dataDir, '--api-token', API]);
    const ann = await RawClient.connect(embedded.wsUrl, { name: 'Ann', user: 'ann' });
    await ann.request({ type: 'create_room', name: 'Moving day', id: 'moving' });
    await ann.request({ type: 'join', room: 'moving' });
    const sent: Frame[] = [];
    for (const text of ['boxes packed', 'van at 9', 'keys?']) {
      sent.push(await ann.request({ type: 'send', room: 'moving', text, cid: text }));
    }
    const [first, second] = sent as [Frame, Frame];
    await ann.request({ type: 'edit', room: 'moving', offset: first.offset, text: 'all boxes packed' });
    await ann.request({ type: 'react', room: 'moving', offset: second.offset, emoji: '👍' });
    await ann.request({
      type: 'send',
      room: 'moving',
      text: 'at the door',
      cid: 't1',
      thread: second.offset,
    });
    const upload = await fetch(`${embedded.httpUrl}/api/rooms/moving/files?name=list.txt&from=ann`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API}`, 'content-type': 'text/plain' },
      body: 'lamp, chairs, table',
    });
    const file = ((await upload.json()) as { file: { id: string } }).file;
    const withFile = await ann.request({
      type: 'send',
      room: 'moving',
      text: 'the list',
      cid: 'f1',
      files: [file.id],
    });
    await ann.request({ type: 'read', ref: 90, room: 'moving', offset: withFile.offset });
    await ann.request({ type: 'favorite', room: 'moving', favorite: true });
    const scheduled = await ann.request({
      type: 'schedule',
      room: 'moving',
      text: 'return the van',
      at: Date.now() + 86_400_000,
    });
    const before = await ann.request({ type: 'history', room: 'moving', limit: 50 });

    // In use: the data directory's lock refuses it.
    const busy = await copy(['--data-dir', dataDir, '--database-url', databaseUrl]);
    assert.equal(busy.code, 2, busy.stderr);
    assert.match(busy.stderr, /in use by process/);
    ann.close();
    embedded.child.kill('SIGTERM');
    await within(embedded.exited, 20_000, 'the embedded server to stop');

    const moved = await copy(['--data-dir', dataDir, '--database-url', databaseUrl]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /parley_messages: \d+ rows/);
    assert.match(moved.stdout, /files: 1 \(19 bytes\)/);
    assert.match(moved.stdout, /copied \d+ rows and 1 files/);

    const again = await copy(['--data-dir', dataDir, '--database-url', databaseUrl]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds conversations/);

    const onPostgres = await spawnServer(['--database-url', databaseUrl]);
    const back = await RawClient.connect(onPostgres.wsUrl, { name: 'Ann', user: 'ann' });
    after(() => back.close());
    const rooms = await back.request({ type: 'rooms' });
    const entry = (rooms.rooms as Frame[]).find((r) => r.id === 'moving') as Frame;
    assert.deepEqual(
      [entry.name, entry.role, entry.favorite, entry.unread],
      ['Moving day', 'owner', true, 0],
    );
    await back.request({ type: 'join', room: 'moving' });
    const history = await back.request({ type: 'history', room: 'moving', limit: 50 });
    assert.deepEqual(history.messages, before.messages, 'the same messages, edits, reactions and threads');
    assert.deepEqual(history.position, before.position, 'the same epoch and offsets: clients resume');
    const edits = await back.request({ type: 'edits', room: 'moving', offset: first.offset });
    assert.deepEqual(
      (edits.versions as Frame[]).map((v) => v.text),
      ['boxes packed', 'all boxes packed'],
    );
    assert.deepEqual((await back.request({ type: 'scheduled_messages' })).scheduled, [scheduled.scheduled]);
    const served = await fetch(`${onPostgres.httpUrl}/files/${file.id}/list.txt`);
    assert.equal(await served.text(), 'lamp, chairs, table');
    const next = await back.request({ type: 'send', room: 'moving', text: 'done', cid: 'after-move' });
    assert.equal(next.offset, (before.position as { offset: number }).offset + 1, 'offsets go on');
    const retry = await back.request({ type: 'send', room: 'moving', text: 'keys?', cid: 'keys?' });
    assert.equal(retry.duplicate, true, 'a retry of a message sent before the move is still a duplicate');
  });

  it('says what is missing', async () => {
    const none = await copy(['--data-dir', join(dir, 'nothing-here'), '--database-url', databaseUrl]);
    assert.deepEqual([none.code, /holds no embedded store/.test(none.stderr)], [2, true]);
    const noTarget = await copy(['--data-dir', dataDir]);
    assert.deepEqual([noTarget.code, /needs --database-url/.test(noTarget.stderr)], [2, true]);
  });
});
