// Start a run of one of the connection's mappings, incremental or full; then watch it.
import { useState, type ReactNode } from 'react';
import { call } from '../api';
import { ErrorAlert, useAction } from './common';
import { useRouter } from '../router';
import { useWrite } from '../session';
import type { MappingSummary, Run } from '../types';

export function StartRun({ connectionId, mappings }: { connectionId: string; mappings: MappingSummary[] }): ReactNode {
  const [mapping, setMapping] = useState('');
  const [mode, setMode] = useState<'incremental' | 'full'>('incremental');
  const action = useAction();
  const write = useWrite('runs:write');
  const { navigate } = useRouter();
  const chosen = mapping || mappings[0]?.id || '';
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const r = await call<{ run: Run }>('POST /connections/{id}/runs', { params: { id: connectionId }, body: { mapping: chosen, mode } });
          navigate(`/runs/${r.run.id}`);
        });
      }}
    >
      <div className="field">
        <label htmlFor="run-mapping">Mapping</label>
        <select id="run-mapping" value={chosen} onChange={(e) => setMapping(e.target.value)}>
          {mappings.map((m) => (
            <option key={m.id} value={m.id}>
              {m.id} ({m.stream} → {m.entity})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="run-mode">Mode</label>
        <select id="run-mode" value={mode} onChange={(e) => setMode(e.target.value as 'incremental' | 'full')}>
          <option value="incremental">incremental</option>
          <option value="full">full</option>
        </select>
      </div>
      <button type="submit" className="primary" {...write} disabled={write.disabled || chosen === '' || action.busy}>
        Start run
      </button>
      <ErrorAlert error={action.error} />
    </form>
  );
}
