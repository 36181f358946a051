// A connection's schedules: several per mapping (incremental every 15 minutes, full every
// night), each with its next fire times in its own time zone; add, enable or disable, delete.
import { useState, type ReactNode } from 'react';
import { call } from '../api';
import { ErrorAlert, useAction, useLoad } from './common';
import { useWrite } from '../session';
import type { MappingSummary, Schedule } from '../types';

export function Schedules({ connectionId, mappings }: { connectionId: string; mappings: MappingSummary[] }): ReactNode {
  const list = useLoad(() => call<Schedule[]>('GET /connections/{id}/schedules', { params: { id: connectionId } }), [connectionId]);
  const action = useAction();
  const write = useWrite('connections:admin');
  const [form, setForm] = useState({ name: '', mapping: '', mode: 'incremental', cron: '*/15 * * * *', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' });
  const set = (k: keyof typeof form, v: string): void => setForm((f) => ({ ...f, [k]: v }));
  const mapping = form.mapping || mappings[0]?.id || '';
  return (
    <>
      <ErrorAlert error={list.error ?? action.error} />
      {list.data !== undefined && list.data.length === 0 && <p>No schedules.</p>}
      {list.data !== undefined && list.data.length > 0 && (
        <table>
          <caption>Schedules of this connection</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Mapping</th>
              <th scope="col">Mode</th>
              <th scope="col">Cron</th>
              <th scope="col">Next runs</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.name ?? '—'}</th>
                <td>{s.mapping ?? 'every mapping'}</td>
                <td>{s.mode}</td>
                <td>
                  <code>{s.cron}</code> <span className="muted">{s.timezone}</span>
                </td>
                <td>
                  <ul className="plain">
                    {s.next_fire_times.map((t) => (
                      <li key={t}>
                        <time dateTime={t}>{t.replace('T', ' ')}</time>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{s.enabled ? 'enabled' : 'disabled'}</td>
                <td>
                  <button
                    type="button"
                    {...write}
                    onClick={() =>
                      void action.run(async () => {
                        await call('PATCH /connections/{id}/schedules/{schedule}', { params: { id: connectionId, schedule: s.id }, body: { enabled: !s.enabled } });
                        await list.reload();
                      })
                    }
                  >
                    {s.enabled ? 'Disable' : 'Enable'} <span className="sr-only">{s.name ?? s.cron}</span>
                  </button>{' '}
                  <button
                    type="button"
                    className="danger"
                    {...write}
                    onClick={() =>
                      void action.run(async () => {
                        await call('DELETE /connections/{id}/schedules/{schedule}', { params: { id: connectionId, schedule: s.id } });
                        await list.reload();
                      })
                    }
                  >
                    Delete <span className="sr-only">{s.name ?? s.cron}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline"
        aria-label="Add a schedule"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await call('POST /connections/{id}/schedules', { params: { id: connectionId }, body: { name: form.name === '' ? null : form.name, mapping, mode: form.mode, cron: form.cron, timezone: form.timezone } });
            setForm((f) => ({ ...f, name: '' }));
            await list.reload();
          });
        }}
      >
        <div className="field">
          <label htmlFor="schedule-name">Name</label>
          <input id="schedule-name" value={form.name} onChange={(e) => set('name', e.target.value)} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="schedule-mapping">Mapping</label>
          <select id="schedule-mapping" value={mapping} onChange={(e) => set('mapping', e.target.value)}>
            {mappings.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="schedule-mode">Mode</label>
          <select id="schedule-mode" value={form.mode} onChange={(e) => set('mode', e.target.value)}>
            <option value="incremental">incremental</option>
            <option value="full">full</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="schedule-cron">Cron</label>
          <input id="schedule-cron" value={form.cron} onChange={(e) => set('cron', e.target.value)} required aria-describedby="schedule-cron-help" />
          <p id="schedule-cron-help" className="muted">
            5 fields (or 6 with seconds), e.g. <code>0 2 * * *</code> every night at 2:00.
          </p>
        </div>
        <div className="field">
          <label htmlFor="schedule-timezone">Time zone</label>
          <input id="schedule-timezone" value={form.timezone} onChange={(e) => set('timezone', e.target.value)} required />
        </div>
        <button type="submit" className="primary" {...write} disabled={write.disabled || mapping === '' || action.busy}>
          Add schedule
        </button>
      </form>
    </>
  );
}
