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

/** An entry of the index: its sort key and its session. */
interface Entry {
  key: string;
  session: Session;
}

/** Entries per chunk at most: a connect moves at most this many entries, whatever the number of connections. */
const CHUNK = 256;

/** The first index of `entries` whose key is not below `key`. */
function lowerBound(entries: readonly Entry[], key: string): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((entries[mid] as Entry).key < key) low = mid + 1;
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
  private chunks: Entry[][] = [];
  private count = 0;
  /** The key each session was filed under (a token refresh may rename its user: the old key still finds it). */
  private readonly filed = new WeakMap<Session, string>();

  constructor(private readonly nodeId: string) {}

  get size(): number {
    return this.count;
  }

  add(session: Session): void {
    const key = connectionKey(session);
    this.filed.set(session, key);
    const entry: Entry = { key, session };
    this.count += 1;
    const at = this.chunkFor(key);
    const chunk = this.chunks[at];
    if (!chunk) {
      this.chunks.push([entry]);
      return;
    }
    chunk.splice(lowerBound(chunk, key), 0, entry);
    if (chunk.length > CHUNK) this.chunks.splice(at, 1, chunk.slice(0, CHUNK / 2), chunk.slice(CHUNK / 2));
  }

  remove(session: Session): void {
    const key = this.filed.get(session);
    if (key === undefined) return;
    this.filed.delete(session);
    const at = this.chunkFor(key);
    const chunk = this.chunks[at];
    if (!chunk) return;
    const index = lowerBound(chunk, key);
    if (chunk[index]?.key !== key) return;
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
      if (this.at(start)?.key === query.after) start += 1;
    }
    const entries: ConnectionSlice['entries'] = [];
    let [chunkIndex, offset] = this.locate(start);
    for (let i = start; i < to && entries.length < query.limit; i += 1) {
      const chunk = this.chunks[chunkIndex] as Entry[];
      const entry = chunk[offset] as Entry;
      entries.push({ key: entry.key, record: this.record(entry.session) });
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
      if (((this.chunks[mid] as Entry[])[0] as Entry).key <= key) low = mid + 1;
      else high = mid;
    }
    return Math.max(0, low - 1);
  }

  /** How many keys are below `key`. */
  private rank(key: string): number {
    const at = this.chunkFor(key);
    let before = 0;
    for (let i = 0; i < at; i += 1) before += (this.chunks[i] as Entry[]).length;
    const chunk = this.chunks[at];
    return chunk ? before + lowerBound(chunk, key) : 0;
  }

  /** The chunk and offset of the entry at `position`. */
  private locate(position: number): [number, number] {
    let rest = position;
    for (let i = 0; i < this.chunks.length; i += 1) {
      const length = (this.chunks[i] as Entry[]).length;
      if (rest < length) return [i, rest];
      rest -= length;
    }
    return [this.chunks.length, 0];
  }

  private at(position: number): Entry | undefined {
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
    if (session.address !== undefined) record.address = session.address;
    if (session.agent !== undefined) record.agent = session.agent;
    return record;
  }
}
