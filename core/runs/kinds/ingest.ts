// Ingesting the records a webhook delivered: one page written through the pull run's page
// writer (mapping, refs, match_on, links and counts in one transaction), leaving the stream's
// durable state and any checkpoint exactly as they were.
import { SwitchboardError } from '../../errors';
import * as connections from '../../store/tables/connections';
import * as syncState from '../../store/tables/sync-state';
import { PageBatch, compilePlanPaths, writeBatch } from '../../sync/pull-page';
import { buildPullPlan } from '../../sync/pull-plan';
import type { RunKind } from '../types';

export const ingestKind: RunKind = {
  async execute(ctx, run, options) {
    if (options.records === undefined) throw new SwitchboardError('SB_INTERNAL', `run ${run.id}: an ingest run needs the delivered records`);
    const config = await connections.loadConfig(ctx.db, ctx.box, run.connectionId);
    // Incremental: a delivery is never a whole stream, so it marks nothing for deletion sweeps.
    const plan = { ...buildPullPlan(ctx.registry, run, config, options.holder), mode: 'incremental' as const };
    const key = { connectionId: run.connectionId, mappingId: run.mappingId };
    const saved = await syncState.load(ctx.db, key);
    const batch = new PageBatch(plan, compilePlanPaths(plan), undefined);
    batch.add({ records: [...options.records], checkpoint: null, requests: 0, retries: 0 }, new Date().toISOString());
    await writeBatch(ctx.db, plan, batch, saved.state);
    // Delivered records may be newer than records the stream has not been read up to: the
    // durable cursor must not move past them, so the saved state is put back as it was.
    await syncState.save(ctx.db, key, saved);
    return { outcome: 'succeeded', unrecorded: {} };
  },
};
