// Connections: the list, and a new connection from its connector's settings form.
import { useState, type ReactNode } from 'react';
import { call } from '../api';
import { ConfigForm } from '../components/ConfigForm';
import { Badge, ErrorAlert, PageTitle, useAction, useLoad } from '../components/common';
import { Link, useRouter } from '../router';
import { useWrite } from '../session';
import type { Connection, ConnectorDefinition, ConnectorSummary } from '../types';

export function ConnectionsPage(): ReactNode {
  const { data, error } = useLoad(() => call<Connection[]>('GET /connections'), []);
  const write = useWrite('connections:admin');
  const { navigate } = useRouter();
  return (
    <>
      <PageTitle>Connections</PageTitle>
      <p>
        <button type="button" className="primary" onClick={() => navigate('/connections/new')} {...write}>
          New connection
        </button>
      </p>
      <ErrorAlert error={error} />
      {data !== undefined && data.length === 0 && <p>No connections yet.</p>}
      {data !== undefined && data.length > 0 && (
        <table>
          <caption>Connections</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Connector</th>
              <th scope="col">Status</th>
              <th scope="col">Secrets</th>
            </tr>
          </thead>
          <tbody>
            {data.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <Link to={`/connections/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                </th>
                <td>{c.connector}</td>
                <td>
                  <Badge value={c.status} />
                </td>
                <td>
                  {Object.entries(c.secrets)
                    .map(([k, set]) => `${k}: ${set ? 'set' : 'not set'}`)
                    .join(', ') || 'none'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function NewConnectionPage(): ReactNode {
  const { navigate } = useRouter();
  const connectors = useLoad(() => call<ConnectorSummary[]>('GET /connectors'), []);
  const [connectorId, setConnectorId] = useState('');
  const [name, setName] = useState('');
  const def = useLoad(async () => (connectorId === '' ? undefined : call<ConnectorDefinition>('GET /connectors/{id}', { params: { id: connectorId } })), [connectorId]);
  const action = useAction();
  const write = useWrite('connections:admin');
  return (
    <>
      <PageTitle>New connection</PageTitle>
      <ErrorAlert error={connectors.error ?? def.error} />
      <div className="field">
        <label htmlFor="connector">Connector</label>
        <select id="connector" value={connectorId} onChange={(e) => setConnectorId(e.target.value)}>
          <option value="">Choose a connector</option>
          {(connectors.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.id})
            </option>
          ))}
        </select>
      </div>
      {def.data !== undefined && def.data.id === connectorId && (
        <ConfigForm
          key={connectorId}
          schema={def.data.config_schema ?? {}}
          submitLabel="Create connection"
          {...write}
          onSubmit={(config) =>
            void action.run(async () => {
              const created = await call<Connection>('POST /connections', { body: { name, connector: connectorId, config } });
              navigate(`/connections/${encodeURIComponent(created.id)}`);
            })
          }
        >
          <div className="field">
            <label htmlFor="connection-name">Name</label>
            <input id="connection-name" value={name} required pattern="[A-Za-z0-9][A-Za-z0-9 ._\-]{0,199}" onChange={(e) => setName(e.target.value)} aria-describedby="connection-name-help" />
            <p id="connection-name-help" className="muted">
              Unique: letters, digits, spaces, ".", "_", "-".
            </p>
          </div>
        </ConfigForm>
      )}
      <ErrorAlert error={action.error} />
    </>
  );
}
