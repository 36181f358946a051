// One connection: its settings (edit), "Test connection", "Connect" for OAuth2
// authorization-code connectors, enable or disable, delete with confirmation, start a run,
// and its schedules.
import { useState, type ReactNode } from 'react';
import { call } from '../api';
import { ConfigForm } from '../components/ConfigForm';
import { Badge, ErrorAlert, Notice, PageTitle, useAction, useLoad } from '../components/common';
import { Schedules } from '../components/Schedules';
import { StartRun } from '../components/StartRun';
import { useRouter } from '../router';
import { useWrite } from '../session';
import type { Connection, ConnectorDefinition, MappingSummary } from '../types';

interface CheckResult {
  ok: boolean;
  request: string;
  status?: number;
  duration_ms: number;
  error?: { code: string; message: string };
}

export function ConnectionPage({ id }: { id: string }): ReactNode {
  const { navigate } = useRouter();
  const connection = useLoad(() => call<Connection>('GET /connections/{id}', { params: { id } }), [id]);
  const c = connection.data;
  const connector = useLoad(async () => (c === undefined ? undefined : call<ConnectorDefinition>('GET /connectors/{id}', { params: { id: c.connector } })), [c?.connector]);
  const mappings = useLoad(() => call<MappingSummary[]>('GET /mappings'), []);
  const [check, setCheck] = useState<CheckResult | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const admin = useWrite('connections:admin');
  if (c === undefined) return connection.error === undefined ? <p>Loading…</p> : <ErrorAlert error={connection.error} />;
  const oauth = connector.data?.auth?.type === 'oauth2' && connector.data.auth.grant === 'authorization_code';
  const ofConnector = (mappings.data ?? []).filter((m) => m.connector === c.connector);
  return (
    <>
      <PageTitle>{`Connection ${c.name}`}</PageTitle>
      <dl className="facts">
        <dt>Connector</dt>
        <dd>{c.connector}</dd>
        <dt>Status</dt>
        <dd>
          <Badge value={c.status} />
        </dd>
        {oauth && (
          <>
            <dt>Authorized</dt>
            <dd>{c.authorized ? 'yes' : 'no'}</dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button
          type="button"
          {...admin}
          disabled={admin.disabled || action.busy}
          onClick={() =>
            void action.run(async () => {
              setCheck(undefined);
              setCheck(await call<CheckResult>('POST /connections/{id}/check', { params: { id: c.id } }));
            })
          }
        >
          Test connection
        </button>
        {oauth && (
          <button
            type="button"
            {...admin}
            onClick={() =>
              void action.run(async () => {
                const r = await call<{ authorize_url: string }>('POST /connections/{id}/oauth/authorize', { params: { id: c.id }, body: {} });
                window.location.assign(r.authorize_url);
              })
            }
          >
            Connect
          </button>
        )}
        <button
          type="button"
          {...admin}
          onClick={() =>
            void action.run(async () => {
              await call('PATCH /connections/{id}', { params: { id: c.id }, body: { status: c.status === 'active' ? 'disabled' : 'active' } });
              await connection.reload();
            })
          }
        >
          {c.status === 'active' ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="danger" {...admin} onClick={() => setConfirming(true)}>
          Delete…
        </button>
      </div>
      {confirming && (
        <div role="alertdialog" aria-labelledby="confirm-title" className="confirm">
          <p id="confirm-title">
            Delete connection <strong>{c.name}</strong> with its schedules, runs and record links? The CRM records stay.
          </p>
          <button
            type="button"
            className="danger"
            autoFocus
            onClick={() =>
              void action.run(async () => {
                await call('DELETE /connections/{id}', { params: { id: c.id } });
                navigate('/connections');
              })
            }
          >
            Delete connection {c.name}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      <ErrorAlert error={action.error} />
      {check !== undefined && (
        <p role="status" className={`alert ${check.ok ? 'ok' : 'error'}`}>
          {check.ok ? `Connection works: ${check.request} answered ${check.status ?? ''} in ${check.duration_ms} ms.` : `Connection failed: ${check.error?.message ?? 'unknown error'}`}
        </p>
      )}

      <section aria-labelledby="run-title">
        <h2 id="run-title">Run</h2>
        <StartRun connectionId={c.id} mappings={ofConnector} />
      </section>

      <section aria-labelledby="schedules-title">
        <h2 id="schedules-title">Schedules</h2>
        <Schedules connectionId={c.id} mappings={ofConnector} />
      </section>

      <section aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        {saved && <Notice>Settings saved.</Notice>}
        {connector.data !== undefined && (
          <ConfigForm
            key={c.updated_at}
            schema={connector.data.config_schema ?? {}}
            values={c.config}
            secrets={c.secrets}
            submitLabel="Save settings"
            {...admin}
            onSubmit={(config) =>
              void action.run(async () => {
                setSaved(false);
                await call('PATCH /connections/{id}', { params: { id: c.id }, body: { config } });
                await connection.reload();
                setSaved(true);
              })
            }
          />
        )}
      </section>
    </>
  );
}
