/** HTTP helpers shared by the HTTP server and the server API: token checks and JSON replies. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Constant-time comparison, so response timing does not leak how much of a guess was right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The bearer token of a request: `Authorization: Bearer …`. Only where `fromQuery` is set (the dashboard's
 * EventSource stream, which cannot send headers) is `?access_token=` taken too: a token in a URL ends up in logs,
 * proxies and browser history, so nothing that can send a header may use it.
 */
export function presentedToken(request: IncomingMessage, url: URL, fromQuery = false): string {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return fromQuery ? (url.searchParams.get('access_token') ?? '') : '';
}

export function sendJson(
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

/**
 * Starts a server-sent event stream. False for a HEAD request, which asks for the headers only: its response is
 * ended here (a stream left open would hold the connection, and every request pipelined behind it, for good).
 */
export function openEventStream(request: IncomingMessage, response: ServerResponse): boolean {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  if (request.method !== 'HEAD') return true;
  response.end();
  return false;
}
