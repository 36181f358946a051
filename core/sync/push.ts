// The push runner: reads the change outbox after the connection's position in windows,
// decides per record (create, update, delete, skip), sends the actions (batched where the
// action says so) and stores each request's results in one transaction with the state, so a
// crash at any point delivers every change at least once: the request in flight is saved
// before it is sent and replayed with the same idempotency key, and the position moves only
// once every record of its window is delivered or rejected.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { SwitchboardError, errorMessage, isSwitchboardError, type ErrorCode } from '../errors';
import type { ConnectorClient } from '../http/client';
import type { NewRejectedRecord } from '../store/tables/rejected-records';
import * as syncRuns from '../store/tables/sync-runs';
import { setPath } from '../util/path';
import { emptyCounts, type PullOutcome, type PullProgress } from './pull';
import type { PageCounts } from './pull-page';
import { coalesce, decide, readChanges, type Decision } from './push-changes';
import { buildPushPlan, type Delivery, type PushPlan } from './push-plan';
import { failureKind, failureStatus, sendOnce, type ItemResult } from './push-send';
import { recordCost } from './run-cost';
import { commitPush, loadPushState, savePushState, type CommitInput, type LinkOutcome, type PushState } from './push-state';

export interface PushOptions {
  /** Called after each commit, with the run's counts so far. */
  onPage?: (progress: PullProgress) => void;
  /** Stop between requests (graceful shutdown): the run goes back to `queued`; nothing is lost. */
  stopSignal?: AbortSignal;
  /** Outbox changes read per window (default 500). */
  window?: number;
}

export interface PushResult {
  outcome: PullOutcome;
  counts: PageCounts;
}

const DEFAULT_WINDOW = 500;

/**
 * The idempotency key of one request: the connection, the mapping, the action and, per
 * record, the outbox changes it carries. It is saved with the request before it is sent, so
 * the request sent again after a failure or a crash carries the same one.
 */
export function deliveryKey(plan: Pick<PushPlan, 'connectionId' | 'mappingId'>, action: string, items: readonly Delivery[]): string {
  const h = createHash('sha256').update(`${plan.connectionId}\u0000${plan.mappingId}\u0000${action}`);
  for (const i of items) h.update(`\u0000${i.crmId}:${i.kind}:${i.first}-${i.last}`);
  return `sb-${h.digest('base64url').slice(0, 43)}`;
}

/** The requests of a window: deliveries grouped by action, in order, cut to each action's batch size. */
function requestsOf(plan: PushPlan, deliveries: readonly Delivery[]): Delivery[][] {
  const byAction = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    const list = byAction.get(d.action);
    if (list === undefined) byAction.set(d.action, [d]);
    else list.push(d);
  }
  const out: Delivery[][] = [];
  for (const [name, list] of byAction) {
    const size = plan.actions.get(name)?.batch?.size ?? 1;
    for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  }
  return out;
}

class PushRun {
  readonly counts = emptyCounts();
  private readonly started = Date.now();
  private readonly key: { connectionId: string; mappingId: string };
  private seen = { requests: 0, retries: 0 };

  constructor(
    private readonly db: Knex,
    private readonly plan: PushPlan,
    private readonly client: ConnectorClient,
    private readonly options: PushOptions,
    public state: PushState,
  ) {
    this.key = { connectionId: plan.connectionId, mappingId: plan.mappingId };
    this.seen = { ...client.stats };
  }

