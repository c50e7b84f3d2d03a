import type { ConnectionSlice } from '../hub/connection-index.js';
import type { ClusterQueries } from './cluster-queries.js';
import type { ConnectionPage } from './operator-views.js';

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
