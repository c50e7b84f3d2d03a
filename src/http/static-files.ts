import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Vite's hashed assets never change under one name. */
  immutable: boolean;
}

/**
 * Serves the built web UI from memory. Only files present when {@link load} ran are served: no path reaches the
 * disk. Created with the node (routes refer to it); filled when the node starts.
 */
export class StaticFiles {
  private files = new Map<string, StaticFile>();

  constructor(private readonly root: string) {}

  /** Loads every file below the root; an absent root serves nothing (the node warns). */
  async load(): Promise<void> {
    const root = this.root;
    const files = new Map<string, StaticFile>();
    let names: string[];
    try {
      names = (await readdir(root, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name));
    } catch {
      names = [];
    }
    for (const name of names) {
      const body = await readFile(name);
      const path = `/${relative(root, name).split(sep).join('/')}`;
      files.set(path, {
        body,
        type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
        etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
        immutable: path.startsWith('/assets/'),
      });
    }
    this.files = files;
  }

  /** Number of files loaded. */
  get size(): number {
    return this.files.size;
  }

  /** Serves `path` (or index.html for `/` and other page routes); false when nothing matches. */
  serve(request: IncomingMessage, response: ServerResponse, path: string, pages: readonly string[]): boolean {
    const file = this.files.get(path) ?? (pages.includes(path) ? this.files.get('/index.html') : undefined);
    if (!file) return false;
    const headers: Record<string, string> = {
      'content-type': file.type,
      etag: file.etag,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (request.headers['if-none-match'] === file.etag) {
      response.writeHead(304, headers).end();
      return true;
    }
    response.writeHead(200, { ...headers, 'content-length': String(file.body.length) });
    response.end(request.method === 'HEAD' ? undefined : file.body);
    return true;
  }
}
