// The plan of a pull run: its mapping compiled, its stream's keys, cursor and deletion rules,
// the connection's settings, and who holds the run (so its page commits are fenced).
import { SwitchboardError } from '../errors';
import type { Registry } from '../definitions';
import { compileConnector, streamOf } from '../http/compiled';
import { secretNamesOf } from '../definitions/connector-checks';
import { compilePullMapping, mappingConfig } from '../mapping/compile-pull';
import type { RunHolder, SyncRun } from '../store/tables/sync-runs';
import type { PullPlan } from './pull-page';
import { DEFAULT_SWEEP_MIN_RATIO } from './sweep';

/** The plan of a pull run of `run`'s mapping (also used to ingest records a webhook delivers). */
export function buildPullPlan(registry: Registry, run: Pick<SyncRun, 'id' | 'connectionId' | 'mappingId' | 'mode'>, config: Record<string, unknown>, holder?: RunHolder): PullPlan {
  const mappingDef = registry.mapping(run.mappingId);
  const connector = registry.connector(mappingDef.connector);
  const stream = connector.streams?.[mappingDef.stream];
  if (stream === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `connector "${connector.id}" has no stream "${mappingDef.stream}"`);
  const compiled = streamOf(compileConnector(connector), mappingDef.stream);
  return {
    runId: run.id,
    connectionId: run.connectionId,
    mappingId: mappingDef.id,
    // A child stream whose parents are read incrementally reads incrementally too (its own
    // cursor, if any, aside): a full run would sweep the children of the parents it skipped.
    mode: run.mode === 'incremental' && (stream.incremental !== undefined || stream.parent?.incremental === true) ? 'incremental' : 'full',
    parentIncremental: stream.parent?.incremental === true,
    mapping: compilePullMapping(mappingDef),
    // Mapping templates never see the connection's secrets (they would end up in CRM records).
    config: mappingConfig(config, secretNamesOf(connector)),
    primaryKey: stream.primary_key ?? 'id',
    cursorField: stream.incremental?.cursor_field,
    filter: compiled.filter,
    deleted: compiled.deleted,
    modifiedAt: mappingDef.modified_at,
    deletes: mappingDef.deletes ?? 'soft',
    sweepMinRatio: mappingDef.sweep_min_ratio ?? DEFAULT_SWEEP_MIN_RATIO,
    conflict: mappingDef.conflict ?? 'source_wins',
    matchOn: mappingDef.match_on ?? [],
    ...(holder === undefined ? {} : { holder }),
  };
}
