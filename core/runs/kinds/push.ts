// A push run: the connection's settings, the mapping's push plan, and the change outbox sent
// through the connector's actions (core/sync/push.ts).
import { SwitchboardError } from '../../errors';
import { connectionClient } from '../../sync/context';
import { runPush } from '../../sync/push';
import { buildPushPlan } from '../../sync/push-plan';
import * as connections from '../../store/tables/connections';
import type { RunKind } from '../types';

export const pushKind: RunKind = {
  async execute(ctx, run, options) {
    const mapping = ctx.registry.mapping(run.mappingId);
    if (mapping.push === undefined) throw new SwitchboardError('SB_BAD_REQUEST', `mapping "${mapping.id}" has no push section`);
    const connector = ctx.registry.connector(mapping.connector);
    const config = await connections.loadConfig(ctx.db, ctx.box, run.connectionId);
    const plan = buildPushPlan({ runId: run.id, connectionId: run.connectionId, mapping, connector, config, holder: options.holder });
    const client = connectionClient(ctx, connector, run.connectionId, config);
    const { outcome } = await runPush(ctx.db, plan, client, { stopSignal: options.signal, ...(options.onPage === undefined ? {} : { onPage: options.onPage }) });
    return { outcome, unrecorded: {} };
  },
};
