import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineUnavailableError } from '../engine/engine.js';
import { INLINE_TYPES } from '../files/file-kinds.js';
import type { ByteRange, FileStore } from '../files/file-store.js';
import { sendJson } from './respond.js';

/** A file's address: `/files/{id}/{name}` (the name is the browser's, for saving; the id finds the file). */
const FILE_PATH = /^\/files\/([A-Za-z0-9_-]{1,64})(?:\/[^/]*)?$/;

/**
 * How long a browser may show a file without asking again: the bytes under an id never change, but a deleted
 * message's files must stop being served; after this, the browser revalidates (an `If-None-Match` costs one lookup).
 */
const FRESH_SECONDS = 300;

/** `filename*` of a Content-Disposition (RFC 6266 and 8187), with a plain ASCII `filename` for old clients. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * The one range a `Range` header asks for, within a file of `size` bytes (RFC 9110): `bytes=a-b`, `bytes=a-` or the
 * last n bytes, `bytes=-n`; 'unsatisfiable' when it starts past the end; undefined (the whole file) without a header,
 * for several ranges or for a form not understood, as the RFC lets a server do.
 */
export function rangeOf(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d{0,20})-(\d{0,20})$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '') {
    if (to === '') return undefined;
    const last = Number(to);
    return last === 0 ? 'unsatisfiable' : { start: Math.max(0, size - last), end: size - 1 };
  }
  const start = Number(from);
  if (start >= size) return 'unsatisfiable';
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return end < start ? undefined : { start, end };
}

/** Writes a piece and waits for the socket to take it when its buffer is full (a slow reader holds one piece). */
function write(response: ServerResponse, piece: Uint8Array): Promise<void> {
  if (response.write(piece)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/**
 * Serves the files sent with messages (GET and HEAD): whoever has a file's address may read it (the id is 128
 * random bits) until its message is deleted. Only the images recognised by their bytes are served to be shown;
 * everything else is a download of `application/octet-stream`, and no file may run anything in the server's origin
 * (`nosniff`, a sandboxing Content-Security-Policy). At most `maxDownloads` are in progress at once (`--max-downloads`;
 * then 503). Returns false for a path that is no file's.
 */
export class FileDownloads {
  /** Files sent whole or in part, and their bytes (for the metrics). */
  readonly counters = { served: 0, bytes: 0 };
  private sending = 0;

  constructor(
    private readonly files: FileStore,
    private readonly maxDownloads: number,
  ) {}

  /** Downloads in progress. */
  get active(): number {
    return this.sending;
  }

  /** Serves a request whose path is a file's; false for any other path. */
  readonly serve = async (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
  ): Promise<boolean> => {
    const { files, counters } = this;
    const match = FILE_PATH.exec(path);
    if (!match) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    // Each download that is not read holds its pieces and its response: so many at once, and no more.
    if (this.sending >= this.maxDownloads) {
      const busy = { error: 'unavailable', message: 'too many files are being sent: retry in a moment' };
      sendJson(response, 503, busy, { 'retry-after': '1' });
      return true;
    }
    this.sending += 1;
    response.once('close', () => {
      this.sending -= 1;
    });
    let found: Awaited<ReturnType<FileStore['read']>>;
    try {
      found = await files.read(match[1] as string);
    } catch (error) {
      // The store is down (the database): a temporary refusal, as a command gets; anything else is a fault (500).
      if (!(error instanceof EngineUnavailableError)) throw error;
      sendJson(
        response,
        503,
        { error: 'unavailable', message: 'files cannot be read now: retry' },
        { 'retry-after': '1' },
      );
      return true;
    }
    if (!found) {
      sendJson(response, 404, { error: 'not_found', message: 'no such file (or its message was deleted)' });
      return true;
    }
    const { file, bytes } = found;
    const inline = INLINE_TYPES.has(file.type);
    const etag = `"${file.id}"`;
    const headers = {
      'content-type': inline ? file.type : 'application/octet-stream',
      'content-disposition': disposition(inline ? 'inline' : 'attachment', file.name),
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': `private, max-age=${FRESH_SECONDS}`,
      'accept-ranges': 'bytes',
      etag,
    };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers).end();
      return true;
    }
    // A part of the file (a video seeking, a download resumed): one range, else the whole file.
    const range = rangeOf(request.headers.range, file.size);
    if (range === 'unsatisfiable') {
      response.writeHead(416, { ...headers, 'content-range': `bytes */${file.size}` }).end();
      return true;
    }
    const length = range ? range.end - range.start + 1 : file.size;
    response.writeHead(range ? 206 : 200, {
      ...headers,
      'content-length': String(length),
      ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${file.size}` } : {}),
    });
    if (request.method === 'HEAD') {
      response.end();
      return true;
    }
    let sent = 0;
    for await (const piece of bytes(range)) {
      if (response.destroyed) break;
      sent += piece.length;
      counters.bytes += piece.length;
      await write(response, piece);
    }
    counters.served += 1;
    // Fewer bytes than the length said (a store that lost some): the client must not take the file as whole.
    if (sent !== length) response.destroy();
    else response.end();
    return true;
  };
}
