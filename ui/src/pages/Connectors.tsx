// The connector catalog: each loaded connector's streams (and which are incremental), auth
// type and write actions.
import type { ReactNode } from 'react';
import { call } from '../api';
import { ErrorAlert, PageTitle, useLoad } from '../components/common';
import type { ConnectorSummary } from '../types';

export function ConnectorsPage(): ReactNode {
  const { data, error } = useLoad(() => call<ConnectorSummary[]>('GET /connectors'), []);
  return (
    <>
      <PageTitle>Connectors</PageTitle>
      <ErrorAlert error={error} />
      <table>
        <caption>Loaded connectors</caption>
        <thead>
          <tr>
            <th scope="col">Connector</th>
            <th scope="col">Auth</th>
            <th scope="col">Streams</th>
            <th scope="col">Write actions</th>
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((c) => (
            <tr key={c.id}>
              <th scope="row">
                <strong>{c.name}</strong> <code>{c.id}</code>
                {c.description !== undefined && <p className="muted">{c.description}</p>}
              </th>
              <td>
                <code>{c.auth}</code>
              </td>
              <td>
                <ul className="plain">
                  {c.streams.map((s) => (
                    <li key={s}>
                      {s} {c.incremental.includes(s) ? <span className="badge badge-succeeded">incremental</span> : <span className="badge">full only</span>}
                    </li>
                  ))}
                </ul>
              </td>
              <td>{c.actions.length === 0 ? 'none' : c.actions.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
