/**
 * This node's connections in the order operators list them: by display name (case-insensitive), then user id, then
 * connection id. A sorted array of keys beside the sessions: a page after a cursor, or of names starting with a
 * search, is a binary search and a slice, O(log n + page) for 20,000 connections, never a scan of all of them.
 * Connecting and disconnecting cost one binary search and one array move (microseconds at that size).
 */
import type { Session } from './session.js';

/** What is listed of a connection (the dashboard's users list, the server API's online users). */
export interface ConnectionRecord {
  /** Connection (session) id, unique in the cluster. */
  conn: string;
  user: { id: string; name: string };
  /** The instance holding it. */
  node: string;
  /** When it opened (ms since the Unix epoch). */
  since: number;
  address?: string;
  agent?: string;
  /** Rooms it has joined. */
  rooms: string[];
}

/** A query of connections: a page after a cursor, of names starting with `search` (case-insensitive). */
export interface ConnectionQuery {
  /** The key of the last connection of the previous page. */
  after?: string;
  search?: string;
  limit: number;
}

/** One node's answer: its first matches after the cursor (with their keys), and how many match in all. */
export interface ConnectionSlice {
  entries: Array<{ key: string; record: ConnectionRecord }>;
  total: number;
}

/** The separator of key parts: below every character a name or id can hold. */
const SEP = '\u0000';

/** The sort key of a session (also the cursor of a page that ends with it). */
export function connectionKey(session: Session): string {
  return `${session.user.name.toLowerCase()}${SEP}${session.user.id}${SEP}${session.id}`;
}

/** The first index whose key is not below `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((keys[mid] as string) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class ConnectionIndex {
  private readonly keys: string[] = [];
  private readonly sessions = new Map<string, Session>();
  /** The key each session was filed under (a token refresh may rename its user: the old key still finds it). */
  private readonly filed = new Map<Session, string>();

  constructor(private readonly nodeId: string) {}

  get size(): number {
    return this.keys.length;
  }

  add(session: Session): void {
    const key = connectionKey(session);
    this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.sessions.set(key, session);
    this.filed.set(session, key);
  }

  remove(session: Session): void {
    const key = this.filed.get(session);
    if (key === undefined) return;
    this.filed.delete(session);
    this.sessions.delete(key);
    const at = lowerBound(this.keys, key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** The first `limit` matches after the cursor, and the number of matches in all. */
  slice(query: ConnectionQuery): ConnectionSlice {
    const search = (query.search ?? '').toLowerCase();
    // Names starting with the search sit between `search` and `search` followed by the highest character.
    const from = lowerBound(this.keys, search);
    const to = search === '' ? this.keys.length : lowerBound(this.keys, `${search}\u{10ffff}`);
    let start = from;
    if (query.after !== undefined) {
      start = Math.max(from, lowerBound(this.keys, query.after));
      if (this.keys[start] === query.after) start += 1;
    }
    const entries: ConnectionSlice['entries'] = [];
    for (let i = start; i < to && entries.length < query.limit; i += 1) {
      const key = this.keys[i] as string;
      const session = this.sessions.get(key);
      if (session) entries.push({ key, record: this.record(session) });
    }
    return { entries, total: to - from };
  }

  private record(session: Session): ConnectionRecord {
    const record: ConnectionRecord = {
      conn: session.id,
      user: { id: session.user.id, name: session.user.name },
      node: this.nodeId,
      since: session.connectedAt,
      rooms: [...session.rooms].filter((room) => !room.startsWith('_')),
    };
    if (session.address !== undefined) record.address = session.address;
    if (session.agent !== undefined) record.agent = session.agent;
    return record;
  }
}
