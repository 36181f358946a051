// What a push remembers, in sync_state (direction `push`) of its connection and mapping, and
// the transactions that move it: the outbox position, the records of the current window
// already handled, and the request in flight, saved before it is sent so that a crash at any
// point replays exactly that request (same body, same idempotency key).
import type { Knex } from 'knex';
import type { Db } from '../store/db';
import * as recordLinks from '../store/tables/record-links';
import * as rejectedRecords from '../store/tables/rejected-records';
import * as runCosts from '../store/tables/run-costs';
import * as syncRuns from '../store/tables/sync-runs';
import * as syncState from '../store/tables/sync-state';
import type { Delivery } from './push-plan';

/** A request about to be sent: saved first, cleared in the transaction that stores its results. */
export interface Intent {
  action: string;
  key: string;
  items: Delivery[];
}

export interface PushState {
  /** The last outbox change id whose records are all handled. */
  position: number;
  /** Records of the window after `position` already handled, with the last change handled. */
  handled: Record<string, number>;
  inflight: Intent | null;
}

export interface StateKey {
  connectionId: string;
  mappingId: string;
}

function key(k: StateKey): syncState.StateKey {
  return { connectionId: k.connectionId, mappingId: k.mappingId, direction: 'push' };
}

export async function loadPushState(db: Db, k: StateKey): Promise<PushState> {
  const { state } = await syncState.load(db, key(k));
  const position = typeof state['position'] === 'number' ? state['position'] : 0;
  const handled = state['handled'] !== null && typeof state['handled'] === 'object' ? (state['handled'] as Record<string, number>) : {};
  const inflight = typeof state['inflight'] === 'string' ? (JSON.parse(state['inflight']) as Intent) : null;
  return { position, handled, inflight };
}

export async function savePushState(db: Db, k: StateKey, state: PushState): Promise<void> {
  // Push state is the connection's, not a run's: a later run carries on from it. The request in
  // flight is kept as JSON text: PostgreSQL's jsonb reorders object keys, and a request sent
  // again must have the same body, byte for byte, as APIs compare it under the same key.
  const inflight = state.inflight === null ? null : JSON.stringify(state.inflight);
  await syncState.save(db, key(k), { state: { position: state.position, handled: state.handled, inflight }, checkpoint: null, checkpointRunId: null });
}

/** A record link to write after a create or update went through. */
export interface LinkOutcome {
  crmId: string;
  externalId: string;
  /** The pushed payload's hash. */
  pushedHash: string;
  /** What a pull would hash the record as now (so the echo of this push is "unchanged"); null when unknown. */
  pullHash: string | null;
}

export interface CommitInput {
  runId: string;
  entity: Parameters<typeof recordLinks.upsert>[2];
  links: readonly LinkOutcome[];
  /** Links of records deleted at the API. */
  unlinked: readonly string[];
  rejected: readonly rejectedRecords.NewRejectedRecord[];
  counts: Partial<syncRuns.RunCounts>;
  /** The requests' cost per endpoint and budget since the last commit. */
  cost?: runCosts.CostIncrement;
  progress?: Record<string, unknown>;
  /** Stored only while this holder holds the run (see syncRuns.addCounts). */
  holder?: syncRuns.RunHolder;
}

/**
 * Stores what a request (or a window's decisions) achieved and the state after it, in one
 * transaction: a crash before it replays the request; after it, nothing is sent again.
 */
export async function commitPush(db: Knex, k: StateKey, state: PushState, input: CommitInput): Promise<void> {
  await db.transaction(async (trx) => {
    if (input.links.length > 0) {
      await recordLinks.upsert(
        trx,
        k.connectionId,
        input.entity,
        // The push run counts as the run that last saw the record: a full pull of another mapping
        // of the entity never sweeps it, one of this mapping does if its source lacks the record.
        input.links.map((l) => ({ crmId: l.crmId, externalId: l.externalId, hash: l.pullHash, pushedHash: l.pushedHash, seenRunId: input.runId })),
      );
    }
    if (input.unlinked.length > 0) await recordLinks.removeByExternalIds(trx, k.connectionId, input.entity, input.unlinked);
    await rejectedRecords.add(trx, input.rejected);
    await savePushState(trx, k, state);
    await syncRuns.addCounts(trx, input.runId, input.counts, input.progress, input.holder);
    if (input.cost !== undefined) await runCosts.add(trx, input.runId, input.cost);
  });
}
