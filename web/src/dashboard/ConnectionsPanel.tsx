import { useEffect, useState } from 'preact/hooks';
import type { ConnectionPage as Page } from '../../../src/cluster/operator-views.js';
import { duration } from '../format.js';
import { call } from './api.js';

const PAGE = 25;

/** Where a user agent comes from, in a few words (the full string is in the tooltip). */
function agentSummary(agent: string | undefined): string {
  if (!agent) return '—';
  const browser = /(Firefox|Edg|Chrome|Safari)\/[\d.]+/.exec(agent)?.[1];
  const os = /(Windows|Mac OS X|Android|iPhone|Linux)/.exec(agent)?.[1];
  if (browser) return `${browser === 'Edg' ? 'Edge' : browser}${os ? ` · ${os}` : ''}`;
  return agent.slice(0, 24);
}

/**
 * Who is connected, on which instance, since when, in which rooms and from where: every instance's connections,
 * searched by the beginning of a name and paged (each page asks every instance for its next few, nothing more).
 */
export function ConnectionsPanel({
  token,
  canAct,
  onDisconnect,
  reread,
}: {
  token: string;
  canAct: boolean;
  onDisconnect: (user: string) => void;
  /** Changes when the list should be read again (as the Refresh button does). */
  reread: number;
}) {
  const [search, setSearch] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  const after = cursors.at(-1);
  useEffect(() => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (search.trim()) params.set('search', search.trim());
    if (after) params.set('after', after);
    let current = true;
    call<Page>(token, `/api/connections?${params}`).then(
      (loaded) => {
        if (!current) return;
        setPage(loaded);
        setError(null);
      },
      (failure: Error) => current && setError(failure.message),
    );
    return () => {
      current = false;
    };
  }, [token, search, after, refresh, reread]);
  const now = Date.now();
  return (
    <section class="panel" aria-label="Users and connections">
      <header class="panel-head">
        <h2>Users and connections</h2>
        <input
          type="search"
          id="connection-search"
          placeholder="Search by name"
          aria-label="Search users by name"
          value={search}
          onInput={(event) => {
            setSearch((event.target as HTMLInputElement).value);
            setCursors([]);
          }}
        />
        <button type="button" class="link" onClick={() => setRefresh(refresh + 1)}>
          Refresh
        </button>
      </header>
      {error && <p class="error">{error}</p>}
      {page && (
        <>
          <p class="muted small" data-testid="connections-total">
            {page.total} connection{page.total === 1 ? '' : 's'}
            {search.trim() ? ` matching “${search.trim()}”` : ''}
            {page.missingNodes > 0 ? ` (${page.missingNodes} instance(s) did not answer)` : ''}
          </p>
          <div class="table-wrap">
            <table class="connections">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Instance</th>
                  <th>Since</th>
                  <th>Rooms</th>
                  <th>From</th>
                  {canAct && <th />}
                </tr>
              </thead>
              <tbody>
                {page.connections.map((c) => (
                  <tr key={c.conn} data-conn={c.conn}>
                    <td>
                      <bdi>{c.user.name}</bdi>
                      <span class="muted small sub" title={c.user.id}>
                        {c.user.id}
                      </span>
                    </td>
                    <td>{c.node}</td>
                    <td title={new Date(c.since).toLocaleString()}>{duration(now - c.since)}</td>
                    <td class="rooms-cell">{c.rooms.join(', ') || '—'}</td>
                    <td title={c.agent}>
                      {c.address ?? '—'}
                      <span class="muted small sub">{agentSummary(c.agent)}</span>
                    </td>
                    {canAct && (
                      <td>
                        <button type="button" class="danger small" onClick={() => onDisconnect(c.user.id)}>
                          Disconnect
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager">
            <button
              type="button"
              disabled={cursors.length === 0}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Previous
            </button>
            <span class="muted small">page {cursors.length + 1}</span>
            <button
              type="button"
              disabled={!page.next}
              onClick={() => page.next && setCursors([...cursors, page.next])}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
