/**
 * Files sent with messages on one instance with the memory store, and the bounds on what uploads may hold: the
 * bytes one user keeps, uploads in progress at once, a stalled upload, a connection that goes mid-upload, the
 * upload rate, and servers that take no files.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { filesSuite } from '../helpers/files-suite.js';
import { startNode } from '../helpers/nodes.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

filesSuite('memory store', async () => {
  const node = await startNode({ store: 'memory' });
  return { upload: node, read: node };
});

const outcome = (reply: Frame) => (reply.type === 'error' ? (reply.code as string) : 'ok');

async function client(port: number, user: string, room?: string): Promise<RawClient> {
  const connected = await RawClient.connect(`ws://127.0.0.1:${port}/ws`, { name: user, user });
  after(() => connected.close());
  if (room) assert.equal(outcome(await connected.request({ type: 'join', room })), 'ok');
  return connected;
}

describe('the bounds of uploads', () => {
  it('keeps a user within --max-file-bytes-per-user, uploads in progress counted, dropped ones freed', async () => {
    const node = await startNode({ store: 'memory', maxFileBytesPerUser: 10 });
    const first = await client(node.port, 'kim', 'lobby');
    assert.equal((await first.upload('lobby', Buffer.from('123456'), 'a.txt')).type, 'uploaded');
    const refused = await first.request({ type: 'upload', room: 'lobby', name: 'b', size: 5 });
    assert.deepEqual(
      [refused.code, refused.message],
      ['file_quota', "kim's files take 6 of the 10 bytes one may keep"],
    );
    // Half an upload, then the connection goes: what it held is dropped, and the bytes are free again.
    const second = await client(node.port, 'kim', 'lobby');
    assert.equal(
      (await second.request({ type: 'upload', room: 'lobby', name: 'c', size: 4 })).type,
      'upload_ready',
    );
    second.sendRaw(Buffer.from('12'), true);
    assert.equal(
      outcome(await first.request({ type: 'upload', room: 'lobby', name: 'd', size: 1 })),
      'file_quota',
    );
    second.close();
    await waitUntil(() => node.hub.uploads?.active === 0, 5000, 'the upload of the closed connection to go');
    const freed = await first.request({ type: 'upload', room: 'lobby', name: 'e', size: 4 });
    assert.equal(freed.type, 'upload_ready', 'the dropped upload no longer counts');
  });

  it('drops an upload whose bytes stop coming, and bounds the uploads in progress on the instance', async () => {
    const node = await startNode({ store: 'memory', uploadIdleMs: 200, maxUploads: 1 });
    const slow = await client(node.port, 'lee', 'lobby');
    const other = await client(node.port, 'max', 'lobby');
    const ready = await slow.request({ type: 'upload', room: 'lobby', name: 'stalled', size: 100 });
    const busy = await other.request({ type: 'upload', room: 'lobby', name: 'x', size: 1 });
    assert.deepEqual([busy.code, busy.temporary], ['rate_limited', true]);
    slow.sendRaw(Buffer.from('some'), true);
    const expired = await slow.frames.find((f) => f.code === 'upload_expired', 5000, 'upload_expired');
    assert.equal(expired.ref, ready.ref, 'told with the upload’s ref');
    assert.equal(
      (await other.upload('lobby', Buffer.from('ok'), 'ok.txt')).type,
      'uploaded',
      'its place is free',
    );
  });

  it('reads a user’s uploads no faster than --upload-bytes-per-sec, and never refuses them for it', async () => {
    const node = await startNode({ store: 'memory', uploadBytesPerSec: 20_000 });
    const fast = await client(node.port, 'ned', 'lobby');
    // The burst is two seconds' worth (40,000 bytes); 80,000 bytes take about two seconds more.
    const started = Date.now();
    const done = await fast.upload('lobby', Buffer.alloc(80_000, 1), 'big.bin', { chunkBytes: 4096 });
    const took = Date.now() - started;
    assert.equal(done.type, 'uploaded');
    assert.ok(took >= 1500, `80,000 bytes at 20,000 a second past a 40,000 burst took ${took} ms`);
  });

  it('does not count the time it paces an upload as the upload stalling', async () => {
    // Two seconds' burst of 1,000 bytes a second: the third piece leaves the user a second in debt, twice the time an
    // upload may go without bytes.
    const node = await startNode({ store: 'memory', uploadBytesPerSec: 1000, uploadIdleMs: 500 });
    const paced = await client(node.port, 'una', 'lobby');
    const done = await paced.upload('lobby', Buffer.alloc(4000, 2), 'paced.bin', { chunkBytes: 1000 });
    assert.equal(done.type, 'uploaded', JSON.stringify(done));
  });

  it('says in welcome that a server takes no files, and refuses uploads there', async () => {
    const none = await startNode({ store: 'memory', maxFileBytes: 0 });
    const a = await client(none.port, 'ole', 'lobby');
    assert.equal((a.welcome?.limits as { maxFileBytes: number } | undefined)?.maxFileBytes, 0);
    assert.equal(
      outcome(await a.request({ type: 'upload', room: 'lobby', name: 'x', size: 1 })),
      'unsupported',
    );
    const redis = await RedisServer.start();
    after(() => redis.stop());
    const streams = await startNode({ redisUrl: redis.url, store: 'redis' });
    const b = await client(streams.port, 'pat', 'lobby');
    assert.equal((b.welcome?.limits as { maxFileBytes: number } | undefined)?.maxFileBytes, 0);
    assert.equal(
      outcome(await b.request({ type: 'upload', room: 'lobby', name: 'x', size: 1 })),
      'unsupported',
    );
    const send = await b.request({ type: 'send', room: 'lobby', text: 'hi', cid: 'c', files: ['abc'] });
    assert.equal(outcome(send), 'unsupported');
    assert.equal((await fetch(`http://127.0.0.1:${streams.port}/files/abc/x`)).status, 404);
  });

  it('sends at most --max-downloads files at once: one more is told to retry', async () => {
    const node = await startNode({ store: 'memory', maxDownloads: 1 });
    const owner = await client(node.port, 'quin', 'lobby');
    const big = await owner.upload('lobby', Buffer.alloc(20 * 1024 * 1024, 9), 'big.bin');
    const file = big.file as { id: string };
    assert.equal(
      outcome(await owner.request({ type: 'send', room: 'lobby', text: 'big', cid: 'b', files: [file.id] })),
      'ok',
    );
    const path = `/files/${file.id}/big.bin`;
    // A reader that asks and never reads: 20 MiB do not fit in the sockets' buffers, so it stays in progress.
    const stalled = connect(node.port, '127.0.0.1');
    stalled.on('error', () => {});
    stalled.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((resolve) => stalled.once('data', resolve));
    stalled.pause();
    const refused = await fetch(`${node.url}${path}`, { method: 'HEAD' });
    assert.deepEqual([refused.status, refused.headers.get('retry-after')], [503, '1']);
    stalled.destroy();
    await waitUntil(
      async () => (await fetch(`${node.url}${path}`, { method: 'HEAD' })).status === 200,
      5000,
      'the place of the reader that went to be free',
    );
  });

  it('when the database dies mid-upload, refuses its bytes unavailable and files 503, and takes both again once back', async () => {
    const pg = await PostgresServer.start();
    after(() => pg.stop());
    const node = await startNode({ databaseUrl: pg.url, databaseTimeoutMs: 1000 });
    const sam = await client(node.port, 'sam', 'lobby');
    const kept = (await sam.upload('lobby', Buffer.from('kept before'), 'kept.txt')).file as { id: string };
    assert.equal(
      outcome(await sam.request({ type: 'send', room: 'lobby', text: 'k', cid: 'k', files: [kept.id] })),
      'ok',
    );
    const ready = await sam.request({ type: 'upload', room: 'lobby', name: 'half.bin', size: 8 });
    sam.sendRaw(Buffer.from('1234'), true);
    await sam.request({ type: 'ping' });

    await pg.kill();
    sam.sendRaw(Buffer.from('5678'), true);
    const refused = await sam.frames.find(
      (f) => f.ref === ready.ref && f.type === 'error',
      10_000,
      'the refusal',
    );
    assert.deepEqual([refused.code, refused.temporary], ['unavailable', true]);
    const read = await fetch(`${node.url}/files/${kept.id}/kept.txt`);
    assert.deepEqual([read.status, read.headers.get('retry-after')], [503, '1']);

    await pg.launch();
    await waitUntil(async () => (await fetch(`${node.url}/readyz`)).status === 200, 15_000, 'ready again');
    assert.equal(await (await fetch(`${node.url}/files/${kept.id}/kept.txt`)).text(), 'kept before');
    assert.equal((await sam.upload('lobby', Buffer.from('again'), 'again.txt')).type, 'uploaded');
  });

  it('counts uploads, downloads and what they moved in the metrics', async () => {
    const node = await startNode({ store: 'memory' });
    const vic = await client(node.port, 'vic', 'lobby');
    const file = (await vic.upload('lobby', Buffer.from('twelve bytes'), 'm.txt')).file as { id: string };
    await vic.request({ type: 'send', room: 'lobby', text: 'm', cid: 'm', files: [file.id] });
    await (await fetch(`${node.url}/files/${file.id}/m.txt`)).text();
    const names = [
      'uploads_total',
      'upload_bytes_total',
      'downloads_total',
      'download_bytes_total',
      'uploads_in_progress',
    ];
    const samples = async () => {
      const metrics = await (await fetch(`${node.url}/metrics`)).text();
      return names.map((name) => Number(new RegExp(`^parley_${name} (\\S+)$`, 'm').exec(metrics)?.[1]));
    };
    // The reader has every byte (the length said how many) a moment before the server is done with the download.
    await waitUntil(async () => (await samples())[2] === 1, 5000, 'the download to be counted');
    assert.deepEqual(await samples(), [1, 12, 1, 12, 0]);
  });

  it('sweeps an upload never sent once --upload-ttl-ms has passed', async () => {
    const node = await startNode({ store: 'memory', uploadTtlMs: 3000, maxFileBytesPerUser: 10 });
    const tom = await client(node.port, 'tom', 'lobby');
    assert.equal((await tom.upload('lobby', Buffer.from('forgotten'), 'later.txt')).type, 'uploaded');
    const again = () => tom.request({ type: 'upload', room: 'lobby', name: 'next.txt', size: 9 });
    assert.equal(outcome(await again()), 'file_quota', 'the forgotten upload takes the quota');
    // The sweep runs every quarter of the TTL: the upload is gone, and its bytes free, within about 3.75 s.
    await waitUntil(async () => outcome(await again()) === 'ok', 10_000, 'the sweep to remove the upload');
  });
});
