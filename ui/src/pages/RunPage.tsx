// One run, live: status, counts, progress and error, refreshed every second while it is queued
// or running; cancel it or run again; its rejected records with reasons and source records,
// downloadable as JSON lines.
import type { ReactNode } from 'react';
import { call } from '../api';
import { urlOf } from '../endpoints';
import { Badge, ErrorAlert, Json, PageTitle, Time, useAction, useLoad } from '../components/common';
import { Link, useRouter } from '../router';
import { useWrite } from '../session';
import { ACTIVE, type Page, type RejectedRecord, type Run } from '../types';

const COUNTS = ['read', 'created', 'updated', 'unchanged', 'deleted', 'rejected', 'pages', 'requests', 'retries'];

function ProgressList({ progress }: { progress: Record<string, unknown> }): ReactNode {
  return (
    <dl className="facts">
      {Object.entries(progress).map(([k, v]) => (
        <div key={k}>
          <dt>{k.replace(/_/g, ' ')}</dt>
          <dd>{typeof v === 'object' && v !== null ? <Json value={v} label={`progress ${k}`} /> : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function RunPage({ id }: { id: string }): ReactNode {
  const { navigate } = useRouter();
  const run = useLoad(() => call<Run>('GET /runs/{id}', { params: { id } }), [id], { ms: 1000, while: (r) => r === undefined || ACTIVE.includes(r.status) });
  const r = run.data;
  const finished = r !== undefined && !ACTIVE.includes(r.status);
  const rejected = useLoad(() => call<Page<RejectedRecord>>('GET /runs/{id}/rejected', { params: { id }, query: { limit: '100' } }), [id, finished, r?.counts['rejected']]);
  const action = useAction();
  const write = useWrite('runs:write');
  if (r === undefined) return run.error === undefined ? <p>Loading…</p> : <ErrorAlert error={run.error} />;
  const again = (mode: 'incremental' | 'full'): void =>
    void action.run(async () => {
      const next = await call<{ run: Run }>('POST /connections/{id}/runs', { params: { id: r.connection_id }, body: { mapping: r.mapping, mode, direction: r.direction } });
      navigate(`/runs/${next.run.id}`);
    });
  return (
    <>
      <PageTitle>{`Run of ${r.mapping}`}</PageTitle>
      <p>
        <Link to={`/connections/${encodeURIComponent(r.connection_id)}`}>Its connection</Link> · <Link to={`/runs?connection=${encodeURIComponent(r.connection_id)}&mapping=${encodeURIComponent(r.mapping)}`}>Runs of this mapping</Link>
      </p>
      <div aria-live="polite" aria-atomic="false">
        <dl className="facts">
          <dt>Status</dt>
          <dd data-testid="run-status">
            <Badge value={r.status} />
            {r.cancel_requested && r.status === 'running' ? ' (stopping)' : ''}
          </dd>
          <dt>Mode</dt>
          <dd>
            {r.mode}, {r.direction}, by {r.trigger}
          </dd>
          <dt>Attempts</dt>
          <dd>{r.attempts}</dd>
          <dt>Queued</dt>
          <dd>
            <Time value={r.queued_at} />
          </dd>
          <dt>Started</dt>
          <dd>
            <Time value={r.started_at} />
          </dd>
          <dt>Finished</dt>
          <dd>
            <Time value={r.finished_at} />
          </dd>
          <dt>Duration</dt>
          <dd>{r.duration_ms === null ? '—' : `${(r.duration_ms / 1000).toFixed(1)} s`}</dd>
        </dl>
        <table className="counts">
          <caption>Counts</caption>
          <thead>
            <tr>
              {COUNTS.map((k) => (
                <th scope="col" key={k}>
                  {k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {COUNTS.map((k) => (
                <td key={k} data-testid={`count-${k}`}>
                  {r.counts[k] ?? 0}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      {r.error !== null && (
        <p role="alert" className="alert error">
          {r.error.code}: {r.error.message}
        </p>
      )}
      {r.progress !== null && Object.keys(r.progress).length > 0 && (
        <section aria-labelledby="progress-title">
          <h2 id="progress-title">Progress</h2>
          <ProgressList progress={r.progress} />
        </section>
      )}
      <div className="actions">
        {!finished && (
          <button type="button" className="danger" {...write} disabled={write.disabled || r.cancel_requested} onClick={() =>
              void action.run(async () => {
                await call('POST /runs/{id}/cancel', { params: { id } });
                await run.reload();
              })
            }>
            Cancel run
          </button>
        )}
        {finished && (
          <>
            <button type="button" {...write} onClick={() => again('incremental')}>
              Run again (incremental)
            </button>
            <button type="button" {...write} onClick={() => again('full')}>
              Run again (full)
            </button>
          </>
        )}
      </div>
      <ErrorAlert error={action.error} />
      <section aria-labelledby="rejected-title">
        <h2 id="rejected-title">Rejected records</h2>
        <ErrorAlert error={rejected.error} />
        {rejected.data !== undefined && rejected.data.items.length === 0 && <p>None.</p>}
        {rejected.data !== undefined && rejected.data.items.length > 0 && (
          <>
            <p>
              <a href={urlOf('GET /runs/{id}/rejected.jsonl', { id })} download>
                Download all as JSON lines
              </a>
              {rejected.data.next_cursor !== null && ' (the first 100 are shown)'}
            </p>
            <table>
              <caption>Records the run kept aside, with the reason</caption>
              <thead>
                <tr>
                  <th scope="col">External id</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Source record</th>
                </tr>
              </thead>
              <tbody>
                {rejected.data.items.map((x) => (
                  <tr key={x.id}>
                    <th scope="row">{x.external_id ?? '—'}</th>
                    <td>
                      <code>{x.code}</code> {x.field !== null && <code>{x.field}</code>} {x.reason}
                    </td>
                    <td>
                      <details>
                        <summary>Show record {x.external_id ?? ''}</summary>
                        <Json value={x.record} label={`source record ${x.external_id ?? ''}`} />
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}
