/**
 * The upgrade path when identification misbehaves: a verification that never settles is cut after the handshake
 * timeout (503), one that throws synchronously or rejects is answered 500, and the node goes on serving.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Identify } from '../../src/transport/identify.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { rawHttp } from '../helpers/raw-http.js';
import { within } from '../helpers/wait.js';

const TIMEOUT_MS = 500;
const upgrade = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

describe('the upgrade path guard', async () => {
  // Names pick the behaviour: "hang" never settles, "throw" throws before returning a promise, "reject" rejects.
  const identify: Identify = (_request, url) => {
    const name = url.searchParams.get('name') ?? '';
    if (name === 'hang') return new Promise(() => {});
    if (name === 'throw') throw new Error('identification blew up');
    if (name === 'reject') return Promise.reject(new Error('identification failed'));
    return Promise.resolve({ ok: true, identity: { user: { id: name, name } } });
  };
  const node = await startNode({ handshakeTimeoutMs: TIMEOUT_MS }, { identify });

  it('cuts an identification that never settles after the handshake timeout', async () => {
    const result = await rawHttp(node.port, [upgrade('/ws?name=hang')], { giveUpMs: 5000 });
    assert.equal(result.status, 503);
    assert.ok(
      result.elapsedMs >= TIMEOUT_MS - 50 && result.elapsedMs < TIMEOUT_MS + 1000,
      `${result.elapsedMs} ms`,
    );
  });

  it('answers 500 to an identification that throws or rejects, and goes on serving', async () => {
    for (const name of ['throw', 'reject']) {
      const result = await rawHttp(node.port, [upgrade(`/ws?name=${name}`)]);
      assert.equal(result.status, 500, name);
    }
    const client = await RawClient.connect(node.wsUrl, { name: 'fine' });
    assert.equal(client.welcome?.type, 'welcome');
    client.close();
  });

  it('survives a refused connection whose peer sends a bad frame while it is being closed', async () => {
    // A refused handshake completes the upgrade and closes with a code; a frame the peer sends meanwhile is read
    // and, when malformed (here unmasked, which a client must never send), is an error of that connection only.
    const socket = connect(node.port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    let received = Buffer.alloc(0);
    const answered = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.includes('\r\n\r\n')) resolve();
      }),
    );
    socket.write(upgrade('/ws?name=old&v=999'));
    await within(answered, 5000, 'the 101 of the refused upgrade');
    assert.match(received.toString('latin1'), /^HTTP\/1\.1 101/);
    socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    await within(closed, 5000, 'the refused connection to close');
    const client = await RawClient.connect(node.wsUrl, { name: 'still-fine' });
    assert.equal(client.welcome?.type, 'welcome');
    client.close();
  });
});

describe('the HTTP request guard', async () => {
  const { createHttpServer } = await import('../../src/http/http-server.js');
  const { StaticFiles } = await import('../../src/http/static-files.js');
  const { silentLogger } = await import('../../src/util/logger.js');
  const server = createHttpServer(
    {
      json: {
        '/throws': () => {
          throw new Error('a route that throws synchronously');
        },
        '/rejects': async () => Promise.reject(new Error('a route that rejects')),
      },
      streams: {
        '/stream-throws': () => {
          throw new Error('a stream that throws');
        },
      },
      text: { '/ok': () => ({ status: 200, body: 'ok' }) },
      files: new StaticFiles('/nonexistent'),
      pages: [],
      adminToken: '',
      protectedPrefixes: [],
      queryTokenPaths: [],
    },
    silentLogger(),
    2000,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  after(() => server.close());

  it('answers a throwing handler with 500 and goes on serving', async () => {
    for (const path of ['/throws', '/rejects', '/stream-throws']) {
      assert.equal((await fetch(`http://127.0.0.1:${port}${path}`)).status, 500, path);
    }
    assert.equal((await fetch(`http://127.0.0.1:${port}/ok`)).status, 200);
  });
});
