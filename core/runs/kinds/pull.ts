// A pull run: the connection's settings and the stream's saved state read together, the
// mapping's plan, and the stream read page by page into the store (core/sync/pull.ts).
import { connectionClient } from '../../sync/context';
import { HttpStreamSource } from '../../sync/http-source';
import { checkPlan, runPull, type PullOptions } from '../../sync/pull';
import { buildPullPlan } from '../../sync/pull-plan';
import * as connections from '../../store/tables/connections';
import type { RunKind } from '../types';

export const pullKind: RunKind = {
  async execute(ctx, run, options) {
    const mapping = ctx.registry.mapping(run.mappingId);
    const connector = ctx.registry.connector(mapping.connector);
    const { config, state } = await connections.loadConfigAndState(ctx.db, ctx.box, { connectionId: run.connectionId, mappingId: run.mappingId });
    const plan = buildPullPlan(ctx.registry, run, config, options.holder);
    checkPlan(plan);
    const stream = connector.streams![mapping.stream]!;
    const pullOptions: PullOptions = { stopSignal: options.signal, state, ...(options.onPage === undefined ? {} : { onPage: options.onPage }) };
    if (stream.incremental?.lookback_seconds !== undefined) pullOptions.lookbackSeconds = stream.incremental.lookback_seconds;
    const source = new HttpStreamSource(connectionClient(ctx, connector, run.connectionId, config), mapping.stream);
    const { outcome, unrecorded } = await runPull(ctx.db, plan, source, pullOptions);
    return { outcome, unrecorded };
  },
};
