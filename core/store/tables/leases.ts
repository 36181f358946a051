// leases: named locks with an expiry, taken by compare-and-set in one statement (both
// databases), so that one process at a time does a fleet-wide chore (the run reconciler). A
// holder that dies simply lets its lease expire.
import { queryRows, type Db } from '../db';
import { guard } from '../db-errors';

export const LEASES_TABLE = 'leases';

/**
 * Takes (or renews) the lease `name` for `holder` until `ttlMs` from now. True when it is
 * now held by `holder`: it was free, expired, or already this holder's.
 */
export async function acquire(db: Db, name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const rows = await guard('taking a lease', async () =>
    queryRows<{ holder: string }>(
      db,
      `INSERT INTO "${LEASES_TABLE}" ("name", "holder", "expires_at") VALUES (?, ?, ?)
       ON CONFLICT ("name") DO UPDATE SET "holder" = excluded."holder", "expires_at" = excluded."expires_at"
       WHERE "${LEASES_TABLE}"."holder" = excluded."holder" OR "${LEASES_TABLE}"."expires_at" < ?
       RETURNING "holder"`,
      [name, holder, now + ttlMs, now],
    ),
  );
  return rows.length === 1;
}

/** Gives the lease up (only when `holder` holds it), so another process may take it at once. */
export async function release(db: Db, name: string, holder: string): Promise<void> {
  await guard('releasing a lease', async () => db(LEASES_TABLE).where({ name, holder }).delete());
}

/** Who holds the lease `name` now, if anyone. */
export async function holderOf(db: Db, name: string, now = Date.now()): Promise<string | undefined> {
  const row = (await guard('reading a lease', async () => db(LEASES_TABLE).where('name', name).where('expires_at', '>=', now).first('holder'))) as { holder: string } | undefined;
  return row?.holder;
}
