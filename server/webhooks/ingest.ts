// Ingesting records a webhook delivered: one short run (trigger `webhook`) that writes them as
// one page through the pull run's page writer (mapping, refs, match_on, links and counts in one
// transaction), leaving the stream's durable state and any checkpoint exactly as they were.
import { WORKER_ID, type Engine } from '../../core/engine';
import { SwitchboardError, errorMessage, isSwitchboardError } from '../../core/errors';
import * as connections from '../../core/store/tables/connections';
import * as syncRuns from '../../core/store/tables/sync-runs';
import * as syncState from '../../core/store/tables/sync-state';
import { buildPullPlan } from '../../core/sync/execute';
import { PageBatch, compilePlanPaths, writeBatch } from '../../core/sync/pull-page';

export interface IngestOutcome {
  run: syncRuns.SyncRun;
  /** False when another run of the mapping was already queued or running (nothing written). */
  ingested: boolean;
}

export async function ingestRecords(engine: Engine, connectionId: string, mappingId: string, records: readonly unknown[]): Promise<IngestOutcome> {
  const db = engine.db;
  const { run, created } = await syncRuns.requestRun(db, { connectionId, mappingId, direction: 'pull', mode: 'incremental', trigger: 'webhook' });
  if (!created) return { run, ingested: false };
  // The run row is the mapping's lock: while it is running, no other run writes its state.
  if (!(await syncRuns.tryTransition(db, run.id, 'running', { worker: WORKER_ID }))) return { run: await syncRuns.get(db, run.id), ingested: false };
  try {
    const config = await connections.loadConfig(db, engine.box, connectionId);
    // Incremental: a delivery is never a whole stream, so it marks nothing for deletion sweeps.
    const plan = { ...buildPullPlan(engine, run, config), mode: 'incremental' as const };
    const key = { connectionId, mappingId };
    const saved = await syncState.load(db, key);
    const batch = new PageBatch(plan, compilePlanPaths(plan), undefined);
    batch.add({ records: [...records], checkpoint: null, requests: 0, retries: 0 }, new Date().toISOString());
    await writeBatch(db, plan, batch, saved.state);
    // Delivered records may be newer than records the stream has not been read up to: the
    // durable cursor must not move past them, so the saved state is put back as it was.
    await syncState.save(db, key, saved);
    await syncRuns.transition(db, run.id, 'succeeded', { worker: null });
  } catch (err) {
    const error = isSwitchboardError(err) ? err : new SwitchboardError('SB_INTERNAL', errorMessage(err), { cause: err });
    await syncRuns.tryTransition(db, run.id, 'failed', { error: { code: error.code, message: error.message }, worker: null });
    throw error;
  }
  return { run: await syncRuns.get(db, run.id), ingested: true };
}
