import type { UserInfo } from '../engine/types.js';

/**
 * Which rooms a user may join: exact names, and prefixes written with a trailing `*` (`team-*`). Absent: any room.
 */
export interface RoomRules {
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
}

/** Who a connection is, as established at the handshake (or by a token refresh). */
export interface Identity {
  user: UserInfo;
  /** When the credentials expire (ms since the Unix epoch); the connection is closed then unless refreshed. */
  expiresAt?: number;
  /** Rooms the user may join; undefined: every room. */
  rooms?: RoomRules;
  /** Server-wide admin (the token's `admin: true` claim): may moderate every room. */
  admin?: boolean;
}

/** Parses a `rooms` claim (array of names and `prefix*` patterns). */
export function parseRoomRules(claim: unknown): RoomRules | undefined {
  if (claim === undefined) return undefined;
  if (!Array.isArray(claim) || !claim.every((r) => typeof r === 'string')) {
    throw new Error('rooms claim must be an array of strings');
  }
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const rule of claim as string[]) {
    if (rule.endsWith('*')) prefixes.push(rule.slice(0, -1));
    else exact.add(rule);
  }
  return { exact, prefixes };
}

/** True when `rules` let the user join `room`. */
export function roomAllowed(rules: RoomRules | undefined, room: string): boolean {
  if (!rules) return true;
  return rules.exact.has(room) || rules.prefixes.some((prefix) => room.startsWith(prefix));
}
