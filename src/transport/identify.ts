import type { IncomingMessage } from 'node:http';
import { hasUnsafeNameCharacters } from '../auth/display-name.js';
import type { Identity } from '../auth/identity.js';
import { TokenError, type TokenVerifier } from '../auth/jwt.js';
import type { Config } from '../config/config.js';
import { CloseCodes } from '../protocol/close-codes.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import { randomId } from '../util/ids.js';

/** Outcome of checking a WebSocket handshake. */
export type HandshakeResult = { ok: true; identity: Identity } | { ok: false; code: number; reason: string };

/**
 * Decides who a connecting client is, from its upgrade request. An answer known at once (anonymous identity, a
 * refusal) is returned as is: the upgrade then completes in the same turn, without a timer or a promise per
 * connection. An answer that takes time (verifying a token) is a promise, cut after the handshake timeout.
 */
export type Identify = (request: IncomingMessage, url: URL) => HandshakeResult | Promise<HandshakeResult>;

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks the protocol version asked for with `?v=`. */
export function checkVersion(url: URL): HandshakeResult | undefined {
  const v = url.searchParams.get('v');
  if (v === null || v === String(PROTOCOL_VERSION)) return undefined;
  return {
    ok: false,
    code: CloseCodes.unsupported_version,
    reason: `protocol version ${PROTOCOL_VERSION} only`,
  };
}

/**
 * Anonymous identity, for demos and local use: the client picks its display name (`?name=`) and may keep a
 * stable user id across tabs and reconnects (`?user=`, default random). Nothing here is verified.
 */
export function anonymousIdentity(config: Config): Identify {
  return (_request, url) => {
    const name = (url.searchParams.get('name') ?? '').trim();
    if (name.length === 0 || name.length > config.maxNameLength || hasUnsafeNameCharacters(name)) {
      return {
        ok: false,
        code: CloseCodes.unauthorized,
        reason: `name must be 1-${config.maxNameLength} printable characters`,
      };
    }
    const requested = url.searchParams.get('user');
    if (requested !== null && !USER_ID.test(requested)) {
      return { ok: false, code: CloseCodes.unauthorized, reason: 'user must be 1-64 of A-Z a-z 0-9 _ -' };
    }
    return { ok: true, identity: { user: { id: requested ?? randomId(), name } } };
  };
}

/** The token of a handshake: `Authorization: Bearer …` (servers, SDK in Node) or `?token=` (browsers). */
export function handshakeToken(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return url.searchParams.get('token') ?? undefined;
}

/**
 * Verified identity: the token's claims decide who the user is; no query parameter can change it. An expired
 * token closes with 4010 (fetch a fresh one and reconnect), any other failure with 4500.
 */
export function tokenIdentity(verify: TokenVerifier): Identify {
  return async (request, url) => {
    const token = handshakeToken(request, url);
    if (!token) return { ok: false, code: CloseCodes.unauthorized, reason: 'token required' };
    try {
      return { ok: true, identity: await verify(token) };
    } catch (error) {
      if (error instanceof TokenError && error.kind === 'expired') {
        return { ok: false, code: CloseCodes.token_expired, reason: 'token expired' };
      }
      return { ok: false, code: CloseCodes.unauthorized, reason: 'invalid token' };
    }
  };
}
