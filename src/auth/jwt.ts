/**
 * Token verification with jose. The algorithm is pinned by the kind of key configured (a secret: HS256; a public
 * key: RS256 or ES256 as configured; a JWKS: RS256/ES256 by key), so `alg: none` and HS/RS confusion are refused.
 * Identity comes only from the claims: `sub` is the user id, `name` (or `preferred_username`) the display name, and
 * an optional `rooms` claim restricts joins, and `admin: true` makes the user a server-wide admin (moderates every
 * room).
 */
import { readFile } from 'node:fs/promises';
import {
  createLocalJWKSet,
  errors,
  importSPKI,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { isUserId } from '../../client/wire/rules.js';
import type { Config } from '../config/config.js';
import { cleanDisplayName } from './display-name.js';
import { type Identity, parseRoomRules } from './identity.js';

/** Why a token was refused. `expired` tokens can be replaced by fresh ones; `invalid` ones cannot. */
export class TokenError extends Error {
  constructor(
    readonly kind: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/** Verifies a token and returns the identity it carries. */
export type TokenVerifier = (token: string) => Promise<Identity>;

type Key = Uint8Array | CryptoKey | JWTVerifyGetKey;

async function loadKey(config: Config): Promise<{ key: Key; algorithms: string[] }> {
  if (config.jwtSecret !== '')
    return { key: new TextEncoder().encode(config.jwtSecret), algorithms: ['HS256'] };
  if (config.jwtPublicKeyFile !== '') {
    const pem = await readFile(config.jwtPublicKeyFile, 'utf8');
    return { key: await importSPKI(pem, config.jwtAlgorithm), algorithms: [config.jwtAlgorithm] };
  }
  const jwks = JSON.parse(await readFile(config.jwtJwksFile, 'utf8')) as Parameters<
    typeof createLocalJWKSet
  >[0];
  return { key: createLocalJWKSet(jwks), algorithms: ['RS256', 'ES256'] };
}

function identityOf(payload: JWTPayload, maxNameLength: number): Identity {
  if (typeof payload.sub !== 'string' || !isUserId(payload.sub)) {
    throw new TokenError('invalid', 'token needs a sub claim of 1-128 characters A-Z a-z 0-9 _ . : @ -');
  }
  const rawName = payload.name ?? payload.preferred_username ?? payload.sub;
  // The issuer is trusted with who the user is, not with what the name does on screen: the same rule as for
  // names users type, applied by removing what it refuses rather than refusing the token.
  const name = typeof rawName === 'string' ? cleanDisplayName(rawName, maxNameLength) : payload.sub;
  let rooms: Identity['rooms'];
  try {
    rooms = parseRoomRules(payload.rooms);
  } catch (error) {
    throw new TokenError('invalid', (error as Error).message);
  }
  return {
    user: { id: payload.sub, name: name || payload.sub },
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}),
    ...(rooms ? { rooms } : {}),
    // Only the boolean true grants it: a string "true" or "false" is no grant.
    ...(payload.admin === true ? { admin: true } : {}),
  };
}

/** Builds the verifier from the configured key (read once at start-up). */
export async function createJwtVerifier(config: Config): Promise<TokenVerifier> {
  const { key, algorithms } = await loadKey(config);
  const options = {
    algorithms,
    ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
    ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
    requiredClaims: ['sub', 'exp'],
  };
  return async (token) => {
    try {
      // Overloads differ by key kind; the union is handled the same way.
      const { payload } =
        typeof key === 'function'
          ? await jwtVerify(token, key, options)
          : await jwtVerify(token, key, options);
      return identityOf(payload, config.maxNameLength);
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new TokenError('expired', 'token expired');
      throw new TokenError('invalid', 'invalid token');
    }
  };
}