  async run(): Promise<PullOutcome> {
    // A request saved but not known to have been stored: send it again, exactly as it was.
    const left = this.state.inflight;
    if (left !== null && left.items.length > 0 && this.plan.actions.has(left.action)) await this.deliver(left.items, left.key);
    else if (left !== null) {
      // The mapping no longer calls that action: its records are decided again below.
      this.state = { ...this.state, inflight: null };
      await savePushState(this.db, this.key, this.state);
    }
    const limit = Math.max(1, this.options.window ?? DEFAULT_WINDOW);
    for (;;) {
      const stop = await this.stopping();
      if (stop !== undefined) return stop;
      const changes = await readChanges(this.db, this.plan.entity, this.state.position, limit);
      const last = changes[changes.length - 1];
      if (last === undefined) return 'succeeded';
      const pending = coalesce(changes).filter((r) => (this.state.handled[r.crmId] ?? 0) < r.last);
      const decisions = await decide(this.db, this.plan, pending, new Date().toISOString());
      await this.commitDecisions(decisions);
      const deliveries = decisions.flatMap((d) => (d.type === 'deliver' ? [d.delivery] : []));
      for (const request of requestsOf(this.plan, deliveries)) {
        const stopNow = await this.stopping();
        if (stopNow !== undefined) return stopNow;
        await this.deliver(request, deliveryKey(this.plan, request[0]!.action, request));
      }
      this.state = { position: last.id, handled: {}, inflight: null };
      await this.commit({ counts: { pages: 1 } });
    }
  }

  /** Canceled (the run's flag) or interrupted (shutdown), checked between requests. */
  private async stopping(): Promise<PullOutcome | undefined> {
    if (await syncRuns.isCancelRequested(this.db, this.plan.runId)) return 'canceled';
    return this.options.stopSignal?.aborted === true ? 'interrupted' : undefined;
  }

  /** Records decided without a request (skipped, or refused by the mapping): counted and marked handled. */
  private async commitDecisions(decisions: readonly Decision[]): Promise<void> {
    const rejected: NewRejectedRecord[] = [];
    let unchanged = 0;
    const handled = { ...this.state.handled };
    for (const d of decisions) {
      if (d.type === 'deliver') continue;
      handled[d.record.crmId] = d.record.last;
      if (d.type === 'skip') unchanged += 1;
      else rejected.push(this.rejection(d.record.crmId, d.externalId, d.row, d.code, d.field, d.reason));
    }
    if (decisions.length === 0) return;
    this.state = { ...this.state, handled };
    await this.commit({ rejected, counts: { records_read: decisions.length, records_unchanged: unchanged, records_rejected: rejected.length } });
  }

  /** Saves the request, sends it, stores its results; a batch refused as a whole is split until the refused records stand alone. */
  private async deliver(items: Delivery[], key: string): Promise<void> {
    const action = this.plan.actions.get(items[0]!.action);
    if (action === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `mapping ${this.plan.mappingId}: no action "${items[0]!.action}"`);
    this.state = { ...this.state, inflight: { action: action.name, key, items } };
    await savePushState(this.db, this.key, this.state);
    let results: ItemResult[];
    try {
      results = await sendOnce(this.client, action, items, key);
    } catch (err) {
      // Transient and connection-wide failures end the run; the saved request is sent again by the next one.
      if (failureKind(err) !== 'record') throw err;
      if (items.length > 1) {
        const mid = Math.ceil(items.length / 2);
        for (const half of [items.slice(0, mid), items.slice(mid)]) await this.deliver(half, deliveryKey(this.plan, action.name, half));
        return;
      }
      const status = failureStatus(err);
      // Deleting what the API no longer has is done.
      const gone = items[0]!.kind === 'delete' && (status === 404 || status === 410);
      results = [gone ? { ok: true, externalId: null } : { ok: false, code: isSwitchboardError(err) ? err.code : 'SB_INTERNAL', reason: errorMessage(err) }];
    }
    await this.commitResults(items, results);
  }

  private async commitResults(items: readonly Delivery[], results: readonly ItemResult[]): Promise<void> {
    const links: LinkOutcome[] = [];
    const unlinked: string[] = [];
    const rejected: NewRejectedRecord[] = [];
    const counts: Partial<PageCounts> = { records_created: 0, records_updated: 0, records_deleted: 0, records_rejected: 0 };
    const handled = { ...this.state.handled };
    let withoutId = 0;
    const now = new Date().toISOString();
    items.forEach((item, i) => {
      const result = results[i] ?? { ok: false, code: 'SB_HTTP_INVALID_RESPONSE' as ErrorCode, reason: 'no result for this record' };
      handled[item.crmId] = Math.max(handled[item.crmId] ?? 0, item.last);
      if (!result.ok) {
        counts.records_rejected! += 1;
        rejected.push(this.rejection(item.crmId, item.externalId, { kind: item.kind, payload: item.payload }, result.code, null, result.reason));
        return;
      }
      if (item.kind === 'delete') {
        counts.records_deleted! += 1;
        if (item.externalId !== null) unlinked.push(item.externalId);
        return;
      }
      if (item.kind === 'create') counts.records_created! += 1;
      else counts.records_updated! += 1;
      const externalId = item.externalId ?? result.externalId;
      if (externalId === null) {
        withoutId += 1;
        return;
      }
      links.push({ crmId: item.crmId, externalId, pushedHash: item.hash, pullHash: this.echoHash(item.payload, externalId, now) });
    });
    this.state = { ...this.state, handled, inflight: null };
    await this.commit({ links, unlinked, rejected, counts, ...(withoutId > 0 ? { progress: { created_without_id: withoutId } } : {}) });
  }

