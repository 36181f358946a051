// The kinds of run the executor knows, by name: one file per kind. A queued run is executed
// by its direction; `ingest` is asked for by webhook deliveries that carry their records.
import type { RunDirection } from '../../store/tables/sync-runs';
import type { RunKind } from '../types';
import { bothKind } from './both';
import { ingestKind } from './ingest';
import { pullKind } from './pull';
import { pushKind } from './push';

export type RunKindName = RunDirection | 'ingest';

export const KINDS: { readonly [K in RunKindName]: RunKind } = {
  pull: pullKind,
  push: pushKind,
  both: bothKind,
  ingest: ingestKind,
};
