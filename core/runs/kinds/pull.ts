// A pull run: the connection's settings and the stream's saved state read together, the
// mapping's plan, and the stream read page by page into the store (core/sync/pull.ts).
import { connectionClient } from '../../sync/context';
import { HttpStreamSource } from '../../sync/http-source';
import { checkPlan, runPull, type PullOptions, type PullProgress } from '../../sync/pull';
import { buildPullPlan } from '../../sync/pull-plan';
import { recordCost } from '../../sync/run-cost';
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
    const client = connectionClient(ctx, connector, run.connectionId, config);
    // The requests' cost goes to the run after each committed page, and when the attempt ends.
    const onPage = (p: PullProgress): void => {
      void recordCost(ctx.db, run.id, client).catch(() => undefined);
      options.onPage?.(p);
    };
    const pullOptions: PullOptions = { stopSignal: options.signal, state, onPage };
    if (stream.incremental?.lookback_seconds !== undefined) pullOptions.lookbackSeconds = stream.incremental.lookback_seconds;
    const source = new HttpStreamSource(client, mapping.stream);
    try {
      const { outcome, unrecorded, warnings } = await runPull(ctx.db, plan, source, pullOptions);
      return { outcome, unrecorded, warnings };
    } finally {
      await recordCost(ctx.db, run.id, client).catch(() => undefined);
    }
  },
};
