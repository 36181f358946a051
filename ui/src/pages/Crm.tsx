// The CRM browser: contacts, companies, deals and activities with a filter on any field and a
// "changed since", each record with its external ids per connection and its change history.
import { useState, type FormEvent, type ReactNode } from 'react';
import { call } from '../api';
import { ENTITIES, type Entity } from '../endpoints';
import { ErrorAlert, Json, PageTitle, Time, useLoad } from '../components/common';
import { Link, useRouter } from '../router';
import type { Page } from '../types';

type CrmRecord = Record<string, unknown> & { id: string; updated_at: string };

const FIELDS: Record<Entity, string[]> = {
  contacts: ['first_name', 'last_name', 'email', 'phone', 'title', 'lifecycle_stage', 'owner', 'company_id'],
  companies: ['name', 'domain', 'industry', 'phone', 'website'],
  deals: ['name', 'amount', 'currency', 'stage', 'close_date', 'contact_id', 'company_id'],
  activities: ['type', 'subject', 'occurred_at', 'direction', 'contact_id', 'company_id', 'deal_id'],
};
const SHOWN: Record<Entity, string[]> = {
  contacts: ['first_name', 'last_name', 'email', 'title'],
  companies: ['name', 'domain', 'industry'],
  deals: ['name', 'amount', 'currency', 'stage'],
  activities: ['type', 'subject', 'occurred_at'],
};

function asEntity(value: string): Entity {
  return (ENTITIES as readonly string[]).includes(value) ? (value as Entity) : 'contacts';
}

function Tabs({ entity }: { entity: Entity }): ReactNode {
  return (
    <nav aria-label="Entities" className="tabs">
      <ul>
        {ENTITIES.map((e) => (
          <li key={e}>
            <Link to={`/crm/${e}`} aria-current={e === entity ? 'page' : undefined}>
              {e}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function CrmListPage({ entity: raw }: { entity: string }): ReactNode {
  const entity = asEntity(raw);
  const { search, navigate } = useRouter();
  const field = search.get('field') ?? FIELDS[entity][0]!;
  const value = search.get('value') ?? '';
  const since = search.get('since') ?? '';
  const [draft, setDraft] = useState({ field, value, since });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () =>
      call<Page<CrmRecord>>('GET /crm/{entity}', {
        params: { entity },
        query: { limit: '25', sort: 'updated_at', order: 'desc', ...(value === '' ? {} : { [field]: value }), updated_since: since === '' ? undefined : new Date(since).toISOString(), cursor },
      }),
    [entity, field, value, since, cursor],
  );
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setCursors([]);
    const q = new URLSearchParams();
    if (draft.value !== '') q.set('field', draft.field), q.set('value', draft.value);
    if (draft.since !== '') q.set('since', draft.since);
    navigate(`/crm/${entity}${q.toString() === '' ? '' : `?${q.toString()}`}`, { replace: true });
  };
  return (
    <>
      <PageTitle>{`CRM ${entity}`}</PageTitle>
      <Tabs entity={entity} />
      <form className="inline" role="search" aria-label={`Search ${entity}`} onSubmit={submit}>
        <div className="field">
          <label htmlFor="crm-field">Field</label>
          <select id="crm-field" value={draft.field} onChange={(e) => setDraft({ ...draft, field: e.target.value })}>
            {FIELDS[entity].map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="crm-value">Equals</label>
          <input id="crm-value" value={draft.value} onChange={(e) => setDraft({ ...draft, value: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="crm-since">Changed since</label>
          <input id="crm-since" type="datetime-local" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
        </div>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <ErrorAlert error={page.error} />
      {page.data !== undefined && page.data.items.length === 0 && <p>No records match.</p>}
      {page.data !== undefined && page.data.items.length > 0 && (
        <table>
          <caption>{entity}, most recently changed first</caption>
          <thead>
            <tr>
              {SHOWN[entity].map((f) => (
                <th scope="col" key={f}>
                  {f}
                </th>
              ))}
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((r) => (
              <tr key={r.id}>
                {SHOWN[entity].map((f, i) =>
                  i === 0 ? (
                    <th scope="row" key={f}>
                      <Link to={`/crm/${entity}/${r.id}`}>{String(r[f] ?? '(none)')}</Link>
                    </th>
                  ) : (
                    <td key={f}>{String(r[f] ?? '')}</td>
                  ),
                )}
                <td>
                  <Time value={r.updated_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        {cursors.length > 0 && (
          <button type="button" onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous page
          </button>
        )}
        {page.data?.next_cursor !== null && page.data?.next_cursor !== undefined && (
          <button type="button" onClick={() => setCursors((c) => [...c, page.data!.next_cursor!])}>
            Next page
          </button>
        )}
      </div>
    </>
  );
}

interface Link {
  connection_id: string;
  connection: string;
  connector: string;
  external_id: string;
  synced_at: string | null;
}

interface Change {
  id: number;
  operation: string;
  origin: string;
  changes: Record<string, unknown>;
  created_at: string;
}

export function CrmRecordPage({ entity: raw, id }: { entity: string; id: string }): ReactNode {
  const entity = asEntity(raw);
  const record = useLoad(() => call<CrmRecord>('GET /crm/{entity}/{id}', { params: { entity, id } }), [entity, id]);
  const links = useLoad(() => call<Link[]>('GET /crm/{entity}/{id}/links', { params: { entity, id } }), [entity, id]);
  const history = useLoad(() => call<Page<Change>>('GET /crm/{entity}/{id}/history', { params: { entity, id }, query: { limit: '50' } }), [entity, id]);
  const r = record.data;
  return (
    <>
      <PageTitle>{`${entity.replace(/s$/, '').replace(/ie$/, 'y')} ${id.slice(0, 8)}…`}</PageTitle>
      <Tabs entity={entity} />
      <ErrorAlert error={record.error ?? links.error ?? history.error} />
      {r !== undefined && (
        <dl className="facts">
          {Object.entries(r).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === 'object' && v !== null ? <Json value={v} label={k} /> : String(v ?? '—')}</dd>
            </div>
          ))}
        </dl>
      )}
      <section aria-labelledby="links-title">
        <h2 id="links-title">External ids</h2>
        {links.data !== undefined && links.data.length === 0 && <p>Not linked to any connection.</p>}
        {links.data !== undefined && links.data.length > 0 && (
          <table>
            <caption>This record in each connected API</caption>
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">Connector</th>
                <th scope="col">External id</th>
                <th scope="col">Last pulled</th>
              </tr>
            </thead>
            <tbody>
              {links.data.map((l) => (
                <tr key={l.connection_id}>
                  <th scope="row">
                    <Link to={`/connections/${encodeURIComponent(l.connection_id)}`}>{l.connection}</Link>
                  </th>
                  <td>{l.connector}</td>
                  <td>
                    <code>{l.external_id}</code>
                  </td>
                  <td>
                    <Time value={l.synced_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {history.data !== undefined && history.data.items.length === 0 && <p>No changes through the API (writes by syncs are not in the history).</p>}
        {history.data !== undefined && history.data.items.length > 0 && (
          <table>
            <caption>Changes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Operation</th>
                <th scope="col">Origin</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {history.data.items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <Time value={c.created_at} />
                  </th>
                  <td>{c.operation}</td>
                  <td>{c.origin}</td>
                  <td>
                    <code>{JSON.stringify(c.changes)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
