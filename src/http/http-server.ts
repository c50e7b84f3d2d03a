import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../util/logger.js';
import { parseRequestTarget } from './request-target.js';
import { presentedToken, sameSecret, sendJson } from './respond.js';
import type { ServerApi } from './server-api.js';
import { SilentSockets } from './silent-sockets.js';
import { SocketsPerAddress } from './sockets-per-address.js';
import type { StaticFiles } from './static-files.js';

/** A JSON endpoint: returns the body to send. It may throw a {@link BadQuery} (answered 400). */
export type JsonRoute = (url: URL) => unknown | Promise<unknown>;

/** A query parameter a JSON endpoint cannot use: answered 400 with the message. */
export class BadQuery extends Error {}

/** What the HTTP server serves. */
export interface HttpRoutes {
  /** GET endpoints answering JSON, by exact path. */
  json: Record<string, JsonRoute>;
  /** GET endpoints that take over the response (server-sent event streams, metrics). */
  streams: Record<string, (request: IncomingMessage, response: ServerResponse, url: URL) => void>;
  /** GET endpoints answering a status and plain text (health checks). */
  text: Record<string, () => { status: number; body: string }>;
  /** The built web UI. */
  files: StaticFiles;
  /** Paths that serve the single-page app's index.html. */
  pages: readonly string[];
  /** When set, paths starting with one of `protectedPrefixes` need this bearer token. */
  adminToken: string;
  protectedPrefixes: readonly string[];
  /** Protected paths that may also take the token as `?access_token=` (EventSource streams cannot send headers). */
  queryTokenPaths: readonly string[];
  /** The server API (any method; authenticates its own paths). */
  api?: ServerApi;
  /** The files sent with messages, under /files/ (false: not a file's path). */
  downloads?: (request: IncomingMessage, response: ServerResponse, path: string) => Promise<boolean>;
  /** The incoming webhooks' addresses, under /hooks/ (false: not such a path). */
  webhooks?: (request: IncomingMessage, response: ServerResponse, path: string) => Promise<boolean>;
}

/**
 * Node checks its request timeouts on a timer (30 s by default), so a 2 s timeout used to cut a slow client after
 * ~30 s. Checking a few times per timeout keeps the cut within a quarter of it (and never less often than once a
 * second).
 */
function timeoutCheckInterval(timeoutMs: number): number {
  return Math.max(50, Math.min(1000, Math.floor(timeoutMs / 4)));
}

/** An endpoint of the routes (what the admin token protects: a path under a protected prefix that is none is a 404). */
function isEndpoint(routes: HttpRoutes, path: string): boolean {
  return (
    routes.json[path] !== undefined || routes.streams[path] !== undefined || routes.text[path] !== undefined
  );
}

/** True when a protected endpoint is asked for without the admin token (then answered 401). */
function lacksAdminToken(routes: HttpRoutes, request: IncomingMessage, url: URL): boolean {
  const path = url.pathname;
  if (
    routes.adminToken === '' ||
    !routes.protectedPrefixes.some((prefix) => path.startsWith(prefix)) ||
    !isEndpoint(routes, path)
  ) {
    return false;
  }
  const given = presentedToken(request, url, routes.queryTokenPaths.includes(path));
  return !sameSecret(given, routes.adminToken);
}

/** Serves one request from the routes (the server API first, then the admin check, then GET/HEAD routes). */
async function handle(routes: HttpRoutes, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = parseRequestTarget(request.url);
  if (!url) {
    sendJson(response, 400, { error: 'bad_request', message: 'malformed request target' });
    return;
  }
  const path = url.pathname;
  if (routes.api && (await routes.api(request, response, url))) return;
  if (lacksAdminToken(routes, request, url)) {
    const challenge = { 'www-authenticate': 'Bearer realm="parley-admin"' };
    sendJson(response, 401, { error: 'unauthorized', message: 'admin token required' }, challenge);
    return;
  }
  if (routes.downloads && (await routes.downloads(request, response, path))) return;
  if (routes.webhooks && (await routes.webhooks(request, response, path))) return;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const stream = routes.streams[path];
  if (stream) return stream(request, response, url);
  const text = routes.text[path];
  if (text) {
    const { status, body } = text();
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end(body);
    return;
  }
  const json = routes.json[path];
  if (json) {
    try {
      return sendJson(response, 200, await json(url));
    } catch (error) {
      if (!(error instanceof BadQuery)) throw error;
      return sendJson(response, 400, { error: 'bad_request', message: error.message });
    }
  }
  if (routes.files.serve(request, response, path, routes.pages)) return;
  sendJson(response, 404, {
    error: 'not_found',
    message: `nothing at ${path}: the chat is at /, the dashboard at /dashboard, the server API under /api/ (docs/api.md)`,
  });
}

/**
 * Creates the HTTP server: health, JSON API and static UI. WebSocket upgrades are attached separately.
 * `requestTimeoutMs` bounds the time from connection to a complete request (headers and body): slow or stalled
 * clients (slowloris, trickled bodies, silent sockets) are cut then. A handler that throws is answered 500 and
 * logged; it never ends the process.
 */
export function createHttpServer(
  routes: HttpRoutes,
  logger: Logger,
  requestTimeoutMs: number,
  /** Most TCP connections one address may hold open (see SocketsPerAddress); 0: no cap. */
  maxSocketsPerAddress = 0,
): Server {
  const server = createServer(
    {
      headersTimeout: requestTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: timeoutCheckInterval(requestTimeoutMs),
    },
    (request, response) => {
      handle(routes, request, response).catch((error) => {
        logger.error({ err: error, url: request.url }, 'http request failed');
        if (!response.headersSent) sendJson(response, 500, { error: 'internal' });
        else response.destroy();
      });
    },
  );
  // A socket that sends nothing at all gets the same time to start its request (see SilentSockets).
  const silent = new SilentSockets(requestTimeoutMs, timeoutCheckInterval(requestTimeoutMs));
  const perAddress = maxSocketsPerAddress > 0 ? new SocketsPerAddress(maxSocketsPerAddress) : undefined;
  server.on('connection', (socket: Socket) => {
    if (perAddress && !perAddress.admit(socket)) {
      socket.destroy();
      return;
    }
    silent.add(socket);
  });
  server.on('close', () => silent.stop());
  return server;
}
