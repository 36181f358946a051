// The plan of a pull run: its mapping compiled, its stream's keys, cursor and deletion rules,
// the connection's settings, and who holds the run (so its page commits are fenced).
import { SwitchboardError } from '../errors';
import type { Registry } from '../definitions';
import { compilePullMapping } from '../mapping/compile-pull';
import type { RunHolder, SyncRun } from '../store/tables/sync-runs';
import type { PullPlan } from './pull-page';

/** The plan of a pull run of `run`'s mapping (also used to ingest records a webhook delivers). */
export function buildPullPlan(registry: Registry, run: Pick<SyncRun, 'id' | 'connectionId' | 'mappingId' | 'mode'>, config: Record<string, unknown>, holder?: RunHolder): PullPlan {
  const mappingDef = registry.mapping(run.mappingId);
  const connector = registry.connector(mappingDef.connector);
  const stream = connector.streams?.[mappingDef.stream];
  if (stream === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `connector "${connector.id}" has no stream "${mappingDef.stream}"`);
  return {
    runId: run.id,
    connectionId: run.connectionId,
    mappingId: mappingDef.id,
    mode: run.mode === 'incremental' && stream.incremental !== undefined ? 'incremental' : 'full',
    mapping: compilePullMapping(mappingDef),
    config,
    primaryKey: stream.primary_key ?? 'id',
    cursorField: stream.incremental?.cursor_field,
    deleted: stream.deleted === undefined ? undefined : { path: stream.deleted.path, equals: stream.deleted.equals ?? true },
    deletes: mappingDef.deletes ?? 'soft',
    conflict: mappingDef.conflict ?? 'source_wins',
    matchOn: mappingDef.match_on ?? [],
    ...(holder === undefined ? {} : { holder }),
  };
}
