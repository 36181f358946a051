// How a run is reported on the command line: the summary object of FORMAT.md, a one-line
// summary, and the progress line.
import type { RunCost } from '../core/store/tables/run-costs';
import type { SyncRun } from '../core/store/tables/sync-runs';
import type { PullProgress } from '../core/sync/pull';

export interface RunSummary {
  run_id: string;
  status: string;
  records: { read: number; created: number; updated: number; unchanged: number; deleted: number; rejected: number; skipped: number };
  /** Child streams: parents skipped because they were gone. */
  parents_skipped: number;
  pages: number;
  requests: number;
  retries: number;
  duration_ms: number;
  /** Requests per endpoint and waits per budget (when read with the run). */
  cost?: RunCost;
  error?: { code: string; message: string };
  /** What a run that succeeded wants known (e.g. `sweep_skipped`); always present, often empty. */
  warnings: { code: string; message: string }[];
}

export function runSummary(run: SyncRun, cost?: RunCost): RunSummary {
  const c = run.counts;
  return {
    run_id: run.id,
    status: run.status,
    records: { read: c.records_read, created: c.records_created, updated: c.records_updated, unchanged: c.records_unchanged, deleted: c.records_deleted, rejected: c.records_rejected, skipped: c.records_skipped },
    parents_skipped: c.parents_skipped,
    pages: c.pages,
    requests: c.requests,
    retries: c.retries,
    duration_ms: run.durationMs ?? 0,
    ...(cost === undefined ? {} : { cost }),
    ...(run.error === null ? {} : { error: run.error }),
    warnings: run.warnings.map((w) => ({ code: w.code, message: w.message })),
  };
}

const n = (v: number): string => v.toLocaleString('en-US');

export function formatSummaryLine(mappingId: string, run: SyncRun): string {
  const s = runSummary(run);
  const r = s.records;
  const head = `${mappingId}: ${s.status} in ${(s.duration_ms / 1000).toFixed(1)}s`;
  const body = `${n(r.read)} read, ${n(r.created)} created, ${n(r.updated)} updated, ${n(r.unchanged)} unchanged, ${n(r.deleted)} deleted, ${n(r.rejected)} rejected${r.skipped > 0 ? `, ${n(r.skipped)} skipped` : ''}${s.parents_skipped > 0 ? `, ${n(s.parents_skipped)} parents skipped` : ''}; ${n(s.pages)} pages, ${n(s.requests)} requests, ${n(s.retries)} retries`;
  const tail = s.error === undefined ? '' : ` (${s.error.code}: ${s.error.message})`;
  const rejected = r.rejected > 0 ? ` (see rejected records of run ${s.run_id})` : '';
  const warnings = s.warnings.map((w) => `\nwarning: ${w.code}: ${w.message}`).join('');
  return `${head} - ${body}${rejected}${tail}${warnings}`;
}

/** Where a run waited, as a line: `waited 12.3s on search (250 requests), 0.4s on rate_limit`; '' when it never waited. */
export function formatCostLine(cost: RunCost): string {
  // Waits too short to show as a tenth of a second say nothing an admin can act on.
  const waits = cost.budgets.filter((b) => b.wait_ms >= 50).map((b) => `${(b.wait_ms / 1000).toFixed(1)}s on ${b.budget} (${n(b.requests)} requests)`);
  return waits.length === 0 ? '' : `waited ${waits.join(', ')}`;
}

export function formatProgress(p: PullProgress): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.counts.records_read * 1000) / p.elapsedMs) : 0;
  return `page ${n(p.pages)} - ${n(p.counts.records_read)} read (${n(p.counts.records_created)} new, ${n(p.counts.records_updated)} changed) - ${n(rate)} records/s`;
}