  /**
   * The hash a pull would compute for the record as pushed (the payload, with the external id
   * at the stream's primary key), stored as the link's pull hash: the next pull of the record
   * counts it unchanged instead of writing the push's own echo back. Null when the pull mapping
   * cannot map the payload; then the next pull rewrites the record (a sync write, never pushed).
   */
  private echoHash(payload: Record<string, unknown>, externalId: string, now: string): string | null {
    const echo = this.plan.echo;
    if (echo === undefined) return null;
    const source = structuredClone(payload);
    if (echo.primaryKey.length > 0) setPath(source, echo.primaryKey, externalId);
    const mapped = echo.mapping.map(source, { config: this.plan.config, now });
    return mapped.ok ? mapped.hash : null;
  }

  private rejection(crmId: string, externalId: string | null, record: unknown, code: ErrorCode, field: string | null, reason: string): NewRejectedRecord {
    return { runId: this.plan.runId, connectionId: this.plan.connectionId, mappingId: this.plan.mappingId, externalId, record: { crm_id: crmId, ...(record as object) }, code, field, reason };
  }

  /** Adds the requests and retries made since the last commit to the run's counts. */
  async flushStats(): Promise<void> {
    const stats = this.client.stats;
    const delta = { requests: stats.requests - this.seen.requests, retries: stats.retries - this.seen.retries };
    this.seen = { ...stats };
    if (delta.requests + delta.retries > 0) await syncRuns.addCounts(this.db, this.plan.runId, delta, undefined, this.plan.holder);
    await recordCost(this.db, this.plan.runId, this.client);
  }

  private async commit(input: Partial<Omit<CommitInput, 'runId' | 'entity'>>): Promise<void> {
    const stats = this.client.stats;
    const counts: Partial<PageCounts> = { ...input.counts, requests: stats.requests - this.seen.requests, retries: stats.retries - this.seen.retries };
    this.seen = { ...stats };
    await commitPush(this.db, this.key, this.state, {
      runId: this.plan.runId,
      entity: this.plan.entity,
      links: input.links ?? [],
      unlinked: input.unlinked ?? [],
      rejected: input.rejected ?? [],
      counts,
      cost: this.client.cost.drain(),
      ...(input.progress === undefined ? {} : { progress: input.progress }),
      ...(this.plan.holder === undefined ? {} : { holder: this.plan.holder }),
    });
    for (const [k, v] of Object.entries(counts) as [keyof PageCounts, number | undefined][]) this.counts[k] += v ?? 0;
    this.options.onPage?.({ pages: this.counts.pages, counts: { ...this.counts }, elapsedMs: Date.now() - this.started });
  }
}

/**
 * Runs a push for a run that is already `running`. Returns its outcome; throws when a request
 * fails transiently (retryable: the changes stay pending) or the connection cannot write.
 */
export async function runPush(db: Knex, plan: PushPlan, client: ConnectorClient, options: PushOptions = {}): Promise<PushResult> {
  const state = await loadPushState(db, { connectionId: plan.connectionId, mappingId: plan.mappingId });
  const run = new PushRun(db, plan, client, options, state);
  try {
    return { outcome: await run.run(), counts: run.counts };
  } catch (err) {
    // The requests and retries of a failed attempt are part of the run's cost too.
    await run.flushStats().catch(() => undefined);
    throw err;
  }
}
