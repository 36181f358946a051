// Runs have one owner: the executor takes, executes, heartbeats, finishes and retries every run
// by one policy, whoever asked for it; the reconciler makes the run rows and the queue agree.
export { RunExecutor, type DriveOptions, type ExecuteOptions, type ExecutorOptions } from './executor';
export { RetryPolicy, type Failure, type RetryPolicyOptions } from './policy';
export { Reconciler, RECONCILER_LEASE, abandonment, releaseLost, type ReconcileReport, type ReconcilerOptions } from './reconciler';
export { KINDS, type RunKindName } from './kinds';
export type { KindOptions, KindResult, RunKind } from './types';
export { WORKER_ID, deadLocally } from './worker-id';
