// Mark-and-sweep at the end of a full run: linked records the run did not see are deleted per
// the mapping's `deletes`, unless the run looks truncated: it read far fewer records than the
// last full run that swept (`sweep_min_ratio`), which is what an API answering short looks like,
// and sweeping then would delete records that still exist.
import type { Knex } from 'knex';
import * as recordLinks from '../store/tables/record-links';
import type { RunWarning } from '../store/tables/sync-runs';
import { applyDeletions, type PullPlan } from './pull-page';

export const DEFAULT_SWEEP_MIN_RATIO = 0.5;

/** What sync_state.state remembers of the last full run that was not skipped: how much it read. */
export interface LastFullRun {
  records: number;
  run_id: string;
  at: string;
}

const STATE_KEY = 'last_full_run';

export function lastFullRun(state: Record<string, unknown>): LastFullRun | undefined {
  const value = state[STATE_KEY] as Partial<LastFullRun> | undefined;
  return value !== null && typeof value === 'object' && typeof value.records === 'number' ? (value as LastFullRun) : undefined;
}

/** The state with this run as the last full run. */
export function withLastFullRun(state: Record<string, unknown>, run: LastFullRun): Record<string, unknown> {
  return { ...state, [STATE_KEY]: run };
}

/**
 * Why a full run that read `read` records must not sweep, as the run's warning; undefined when
 * it may. The reference is the last full run that swept, so a run of truncated runs never
 * becomes the norm.
 */
export function truncatedRun(plan: Pick<PullPlan, 'mappingId' | 'deletes' | 'sweepMinRatio'>, read: number, last: LastFullRun | undefined): RunWarning | undefined {
  const ratio = plan.sweepMinRatio ?? DEFAULT_SWEEP_MIN_RATIO;
  if (plan.deletes === 'ignore' || last === undefined || ratio <= 0 || read >= ratio * last.records) return undefined;
  const percent = `${Math.round(ratio * 100)}%`;
  return {
    code: 'sweep_skipped',
    message: `the sweep was skipped, nothing was deleted: this full run read ${read} records, fewer than ${percent} of the ${last.records} the last full run (${last.run_id}) read, so it looks truncated. If the source really shrank that much, run one full run with "sweep_min_ratio": 0 in mapping ${plan.mappingId}`,
    details: { read, last_full_run_read: last.records, last_full_run: last.run_id, sweep_min_ratio: ratio },
  };
}

/** Deletes, per `deletes`, the records linked to this connection's entity that the full run did not see. */
export async function sweep(db: Knex, plan: PullPlan): Promise<number> {
  if (plan.deletes === 'ignore') return 0;
  let deleted = 0;
  let afterId = 0;
  for (;;) {
    const unseen = await recordLinks.listUnseen(db, plan.connectionId, plan.mapping.entity, plan.runId, 1000, afterId, plan.mappingId);
    if (unseen.length === 0) return deleted;
    afterId = unseen[unseen.length - 1]!.id;
    deleted += await db.transaction((trx) => applyDeletions(trx, plan, unseen));
  }
}
