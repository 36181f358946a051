// Previews a mapping on sample records, writing nothing: each record mapped by the same
// compiled function a pull run uses (compilePullMapping), with the rows it would write and the
// records it would reject, with their reasons. References stay external ids.
import type { MappingDefinition } from '../generated/mapping';
import { getPath } from '../util/path';
import { compilePullMapping, type MappingContext } from './compile-pull';

export interface PreviewRow {
  /** Position in the records given. */
  index: number;
  /** The record's id at the source (its stream's `primary_key`), when known. */
  externalId: string | null;
  values: Record<string, unknown>;
  refs: Array<{ field: string; entity: string; externalId: string }>;
}

export interface PreviewReject {
  index: number;
  externalId: string | null;
  code: string;
  field: string | null;
  reason: string;
}

export interface MappingPreview {
  mapping: string;
  entity: string;
  rows: PreviewRow[];
  rejects: PreviewReject[];
}

export interface PreviewOptions {
  config?: MappingContext['config'];
  /** The stream's `primary_key`: records without one are rejected, as a run would. */
  primaryKey?: string;
  now?: string;
}

export function previewMapping(def: MappingDefinition, records: readonly unknown[], options: PreviewOptions = {}): MappingPreview {
  const mapping = compilePullMapping(def);
  const ctx: MappingContext = { config: options.config ?? {}, now: options.now ?? new Date().toISOString() };
  const rows: PreviewRow[] = [];
  const rejects: PreviewReject[] = [];
  records.forEach((record, index) => {
    let externalId: string | null = null;
    if (options.primaryKey !== undefined) {
      const id = getPath(record, options.primaryKey);
      if (id === undefined || id === null || id === '' || typeof id === 'object') {
        rejects.push({ index, externalId, code: 'SB_MAPPING_FAILED', field: options.primaryKey, reason: `the record has no primary key at "${options.primaryKey}"` });
        return;
      }
      externalId = String(id);
    }
    const r = mapping.map(record, ctx);
    if (r.ok) rows.push({ index, externalId, values: r.values, refs: r.refs.map((ref) => ({ field: ref.field, entity: ref.entity, externalId: ref.externalId })) });
    else rejects.push({ index, externalId, code: r.code, field: r.field, reason: r.reason });
  });
  return { mapping: def.id, entity: mapping.entity, rows, rejects };
}
