// Runs, newest first, filterable by connection, mapping and status; the list refreshes while
// runs are queued or running.
import { useState, type ReactNode } from 'react';
import { call } from '../api';
import { Badge, ErrorAlert, PageTitle, Time, useLoad } from '../components/common';
import { Link, useRouter } from '../router';
import { ACTIVE, type Connection, type MappingSummary, type Page, type Run } from '../types';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled'];

export function RunsPage(): ReactNode {
  const { search, navigate } = useRouter();
  const connection = search.get('connection') ?? '';
  const mapping = search.get('mapping') ?? '';
  const status = search.get('status') ?? '';
  const [more, setMore] = useState<Run[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const connections = useLoad(() => call<Connection[]>('GET /connections'), []);
  const mappings = useLoad(() => call<MappingSummary[]>('GET /mappings'), []);
  const runs = useLoad(
    async () => {
      const page = await call<Page<Run>>('GET /runs', { query: { connection, mapping, status, limit: '50' } });
      setMore([]);
      setCursor(page.next_cursor);
      return page.items;
    },
    [connection, mapping, status],
    { ms: 2000, while: (items) => (items ?? []).some((r) => ACTIVE.includes(r.status)) },
  );
  const names = new Map((connections.data ?? []).map((c) => [c.id, c.name]));
  const filter = (k: string, v: string): void => {
    const next = new URLSearchParams(search);
    if (v === '') next.delete(k);
    else next.set(k, v);
    const qs = next.toString();
    navigate(`/runs${qs === '' ? '' : `?${qs}`}`, { replace: true });
  };
  const loadMore = async (): Promise<void> => {
    if (cursor === null || cursor === undefined) return;
    const page = await call<Page<Run>>('GET /runs', { query: { connection, mapping, status, limit: '50', cursor } });
    setMore((m) => [...m, ...page.items]);
    setCursor(page.next_cursor);
  };
  const all = [...(runs.data ?? []), ...more];
  return (
    <>
      <PageTitle>Runs</PageTitle>
      <form className="inline" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-connection">Connection</label>
          <select id="filter-connection" value={connection} onChange={(e) => filter('connection', e.target.value)}>
            <option value="">All</option>
            {(connections.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-mapping">Mapping</label>
          <select id="filter-mapping" value={mapping} onChange={(e) => filter('mapping', e.target.value)}>
            <option value="">All</option>
            {(mappings.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(e) => filter('status', e.target.value)}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorAlert error={runs.error} />
      {runs.data !== undefined && all.length === 0 && <p>No runs match.</p>}
      {all.length > 0 && (
        <table>
          <caption>Runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Connection</th>
              <th scope="col">Mapping</th>
              <th scope="col">Mode</th>
              <th scope="col">Status</th>
              <th scope="col">Read</th>
              <th scope="col">Rejected</th>
              <th scope="col">Queued</th>
            </tr>
          </thead>
          <tbody>
            {all.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <Link to={`/runs/${r.id}`}>{r.id.slice(0, 8)}…</Link>
                </th>
                <td>{names.get(r.connection_id) ?? r.connection_id}</td>
                <td>{r.mapping}</td>
                <td>
                  {r.mode} {r.direction !== 'pull' ? r.direction : ''}
                </td>
                <td>
                  <Badge value={r.status} />
                </td>
                <td>{r.counts['read']}</td>
                <td>{r.counts['rejected']}</td>
                <td>
                  <Time value={r.queued_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor !== null && cursor !== undefined && (
        <button type="button" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </>
  );
}
