/**
 * Link previews over the protocol, against a real HTTP server of the test's on the loopback address: a page's Open
 * Graph tags and image (as a data URL), redirects, compression, a page's charset, one fetch for many askers and the
 * previews kept; then everything a page (or a user) could do to stretch the server: no answer, an endless page, a
 * compressed bomb, an image too big or no image, too many redirects, addresses that are not allowed, URLs that are
 * no http(s) page, and the rates.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ParleyError } from '../../client/index.js';
import type { ParleyNode } from '../../src/index.js';
import { startNode } from '../helpers/nodes.js';
import { pngOf } from '../helpers/png.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { watchedClient } from '../helpers/sdk.js';
import { waitUntil } from '../helpers/wait.js';

const PNG = pngOf(40, 20);

const page = (head: string, body = '<p>Hello</p>') =>
  `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

/** The test's site: each path a behaviour; every request counted by path. */
async function startSite(): Promise<{
  origin: string;
  hits: Map<string, number>;
  stop: () => Promise<void>;
}> {
  const hits = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/article': (_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        page(
          `<title>Fallback title</title>
           <meta property="og:title" content="Ships &amp; harbours">
           <meta property="og:description" content="  A page   about\nboats. ">
           <meta property="og:site_name" content="Harbour News">
           <meta property="og:image" content="/pictures/boat.png">`,
        ),
      );
    },
    '/plain': (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(page('<title>Only a title</title><meta name="description" content="Said plainly">'));
    },
    '/latin1': (_req, res) => {
      res.setHeader('content-type', 'text/html; charset=windows-1252');
      res.end(Buffer.from(page('<title>Caf\xe9 cr\xe8me</title>'), 'latin1'));
    },
    '/meta-charset': (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(Buffer.from(page('<meta charset="iso-8859-1"><title>Gr\xfc\xdfe</title>'), 'latin1'));
    },
    '/gzipped': (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.setHeader('content-encoding', 'gzip');
      res.end(gzipSync(page('<meta property="og:title" content="Squeezed">')));
    },
    '/moved': (_req, res) => {
      res.writeHead(301, { location: '/article' });
      res.end();
    },
    '/loop': (_req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    },
    '/bidi': (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(page(`<meta property="og:title" content="safe\u202Egnp.exe ${'x'.repeat(400)}">`));
    },
    '/no-tags': (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<html><body>nothing said</body></html>');
    },
    '/json': (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"title":"not a page"}');
    },
    '/missing': (_req, res) => {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/html');
      res.end(page('<title>Not found</title>'));
    },
    '/hang': (_req, res) => {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
    },
    '/drip': (_req, res) => {
      // Its head at once, then a byte now and then, never ending: the deadline ends it.
      res.setHeader('content-type', 'text/html');
      res.write('<html><head><title>Drip</title>');
      hanging.add(res);
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => {
        clearInterval(timer);
        hanging.delete(res);
      });
    },
    '/endless': (_req, res) => {
      // Its tags first, then more than any preview reads, as fast as the socket takes it.
      res.setHeader('content-type', 'text/html');
      res.write(`<html><head><meta property="og:title" content="Endless"></head><body>`);
      const filler = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const more = () => {
        while (sent < 64 * 1024 * 1024 && !res.destroyed) {
          sent += filler.length;
          if (!res.write(filler)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    },
    '/bomb': (_req, res) => {
      // 64 MiB of zeros compressed to ~64 KiB: read only up to the page bound once unfolded.
      res.setHeader('content-type', 'text/html');
      res.setHeader('content-encoding', 'gzip');
      res.end(
        gzipSync(
          Buffer.concat([Buffer.from('<head><title>Bomb</title></head>'), Buffer.alloc(64 * 1024 * 1024)]),
        ),
      );
    },
    '/big-image': (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(
        page(
          '<meta property="og:title" content="Big picture"><meta property="og:image" content="/huge.png">',
        ),
      );
    },
    '/fake-image': (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(
        page('<meta property="og:title" content="Fake"><meta property="og:image" content="/fake.png">'),
      );
    },
    '/pictures/boat.png': (_req, res) => {
      res.setHeader('content-type', 'image/png');
      res.end(PNG);
    },
    '/huge.png': (_req, res) => {
      res.setHeader('content-type', 'image/png');
      res.end(Buffer.concat([PNG, Buffer.alloc(200 * 1024)]));
    },
    '/fake.png': (_req, res) => {
      res.setHeader('content-type', 'image/png');
      res.end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    },
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (route) route(req, res);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const outcome = (reply: Frame) => (reply.type === 'error' ? (reply.code as string) : 'ok');

async function client(node: ParleyNode, user = 'reader'): Promise<RawClient> {
  const connected = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, { name: user, user });
  after(() => connected.close());
  return connected;
}

describe('link previews', async () => {
  const site = await startSite();
  after(() => site.stop());
  const preview = async (reader: RawClient, path: string) => {
    const reply = await reader.request({ type: 'link_preview', url: `${site.origin}${path}` });
    assert.equal(reply.type, 'link_preview', JSON.stringify(reply));
    return reply.preview as Record<string, unknown> | undefined;
  };

  describe('reaching the loopback address (--link-previews any)', async () => {
    const node = await startNode({
      linkPreviews: 'any',
      linkPreviewTimeoutMs: 1500,
      linkPreviewImageMaxBytes: 64 * 1024,
    });
    const reader = await client(node);

    it("shows a page's Open Graph tags and its image, inside the answer", async () => {
      assert.equal(
        (reader.welcome?.limits as { linkPreviews?: boolean } | undefined)?.linkPreviews,
        true,
        'announced',
      );
      const found = await preview(reader, '/article#section');
      assert.deepEqual(
        { ...found, image: undefined },
        {
          url: `${site.origin}/article`,
          site: 'Harbour News',
          title: 'Ships & harbours',
          description: 'A page about boats.',
          image: undefined,
        },
      );
      const image = found?.image as { data: string; width: number; height: number };
      assert.deepEqual([image.width, image.height], [40, 20]);
      assert.ok(image.data.startsWith('data:image/png;base64,'));
      assert.deepEqual(Buffer.from(image.data.slice('data:image/png;base64,'.length), 'base64'), PNG);
    });

    it('falls back on the title and the description; follows a redirect; reads charsets and compression', async () => {
      assert.deepEqual(await preview(reader, '/plain'), {
        url: `${site.origin}/plain`,
        site: '127.0.0.1',
        title: 'Only a title',
        description: 'Said plainly',
      });
      assert.equal((await preview(reader, '/moved'))?.url, `${site.origin}/article`);
      assert.equal((await preview(reader, '/latin1'))?.title, 'Café crème');
      assert.equal((await preview(reader, '/meta-charset'))?.title, 'Grüße');
      assert.equal((await preview(reader, '/gzipped'))?.title, 'Squeezed');
      const bidi = (await preview(reader, '/bidi'))?.title as string;
      assert.ok(!bidi.includes('\u202E'), 'no direction override');
      assert.equal(Array.from(bidi).length, 200, 'cut to 200 characters');
      assert.ok(bidi.endsWith('…'));
    });

    it('fetches an address once for many askers, and keeps what it found', async () => {
      const others = await Promise.all([client(node, 'a'), client(node, 'b'), client(node, 'c')]);
      const before = site.hits.get('/plain') ?? 0;
      const all = await Promise.all(others.map((c) => preview(c, '/plain')));
      assert.ok(all.every((p) => p?.title === 'Only a title'));
      assert.equal(site.hits.get('/plain'), before, 'kept from the first test: not fetched again');
      await Promise.all(others.map((c) => preview(c, '/no-tags')));
      assert.equal(site.hits.get('/no-tags'), 1, 'three at once: one fetch');
      await preview(reader, '/no-tags');
      assert.equal(site.hits.get('/no-tags'), 1, 'nothing to show is kept too');
    });

    it('answers no preview for what has none to show, within the bounds', async () => {
      for (const path of ['/no-tags', '/json', '/missing', '/loop', '/nowhere']) {
        assert.equal(await preview(reader, path), undefined, path);
      }
      assert.equal(site.hits.get('/loop'), 4, 'the first request and three redirects');
      for (const path of ['/hang', '/drip']) {
        const started = Date.now();
        assert.equal(await preview(reader, path), undefined, path);
        assert.ok(Date.now() - started < 5000, `${path}: given up at the timeout`);
      }
      assert.equal((await preview(reader, '/endless'))?.title, 'Endless', 'read up to its bound');
      assert.equal((await preview(reader, '/bomb'))?.title, 'Bomb', 'unfolded only up to the bound');
      const big = await preview(reader, '/big-image');
      assert.deepEqual([big?.title, big?.image], ['Big picture', undefined], 'an image over the bound: none');
      const fake = await preview(reader, '/fake-image');
      assert.deepEqual([fake?.title, fake?.image], ['Fake', undefined], 'no image in its bytes: none');
      assert.equal(node.isReady(), true);
      const metrics = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
      const counted = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
      assert.ok(counted('parley_link_previews_fetched_total') >= 8, 'previews fetched, counted');
      assert.ok(counted('parley_link_previews_kept_total') >= 4, 'answered from those kept');
      assert.ok(counted('parley_link_previews_none_total') >= 6, 'none to show');
    });

    it('answers the SDK with the preview, or undefined', async () => {
      const { client: sdk, states } = watchedClient({ url: `ws://127.0.0.1:${node.port}/ws`, name: 'Sid' });
      sdk.connect();
      await states.find((s) => s.status === 'connected');
      assert.equal((await sdk.linkPreview(`${site.origin}/plain`))?.title, 'Only a title');
      assert.equal(await sdk.linkPreview(`${site.origin}/no-tags`), undefined);
      await assert.rejects(
        sdk.linkPreview('ftp://x/'),
        (error: unknown) => (error as ParleyError).code === 'bad_request',
      );
    });

    it('refuses what is no http(s) page address', async () => {
      for (const url of [
        'ftp://127.0.0.1/file',
        'javascript:alert(1)',
        'not a url',
        `http://user:secret@127.0.0.1:1/`,
        `http://127.0.0.1/${'a'.repeat(2100)}`,
      ]) {
        assert.equal(outcome(await reader.request({ type: 'link_preview', url })), 'bad_request', url);
      }
      assert.equal(outcome(await reader.request({ type: 'link_preview', url: '' })), 'bad_request');
      assert.equal(outcome(await reader.request({ type: 'link_preview' })), 'bad_request');
    });
  });

  describe('the public internet only (the default)', async () => {
    const node = await startNode({ linkPreviews: 'public', linkPreviewTimeoutMs: 1500 });
    const reader = await client(node);

    it('never reaches a loopback or private address, written or resolved', async () => {
      const port = new URL(site.origin).port;
      const before = [...site.hits.values()].reduce((a, b) => a + b, 0);
      for (const url of [
        `${site.origin}/plain`,
        `http://localhost:${port}/plain`,
        `http://[::1]:${port}/plain`,
        `http://[::ffff:127.0.0.1]:${port}/plain`,
        `http://0.0.0.0:${port}/plain`,
        `http://2130706433:${port}/plain`,
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.1/',
      ]) {
        const reply = await reader.request({ type: 'link_preview', url });
        assert.deepEqual([reply.type, reply.preview], ['link_preview', undefined], url);
      }
      const after = [...site.hits.values()].reduce((a, b) => a + b, 0);
      assert.equal(after, before, 'not one request reached the site');
    });
  });

  describe('bounds', async () => {
    it('answers rate_limited past the connection rate, and unsupported when off', async () => {
      const limited = await startNode({ linkPreviews: 'any', linkPreviewsPerMin: 3 });
      const reader = await client(limited);
      const codes: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        codes.push(outcome(await reader.request({ type: 'link_preview', url: `${site.origin}/plain` })));
      }
      assert.deepEqual(codes, ['ok', 'rate_limited', 'rate_limited'], 'a burst of a third of 3: one');
      const off = await startNode({ linkPreviews: 'off' });
      const offReader = await client(off);
      assert.equal(
        (offReader.welcome?.limits as { linkPreviews?: boolean } | undefined)?.linkPreviews,
        false,
        'announced',
      );
      assert.equal(
        outcome(await offReader.request({ type: 'link_preview', url: `${site.origin}/plain` })),
        'unsupported',
      );
    });

    it('answers rate_limited while the instance fetches its most pages at once', async () => {
      const busy = await startNode({
        linkPreviews: 'any',
        maxLinkPreviewFetches: 1,
        linkPreviewTimeoutMs: 1000,
      });
      const reader = await client(busy);
      const hanging = reader.request({ type: 'link_preview', url: `${site.origin}/hang?1` });
      // The first is fetching (its request reached the site) when the second comes.
      const other = await client(busy, 'other');
      await waitUntil(() => (site.hits.get('/hang') ?? 0) >= 2, 5000, 'the first fetch under way');
      assert.equal(
        outcome(await other.request({ type: 'link_preview', url: `${site.origin}/plain?2` })),
        'rate_limited',
      );
      assert.equal((await hanging).preview, undefined);
    });
  });
});
