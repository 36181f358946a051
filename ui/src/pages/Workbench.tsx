// The workbench: edit a connector or mapping with schema completion and the validator's
// problems at their line and column; "Test read" the first pages of a stream through a
// connection; "Preview" those records mapped to CRM rows (and the rejects, with reasons),
// writing nothing; save the file only when it validates.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { JSONSchema7 } from 'json-schema';
import connectorSchema from '../../../core/schemas/connector.schema.json';
import mappingSchema from '../../../core/schemas/mapping.schema.json';
import { call } from '../api';
import { ErrorAlert, Json, Notice, PageTitle, useAction, useLoad } from '../components/common';
import { JsonEditor } from '../components/JsonEditor';
import { useRouter } from '../router';
import { useWrite } from '../session';
import type { Connection, ConnectorSummary, MappingSummary, PreviewResult, Problem, ReadResult } from '../types';

type Kind = 'mapping' | 'connector';

const SCHEMAS: Record<Kind, JSONSchema7> = { mapping: mappingSchema as JSONSchema7, connector: connectorSchema as JSONSchema7 };

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function WorkbenchPage(): ReactNode {
  const { search, navigate } = useRouter();
  const kind: Kind = search.get('kind') === 'connector' ? 'connector' : 'mapping';
  const id = search.get('id') ?? '';
  const connectors = useLoad(() => call<ConnectorSummary[]>('GET /connectors'), []);
  const mappings = useLoad(() => call<MappingSummary[]>('GET /mappings'), []);
  const connections = useLoad(() => call<Connection[]>('GET /connections'), []);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [checked, setChecked] = useState(false);
  const [records, setRecords] = useState<ReadResult | undefined>(undefined);
  const [preview, setPreview] = useState<PreviewResult | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [connectionId, setConnectionId] = useState('');
  const [pages, setPages] = useState('1');
  const action = useAction();
  const canSave = useWrite('definitions:write');
  const canRead = useWrite('connections:admin');

  const ids = kind === 'mapping' ? (mappings.data ?? []).map((m) => m.id) : (connectors.data ?? []).map((c) => c.id);
  const choose = (k: Kind, i: string): void => navigate(`/workbench?kind=${k}${i === '' ? '' : `&id=${encodeURIComponent(i)}`}`, { replace: true });

  // Load the chosen definition into the editor.
  useEffect(() => {
    setRecords(undefined);
    setPreview(undefined);
    setSaved(undefined);
    if (id === '') {
      setText('');
      return;
    }
    call<unknown>(kind === 'mapping' ? 'GET /mappings/{id}' : 'GET /connectors/{id}', { params: { id } })
      .then((def) => setText(`${JSON.stringify(def, null, 2)}\n`))
      .catch(() => setText(''));
  }, [kind, id]);

  // Validate as the text changes (a short pause first), with the file name the id must match.
  useEffect(() => {
    setChecked(false);
    if (text === '') return undefined;
    const t = setTimeout(() => {
      call<{ valid: boolean; problems: Problem[] }>(kind === 'mapping' ? 'POST /mappings/validate' : 'POST /connectors/validate', { text, query: { file: id === '' ? undefined : `${id}.json` } })
        .then((r) => {
          setProblems(r.problems);
          setChecked(true);
        })
        .catch(() => undefined);
    }, 300);
    return () => clearTimeout(t);
  }, [text, kind, id]);

  const doc = useMemo(() => parse(text), [text]);
  const connectorId = kind === 'connector' ? (typeof doc?.['id'] === 'string' ? doc['id'] : id) : typeof doc?.['connector'] === 'string' ? doc['connector'] : '';
  const streams = kind === 'mapping' ? (typeof doc?.['stream'] === 'string' ? [doc['stream']] : []) : Object.keys((doc?.['streams'] as Record<string, unknown> | undefined) ?? {});
  const [stream, setStream] = useState('');
  const chosenStream = streams.includes(stream) ? stream : (streams[0] ?? '');
  const usable = (connections.data ?? []).filter((c) => c.connector === connectorId);
  const connection = usable.find((c) => c.id === connectionId) ?? usable[0];
  const valid = checked && problems.length === 0 && doc !== undefined;

  return (
    <>
      <PageTitle>Workbench</PageTitle>
      <form className="inline" aria-label="Choose a definition" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="wb-kind">Kind</label>
          <select id="wb-kind" value={kind} onChange={(e) => choose(e.target.value as Kind, '')}>
            <option value="mapping">mapping</option>
            <option value="connector">connector</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="wb-id">Definition</label>
          <select id="wb-id" value={id} onChange={(e) => choose(kind, e.target.value)}>
            <option value="">Choose…</option>
            {ids.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </div>
      </form>
      {id !== '' && (
        <>
          <p className="muted" id="wb-help">
            Ctrl-Space completes property names and values from the {kind} schema; hover a property for its documentation. Problems are checked as you type. Press Escape, then Tab, to leave the editor.
          </p>
          <JsonEditor value={text} schema={SCHEMAS[kind]} problems={problems} onChange={setText} label={`${kind} ${id} (JSON)`} />
          <section aria-labelledby="problems-title">
            <h2 id="problems-title">Problems</h2>
            {!checked && <p>Checking…</p>}
            {checked && problems.length === 0 && <p data-testid="valid">No problems: the {kind} validates.</p>}
            {checked && problems.length > 0 && (
              <ul aria-label="Problems" className="problems">
                {problems.map((p, i) => (
                  <li key={i}>
                    Line {p.line}, column {p.column}: {p.message}
                    {p.hint !== undefined && <span className="muted"> ({p.hint})</span>}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <div className="actions">
            <button
              type="button"
              className="primary"
              {...canSave}
              disabled={canSave.disabled || !valid || action.busy}
              onClick={() =>
                void action.run(async () => {
                  const r = await call<{ file: string; created: boolean }>(kind === 'mapping' ? 'PUT /mappings/{id}' : 'PUT /connectors/{id}', { params: { id }, text });
                  setSaved(`Saved ${r.file}: the server runs it from now on.`);
                })
              }
            >
              Save
            </button>
          </div>
          {saved !== undefined && <Notice>{saved}</Notice>}
          <section aria-labelledby="try-title">
            <h2 id="try-title">Try it</h2>
            <form
              className="inline"
              aria-label="Test read"
              onSubmit={(e) => {
                e.preventDefault();
                void action.run(async () => {
                  setPreview(undefined);
                  setRecords(await call<ReadResult>('POST /connections/{id}/read', { params: { id: connection!.id }, body: { stream: chosenStream, pages: Number(pages) } }));
                });
              }}
            >
              <div className="field">
                <label htmlFor="wb-connection">Connection</label>
                <select id="wb-connection" value={connection?.id ?? ''} onChange={(e) => setConnectionId(e.target.value)}>
                  {usable.length === 0 && <option value="">No connection of {connectorId || 'this connector'}</option>}
                  {usable.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="wb-stream">Stream</label>
                <select id="wb-stream" value={chosenStream} onChange={(e) => setStream(e.target.value)}>
                  {streams.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="wb-pages">Pages</label>
                <select id="wb-pages" value={pages} onChange={(e) => setPages(e.target.value)}>
                  {['1', '2', '3', '5'].map((n) => (
                    <option key={n}>{n}</option>
                  ))}
                </select>
              </div>
              <button type="submit" {...canRead} disabled={canRead.disabled || connection === undefined || chosenStream === '' || action.busy}>
                Test read
              </button>
              {kind === 'mapping' && (
                <button
                  type="button"
                  disabled={records === undefined || doc === undefined || action.busy}
                  onClick={() =>
                    void action.run(async () => {
                      setPreview(await call<PreviewResult>('POST /mappings/preview', { body: { definition: doc, records: records!.records, config: connection?.config ?? {} } }));
                    })
                  }
                >
                  Preview
                </button>
              )}
            </form>
            <ErrorAlert error={action.error} />
            {records !== undefined && (
              <p role="status">
                Read {records.records.length} record(s) in {records.pages} page(s), {records.requests} request(s){records.more ? '; the stream has more' : ''}.
              </p>
            )}
            {preview !== undefined && <PreviewTables preview={preview} />}
            {records !== undefined && preview === undefined && (
              <details open>
                <summary>Raw records</summary>
                <Json value={records.records.slice(0, 20)} label="raw records (the first 20)" />
              </details>
            )}
          </section>
        </>
      )}
    </>
  );
}

function PreviewTables({ preview }: { preview: PreviewResult }): ReactNode {
  const columns = [...new Set(preview.rows.flatMap((r) => Object.keys(r.values)))].slice(0, 8);
  return (
    <>
      <h3>
        {preview.rows.length} row(s) for {preview.entity}, {preview.errors.length} rejected (nothing written)
      </h3>
      {preview.errors.length > 0 && (
        <table>
          <caption>Records the mapping rejects</caption>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {preview.errors.map((e) => (
              <tr key={e.index}>
                <th scope="row">
                  #{e.index} {e.external_id ?? ''}
                </th>
                <td>
                  <code>{e.code}</code> {e.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <table>
        <caption>CRM rows (the first 20)</caption>
        <thead>
          <tr>
            <th scope="col">Record</th>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.slice(0, 20).map((r) => (
            <tr key={r.index}>
              <th scope="row">
                #{r.index} {r.external_id ?? ''}
              </th>
              {columns.map((c) => (
                <td key={c}>{typeof r.values[c] === 'object' ? JSON.stringify(r.values[c]) : String(r.values[c] ?? '')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
