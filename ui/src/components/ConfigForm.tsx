// A connection's settings as a form made from its connector's `config_schema`: one field per
// property (text, number, checkbox or choice), required ones marked, secret ones write-only
// (shown as set or not set; left empty, a stored secret stays as it is).
import { useState, type FormEvent, type ReactNode } from 'react';
import type { JsonSchemaProp } from '../types';

export interface ConfigSchema {
  required?: string[];
  properties?: Record<string, JsonSchemaProp>;
}

function kindOf(p: JsonSchemaProp): 'string' | 'number' | 'boolean' | 'enum' {
  if (Array.isArray(p.enum)) return 'enum';
  const t = [p.type ?? 'string'].flat().find((x) => x !== 'null') ?? 'string';
  if (t === 'integer' || t === 'number') return 'number';
  if (t === 'boolean') return 'boolean';
  return 'string';
}

export interface ConfigFormProps {
  schema: ConfigSchema;
  /** Stored non-secret values. */
  values?: Record<string, unknown>;
  /** Which secrets are set (editing). */
  secrets?: Record<string, boolean>;
  submitLabel: string;
  disabled?: boolean;
  title?: string;
  /** Only the settings given (secrets left empty are not sent). */
  onSubmit(config: Record<string, unknown>): void;
  children?: ReactNode;
}

export function ConfigForm({ schema, values = {}, secrets, submitLabel, disabled = false, title, onSubmit, children }: ConfigFormProps): ReactNode {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const editing = secrets !== undefined;
  const [state, setState] = useState<Record<string, unknown>>(() => Object.fromEntries(Object.entries(props).map(([k, p]) => [k, p.secret === true ? '' : (values[k] ?? (kindOf(p) === 'boolean' ? false : ''))])));
  const set = (k: string, v: unknown): void => setState((s) => ({ ...s, [k]: v }));
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const out: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(props)) {
      const v = state[k];
      if (v === '' || v === undefined) {
        if (editing && p.secret !== true && values[k] !== undefined) out[k] = null; // cleared
        continue;
      }
      out[k] = kindOf(p) === 'number' ? Number(v) : v;
    }
    onSubmit(out);
  };
  return (
    <form onSubmit={submit} className="config-form">
      {children}
      {Object.entries(props).map(([k, p]) => {
        const id = `config-${k}`;
        const kind = kindOf(p);
        const secretSet = secrets?.[k] === true;
        const help = [p.description, p.secret === true ? (editing ? (secretSet ? 'Secret: set. Leave empty to keep it.' : 'Secret: not set.') : 'Secret: stored encrypted, never shown again.') : undefined].filter((x) => x !== undefined).join(' ');
        const isRequired = required.has(k) && !(p.secret === true && secretSet);
        return (
          <div className="field" key={k}>
            {kind === 'boolean' ? (
              <label htmlFor={id} className="check">
                <input id={id} type="checkbox" checked={state[k] === true} onChange={(e) => set(k, e.target.checked)} disabled={disabled} aria-describedby={help === '' ? undefined : `${id}-help`} /> {k}
              </label>
            ) : (
              <label htmlFor={id}>
                {k}
                {isRequired && <span aria-hidden="true"> *</span>}
                {p.secret === true && <span className={`badge ${secretSet ? 'badge-succeeded' : ''}`}>{secretSet ? 'set' : 'not set'}</span>}
              </label>
            )}
            {kind === 'enum' && (
              <select id={id} value={String(state[k] ?? '')} onChange={(e) => set(k, e.target.value)} required={isRequired} disabled={disabled} aria-describedby={help === '' ? undefined : `${id}-help`}>
                <option value="">—</option>
                {(p.enum ?? []).map((v) => (
                  <option key={String(v)} value={String(v)}>
                    {String(v)}
                  </option>
                ))}
              </select>
            )}
            {(kind === 'string' || kind === 'number') && (
              <input
                id={id}
                name={k}
                type={p.secret === true ? 'password' : kind === 'number' ? 'number' : 'text'}
                autoComplete={p.secret === true ? 'new-password' : 'off'}
                value={String(state[k] ?? '')}
                placeholder={p.secret === true && secretSet ? '•••••• (set)' : undefined}
                onChange={(e) => set(k, e.target.value)}
                required={isRequired}
                aria-required={isRequired}
                disabled={disabled}
                aria-describedby={help === '' ? undefined : `${id}-help`}
              />
            )}
            {help !== '' && (
              <p id={`${id}-help`} className="muted">
                {help}
              </p>
            )}
          </div>
        );
      })}
      <button type="submit" className="primary" disabled={disabled} title={title}>
        {submitLabel}
      </button>
    </form>
  );
}
