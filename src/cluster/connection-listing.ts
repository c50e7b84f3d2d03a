import type { ConnectionRecord, ConnectionSlice } from '../hub/connection-index.js';
import type { ClusterQueries } from './cluster-queries.js';

/** A page of the cluster's connections, ordered by display name, then user id, then connection. */
export interface ConnectionPage {
  connections: ConnectionRecord[];
  /** Pass back as `after` for the next page; absent on the last page. */
  next?: string;
  /** Connections matching the search (all of them without one), on the nodes that answered. */
  total: number;
  /** Nodes that did not answer in time: their connections are not in the page. */
  missingNodes: number;
}

/**
 * One page of every node's connections: each node answers its first `limit` after the cursor (O(log n + page) in
 * its {@link ConnectionIndex}), and the pages are merged here.
 */
export async function listConnections(
  queries: ClusterQueries,
  query: { after?: string; search?: string; limit: number },
): Promise<ConnectionPage> {
  // One more than a page from each node: the merged list then says whether another page exists.
  const { answers, missing } = await queries.ask<ConnectionSlice>({
    type: 'connections',
    ...query,
    limit: query.limit + 1,
  });
  const entries = answers.flatMap((a) => a.answer.entries);
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = entries.slice(0, query.limit);
  const total = answers.reduce((sum, a) => sum + a.answer.total, 0);
  const last = page.at(-1);
  const more = entries.length > page.length;
  const result: ConnectionPage = { connections: page.map((e) => e.record), total, missingNodes: missing };
  if (more && last) result.next = last.key;
  return result;
}

/**
 * The connection query of a request: `search` (the beginning of a display name), `after` (the previous page's
 * `next`), `limit` (1-100, default 50).
 */
export function connectionQueryOf(params: URLSearchParams): {
  after?: string;
  search?: string;
  limit: number;
} {
  const raw = params.get('limit');
  const limit = raw === null ? 50 : /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= 100)) throw new RangeError('limit must be a whole number from 1 to 100');
  const search = params.get('search')?.trim().slice(0, 64);
  const after = params.get('after')?.slice(0, 400);
  return { limit, ...(search ? { search } : {}), ...(after ? { after } : {}) };
}
