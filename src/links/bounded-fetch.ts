/**
 * One GET of a link preview's page or image, bounded in every way a remote server could stretch it: time (one
 * deadline for the whole of it, redirects included), bytes (a cap on what is read, after decompression, so that a
 * small compressed answer cannot unfold into gigabytes), redirects (a few, each checked again) and addresses (only
 * the public internet unless allowed, checked on every address a name resolves to, see public-address.ts).
 * Node's own http(s) client: its `lookup` hook is where the connection's address is chosen, which `fetch` does not
 * offer without another dependency.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { isPublicAddress } from './public-address.js';

/** What a preview's requests may do. */
export interface FetchRules {
  /** Whether private, loopback and link-local addresses may be reached (an intranet's chat, tests). */
  allowPrivate: boolean;
  /** Redirects followed at most. */
  maxRedirects: number;
  /** The User-Agent sent. */
  userAgent: string;
}

/** An answer read within its bounds. */
export interface Fetched {
  /** The address that answered, after redirects. */
  url: URL;
  /** The `charset` parameter of its Content-Type, when it has one. */
  charset?: string;
  /** The body, at most `maxBytes` of it (cut there, unless `whole` was asked). */
  body: Buffer;
}

/** Why a fetch gave nothing: said in the logs of the instance, never to the user (it would map a network for them). */
export class FetchRefused extends Error {}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `url` and reads at most `maxBytes` of its body, when `accept(type)` takes its media type.
 * @throws FetchRefused for an address not allowed, too many redirects, another status than 200, a type not taken,
 *   a body longer than `maxBytes` when `whole` is asked; the signal's reason when it is aborted (the deadline)
 */
export async function boundedFetch(
  url: URL,
  options: {
    rules: FetchRules;
    maxBytes: number;
    accept: (type: string) => boolean;
    /** Refuse a body longer than `maxBytes` instead of cutting it (an image is whole or nothing). */
    whole?: boolean;
    signal: AbortSignal;
    accepts: string;
  },
): Promise<Fetched> {
  let current = url;
  for (let redirects = 0; ; redirects += 1) {
    const response = await get(current, options.rules, options.accepts, options.signal);
    const location = response.headers.location;
    if (REDIRECTS.has(response.statusCode ?? 0) && location !== undefined) {
      response.destroy();
      if (redirects >= options.rules.maxRedirects) throw new FetchRefused('too many redirects');
      current = checkedUrl(new URL(location, current).href);
      continue;
    }
    if (response.statusCode !== 200) {
      response.destroy();
      throw new FetchRefused(`status ${response.statusCode}`);
    }
    const [media = '', ...parameters] = (response.headers['content-type'] ?? '').split(';');
    const type = media.trim().toLowerCase();
    if (!options.accept(type)) {
      response.destroy();
      throw new FetchRefused(`type ${type || 'none'}`);
    }
    const declared = Number(response.headers['content-length']);
    if (options.whole && Number.isFinite(declared) && declared > options.maxBytes) {
      response.destroy();
      throw new FetchRefused('too large');
    }
    const { body, complete } = await readAtMost(decoded(response), options.maxBytes, options.signal);
    if (options.whole && !complete) throw new FetchRefused('too large');
    const charset = parameters
      .map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p)?.[1])
      .find((c) => c !== undefined);
    return { url: current, ...(charset ? { charset: charset.toLowerCase() } : {}), body };
  }
}

/**
 * A URL a preview may be asked for: http or https, no user name or password (they would be sent on the user's
 * behalf), at most 2,048 characters.
 * @throws FetchRefused otherwise
 */
export function checkedUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FetchRefused('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefused('not http(s)');
  if (url.username !== '' || url.password !== '') throw new FetchRefused('credentials in the URL');
  if (url.href.length > 2048) throw new FetchRefused('URL too long');
  return url;
}

/** One request, answered with its response head (the body is left to read). */
function get(url: URL, rules: FetchRules, accepts: string, signal: AbortSignal): Promise<IncomingMessage> {
  // An address written in the URL is not looked up: it is checked here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0 && !rules.allowPrivate && !isPublicAddress(literal)) {
    return Promise.reject(new FetchRefused(`address ${literal} is not public`));
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(
      url,
      {
        agent: false,
        lookup: checkedLookup(rules.allowPrivate),
        signal,
        headers: {
          'user-agent': rules.userAgent,
          accept: accepts,
          'accept-encoding': 'gzip, deflate, br',
          'accept-language': 'en',
        },
      },
      resolve,
    );
    request.on('error', reject);
  });
}

/**
 * A `lookup` that resolves every address of the name and refuses them all when one is not public: the connection
 * then goes to an address this check saw. Node asks for one address or, when it tries the families in turn
 * (`autoSelectFamily`), for all of them.
 */
function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, found: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = allowPrivate ? undefined : found.find((a) => !isPublicAddress(a.address));
      if (refused || found.length === 0) {
        const why = refused
          ? `${hostname} resolves to ${refused.address}, not public`
          : `${hostname}: no address`;
        return callback(new FetchRefused(why), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, found);
      const first = found[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/** The body as sent, decompressed when it was compressed (gzip, deflate, br). */
function decoded(response: IncomingMessage): Readable {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decompress =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decompress) return response;
  response.on('error', (error) => decompress.destroy(error));
  decompress.on('close', () => response.destroy());
  return response.pipe(decompress);
}

/** Reads a stream up to `maxBytes`, then stops it: the body (cut there) and whether it ended first. */
function readAtMost(
  stream: Readable,
  maxBytes: number,
  signal: AbortSignal,
): Promise<{ body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      stream.destroy();
      reject(signal.reason);
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (complete: boolean) => {
      signal.removeEventListener('abort', aborted);
      stream.removeAllListeners('data');
      stream.destroy();
      resolve({ body: Buffer.concat(chunks, Math.min(length, maxBytes)), complete });
    };
    const aborted = () => {
      stream.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', aborted, { once: true });
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length > maxBytes) finish(false);
    });
    stream.on('end', () => finish(true));
    stream.on('error', (error) => {
      signal.removeEventListener('abort', aborted);
      reject(error);
    });
  });
}
