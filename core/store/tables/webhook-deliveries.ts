// webhook_deliveries: replay memory for inbound webhooks. Recording a delivery is one INSERT
// whose conflict with an unexpired row of the same key inserts nothing: that statement is the
// replay check, atomic on SQLite and PostgreSQL alike, so two server processes receiving the
// same delivery cannot both accept it. Expired rows are overwritten in the same statement and
// pruned now and then.
import type { Db } from '../db';
import { guard } from '../db-errors';
import { nowIso } from '../values';

export const WEBHOOK_DELIVERIES_TABLE = 'webhook_deliveries';

export interface WebhookDeliveryRow {
  connection_id: string;
  delivery_key: string;
  received_at: unknown;
  expires_at: unknown;
}

/**
 * Remembers a delivery under each of `keys` until `expiresAt`. Returns true when it is new; false
 * when any key is held by an unexpired row (a replay), in which case the keys that were free are
 * released again, so a refused delivery leaves nothing behind.
 */
export async function record(db: Db, connectionId: string, keys: readonly string[], expiresAt: Date, now = new Date()): Promise<boolean> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return true;
  const receivedAt = now.toISOString();
  const rows = unique.map((key) => ({ connection_id: connectionId, delivery_key: key, received_at: receivedAt, expires_at: expiresAt.toISOString() }));
  const taken = (await guard('recording a webhook delivery', async () =>
    db(WEBHOOK_DELIVERIES_TABLE)
      .insert(rows)
      .onConflict(['connection_id', 'delivery_key'])
      .merge(['received_at', 'expires_at'])
      // Only a row that has expired may be taken over; a live one makes this a replay.
      .where(`${WEBHOOK_DELIVERIES_TABLE}.expires_at`, '<=', receivedAt)
      .returning('delivery_key'),
  )) as Array<{ delivery_key: string }>;
  if (taken.length === unique.length) return true;
  if (taken.length > 0) await forget(db, connectionId, taken.map((r) => r.delivery_key), receivedAt);
  return false;
}

/** Releases keys recorded at `receivedAt` (a delivery that was not processed after all), so a retry is accepted. */
export async function forget(db: Db, connectionId: string, keys: readonly string[], receivedAt?: string): Promise<void> {
  if (keys.length === 0) return;
  await guard('releasing a webhook delivery', async () => {
    const query = db(WEBHOOK_DELIVERIES_TABLE).where('connection_id', connectionId).whereIn('delivery_key', [...keys]);
    await (receivedAt === undefined ? query : query.where('received_at', receivedAt)).delete();
  });
}

/** Deletes expired rows; returns how many. */
export async function purgeExpired(db: Db, now = nowIso()): Promise<number> {
  return guard('purging webhook deliveries', async () => db(WEBHOOK_DELIVERIES_TABLE).where('expires_at', '<=', now).delete());
}
