// Who runs a run: `host:pid` (plus a tag when one process hosts several engines), so the
// runs of a process that is gone can be told apart and taken back.
import { hostname } from 'node:os';

/** This process's worker id. */
export const WORKER_ID = `${hostname()}:${process.pid}`;

/** Is this worker a process of this machine that no longer exists? (False when it cannot tell.) */
export function deadLocally(worker: string | null): boolean {
  if (worker === null) return false;
  const [host, pid] = worker.split(':');
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0); // signal 0: only asks whether the process exists
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
