/**
 * HTTP helpers shared by the HTTP server, the server API and the webhooks' addresses: token checks, bounded request
 * bodies, JSON replies and refusals.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refusalOf } from '../hub/refusal.js';
import { holdsNul, NUL_REFUSAL } from '../protocol/codec.js';
import { ErrorCodes } from '../protocol/error-codes.js';

/** A refusal with an HTTP status and one of the protocol's stable error codes (or an HTTP-only one). */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** For 429: when a retry may succeed (sent as Retry-After, in whole seconds). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** What an error thrown while serving a request answers: itself, or the protocol's mapping of it. */
export function httpRefusalOf(error: unknown): HttpRefusal {
  if (error instanceof HttpRefusal) return error;
  const { error: reply, retryAfterMs } = refusalOf(error);
  return new HttpRefusal(ErrorCodes[reply.code].http, reply.code, reply.message, retryAfterMs);
}

/** Sends a refusal: its JSON body, `Retry-After` when it has a time, and `headers`. */
export function sendRefusal(
  response: ServerResponse,
  refusal: HttpRefusal,
  headers: Record<string, string> = {},
): void {
  const all =
    refusal.retryAfterMs === undefined
      ? headers
      : { ...headers, 'retry-after': String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))) };
  sendJson(response, refusal.status, { error: refusal.code, message: refusal.message }, all);
}

/**
 * A request's body as text, at most `max` bytes: `413` as soon as it is known to be larger (its Content-Length, or
 * what came), `400` when the client went before its end.
 */
export async function readBody(request: IncomingMessage, max: number): Promise<string> {
  const tooLarge = () => new HttpRefusal(413, 'bad_request', `the body is larger than ${max} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > max) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof HttpRefusal) throw error;
    throw new HttpRefusal(400, 'bad_request', 'the body was cut short');
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON text's value: `400 bad_json` when it is none, `400 bad_request` when it holds U+0000 (see holdsNul). */
export function parseJson(text: string, what = 'the body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpRefusal(400, 'bad_json', `${what} is not valid JSON`);
  }
  if (holdsNul(text, value)) throw new HttpRefusal(400, 'bad_request', NUL_REFUSAL);
  return value;
}

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
