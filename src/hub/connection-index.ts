/** This node's connections in the order operators list them (see {@link ConnectionIndex}). */
import type { ConnectionRecord } from '../cluster/operator-views.js';
import type { Session } from './session.js';

export type { ConnectionRecord } from '../cluster/operator-views.js';

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

/** The key a filed session's place is sorted by (set by {@link ConnectionIndex.add}). */
function keyOf(session: Session): string {
  return session.indexKey as string;
}

/** Entries per chunk at most: a connect moves at most this many entries, whatever the number of connections. */
const CHUNK = 256;

/** The first index of `entries` whose key is not below `key`. */
function lowerBound(entries: readonly Session[], key: string): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keyOf(entries[mid] as Session) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * This node's connections by display name (case-insensitive), then user id, then connection id, in sorted chunks of
 * at most {@link CHUNK} (chunks in order): adding or removing one finds its chunk by binary search and moves at most
 * a chunk's entries, so a connect storm of 20,000 costs no O(n) array moves. A page after a cursor, or of names
 * starting with a search, is found by binary search and read in O(page), plus a walk over the chunk sizes (about 80
 * at 20,000 connections): never a scan of every connection.
 */
export class ConnectionIndex {
  /**
   * Sessions in key order. Each session holds the key it was filed under (`indexKey`: a token refresh may rename
   * its user, and the old key still finds it): a field of the session, not an entry object and a weak-map slot
   * per connection beside it.
   */
  private chunks: Session[][] = [];
  private count = 0;

  constructor(private readonly nodeId: string) {}

  get size(): number {
    return this.count;
  }

  add(session: Session): void {
    if (session.indexKey !== undefined) return;
    const key = connectionKey(session);
    session.indexKey = key;
    this.count += 1;
    const at = this.chunkFor(key);
    const chunk = this.chunks[at];
    if (!chunk) {
      this.chunks.push([session]);
      return;
    }
    chunk.splice(lowerBound(chunk, key), 0, session);
    if (chunk.length > CHUNK) this.chunks.splice(at, 1, chunk.slice(0, CHUNK / 2), chunk.slice(CHUNK / 2));
  }

  remove(session: Session): void {
    const key = session.indexKey;
    if (key === undefined) return;
    // The session keeps its key until it is found: the searches compare the keys of filed sessions, this one's too
    // (cleared first, a chunk's first session was looked for in the chunk before it and stayed filed for good).
    const at = this.chunkFor(key);
    const chunk = this.chunks[at];
    const index = chunk ? lowerBound(chunk, key) : -1;
    session.indexKey = undefined;
    if (!chunk || chunk[index] !== session) return;
    chunk.splice(index, 1);
    this.count -= 1;
    if (chunk.length === 0) this.chunks.splice(at, 1);
  }

  /** The first `limit` matches after the cursor, and the number of matches in all. */
  slice(query: ConnectionQuery): ConnectionSlice {
    const search = (query.search ?? '').toLowerCase();
    // Names starting with the search sit between `search` and `search` followed by the highest character.
    const from = this.rank(search);
    const to = search === '' ? this.count : this.rank(`${search}\u{10ffff}`);
    let start = from;
    if (query.after !== undefined) {
      start = Math.max(from, this.rank(query.after));
      const first = this.at(start);
      if (first && keyOf(first) === query.after) start += 1;
    }
    const entries: ConnectionSlice['entries'] = [];
    let [chunkIndex, offset] = this.locate(start);
    for (let i = start; i < to && entries.length < query.limit; i += 1) {
      const chunk = this.chunks[chunkIndex] as Session[];
      const session = chunk[offset] as Session;
      entries.push({ key: keyOf(session), record: this.record(session) });
      offset += 1;
      if (offset >= chunk.length) {
        chunkIndex += 1;
        offset = 0;
      }
    }
    return { entries, total: to - from };
  }

  /** The chunk a key belongs in: the last whose first key is not above it (the first chunk for smaller keys). */
  private chunkFor(key: string): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (keyOf((this.chunks[mid] as Session[])[0] as Session) <= key) low = mid + 1;
      else high = mid;
    }
    return Math.max(0, low - 1);
  }

  /** How many keys are below `key`. */
  private rank(key: string): number {
    const at = this.chunkFor(key);
    let before = 0;
    for (let i = 0; i < at; i += 1) before += (this.chunks[i] as Session[]).length;
    const chunk = this.chunks[at];
    return chunk ? before + lowerBound(chunk, key) : 0;
  }

  /** The chunk and offset of the entry at `position`. */
  private locate(position: number): [number, number] {
    let rest = position;
    for (let i = 0; i < this.chunks.length; i += 1) {
      const length = (this.chunks[i] as Session[]).length;
      if (rest < length) return [i, rest];
      rest -= length;
    }
    return [this.chunks.length, 0];
  }

  private at(position: number): Session | undefined {
    const [chunkIndex, offset] = this.locate(position);
    return this.chunks[chunkIndex]?.[offset];
  }

  private record(session: Session): ConnectionRecord {
    const record: ConnectionRecord = {
      conn: session.id,
      user: { id: session.user.id, name: session.user.name },
      node: this.nodeId,
      since: session.connectedAt,
      rooms: [...session.rooms].filter((room) => !room.startsWith('_')),
    };
    const address = session.peerAddress;
    if (address !== undefined) record.address = address;
    if (session.agent !== undefined) record.agent = session.agent;
    return record;
  }
}
