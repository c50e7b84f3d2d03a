import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../util/logger.js';
import type { StaticFiles } from './static-files.js';

/** A JSON endpoint: returns the body to send, or undefined for 404. */
export type JsonRoute = () => unknown | Promise<unknown>;

/** What the HTTP server serves. */
export interface HttpRoutes {
  /** GET endpoints answering JSON, by exact path. */
  json: Record<string, JsonRoute>;
  /** GET endpoints that take over the response (server-sent event streams). */
  streams: Record<string, (request: IncomingMessage, response: ServerResponse) => void>;
  /** GET endpoints answering a status and plain text (health checks). */
  text: Record<string, () => { status: number; body: string }>;
  /** The built web UI. */
  files: StaticFiles;
  /** Paths that serve the single-page app's index.html. */
  pages: readonly string[];
  /** When set, paths starting with one of `protectedPrefixes` need this bearer token. */
  adminToken: string;
  protectedPrefixes: readonly string[];
}

/** Constant-time comparison, so response timing does not leak how much of a guess was right. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The admin token of a request: `Authorization: Bearer …`, or `?access_token=` for browsers' EventSource, which
 * cannot send headers.
 */
function presentedToken(request: IncomingMessage, url: URL): string {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return url.searchParams.get('access_token') ?? '';
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** Creates the HTTP server: health, JSON API and static UI. WebSocket upgrades are attached separately. */
export function createHttpServer(routes: HttpRoutes, logger: Logger): Server {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (
      routes.adminToken !== '' &&
      routes.protectedPrefixes.some((prefix) => path.startsWith(prefix)) &&
      !sameSecret(presentedToken(request, url), routes.adminToken)
    ) {
      const challenge = { 'www-authenticate': 'Bearer realm="parley-admin"' };
      sendJson(response, 401, { error: 'unauthorized', message: 'admin token required' }, challenge);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const stream = routes.streams[path];
    if (stream) {
      stream(request, response);
      return;
    }
    const text = routes.text[path];
    if (text) {
      const { status, body } = text();
      response.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(body);
      return;
    }
    const json = routes.json[path];
    if (json) {
      sendJson(response, 200, await json());
      return;
    }
    if (routes.files.serve(request, response, path, routes.pages)) return;
    sendJson(response, 404, { error: 'not_found' });
  };
  return createServer((request, response) => {
    handle(request, response).catch((error) => {
      logger.error({ err: error, url: request.url }, 'http request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal' });
      else response.destroy();
    });
  });
}
