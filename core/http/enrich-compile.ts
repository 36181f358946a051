// A stream's `enrich` entries compiled once: the follow-up request (with its `items` element
// when the page's records go in a JSON body), and the paths that match results to records.
import type { Enrich } from '../generated/connector';
import { TEMPLATE_PLACES } from '../templates/places';
import { parsePath, type Path } from '../util/path';
import { compileBatchItems, type BatchItems } from './batch-body';
import { compileRequest, type CompiledRequest } from './request';

export interface CompiledEnrich {
  readonly per: 'page' | 'record';
  readonly request: CompiledRequest;
  /** `per: page`: most records per request (undefined: the whole page). */
  readonly size: number | undefined;
  readonly items: BatchItems | undefined;
  /** Where the results are in the response body. */
  readonly results: Path;
  /** `per: page`: the id in each result, and the value it must equal in each record. */
  readonly key: Path | undefined;
  readonly recordKey: Path;
  readonly into: Path;
  readonly concurrency: number;
  readonly skipStatus: ReadonlySet<number>;
}

export function compileEnrich(spec: Enrich, defaults: { primaryKey: string; concurrency: number }): CompiledEnrich {
  const per = spec.per ?? 'page';
  const roots = per === 'page' ? TEMPLATE_PLACES.enrichPage : TEMPLATE_PLACES.enrichRecord;
  return {
    per,
    // The `items` element inside the body is rendered per record (the validator checks each part where it stands).
    request: compileRequest(spec.request, spec.items === undefined ? roots : [...roots, 'record']),
    size: spec.size,
    items: spec.items === undefined ? undefined : compileBatchItems(spec.request.body, spec.items, TEMPLATE_PLACES.enrichRecord, 'enrich'),
    results: parsePath(spec.results ?? ''),
    key: spec.key === undefined ? undefined : parsePath(spec.key),
    recordKey: parsePath(spec.record_key ?? defaults.primaryKey),
    into: parsePath(spec.into),
    concurrency: defaults.concurrency,
    skipStatus: new Set(spec.skip_status ?? []),
  };
}
