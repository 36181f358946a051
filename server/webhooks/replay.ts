// Replay memory for webhooks: which keys identify a delivery, how long they are kept, and the
// store calls that record and release them. A delivery is known by a digest of its signed
// payload (a replay cannot alter it without breaking the signature) and by its delivery id when
// the API sends one (the same delivery retried by the API with a fresh signature).
import { createHash } from 'node:crypto';
import type { Webhooks } from '../../core/generated/connector';
import type { Logger } from '../../core/logger';
import type { Db } from '../../core/store/db';
import * as webhookDeliveries from '../../core/store/tables/webhook-deliveries';
import type { VerifiedDelivery } from './signature';
import { DEFAULT_TOLERANCE_SECONDS } from './timestamp';

export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;
/** Expired deliveries are deleted at most this often by each server process. */
const PRUNE_INTERVAL_MS = 60_000;

const digest = (kind: string, bytes: Buffer | string): string => createHash('sha256').update(kind).update(':').update(bytes).digest('hex');

/** The keys a delivery is remembered by: none for deliveries that neither sign a payload nor carry an id. */
export function deliveryKeys(spec: Webhooks, delivery: VerifiedDelivery, headers: Record<string, string>): string[] {
  const keys: string[] = [];
  if (delivery.signedPayload !== undefined) keys.push(digest('payload', delivery.signedPayload));
  const header = spec.replay?.delivery_id_header;
  const id = header === undefined ? undefined : headers[header.toLowerCase()]?.trim();
  if (id !== undefined && id !== '') keys.push(digest('id', id));
  return keys;
}

/** Until when a delivery is remembered: the replay window, and at least until its timestamp is stale. */
export function deliveryExpiry(spec: Webhooks, delivery: VerifiedDelivery, nowMs: number): Date {
  const windowMs = (spec.replay?.window_seconds ?? DEFAULT_REPLAY_WINDOW_SECONDS) * 1000;
  const timestamp = spec.signature?.type === 'hmac' ? spec.signature.timestamp : undefined;
  const staleAtMs = delivery.signedAtMs === undefined ? 0 : delivery.signedAtMs + (timestamp?.tolerance_seconds ?? DEFAULT_TOLERANCE_SECONDS) * 1000;
  return new Date(Math.max(nowMs + windowMs, staleAtMs));
}

export class ReplayMemory {
  #lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  /** Records a delivery; false when it is a replay (nothing is recorded then). */
  async remember(connectionId: string, keys: readonly string[], expiresAt: Date, now = new Date()): Promise<boolean> {
    const fresh = await webhookDeliveries.record(this.db, connectionId, keys, expiresAt, now);
    if (now.getTime() - this.#lastPrune >= PRUNE_INTERVAL_MS) {
      this.#lastPrune = now.getTime();
      try {
        await webhookDeliveries.purgeExpired(this.db, now.toISOString());
      } catch (err) {
        // Housekeeping only: the delivery itself was recorded.
        this.log.warn({ err }, 'pruning webhook deliveries failed');
      }
    }
    return fresh;
  }

  /** Releases a delivery that was not processed, so the API's retry is accepted. */
  async forget(connectionId: string, keys: readonly string[]): Promise<void> {
    await webhookDeliveries.forget(this.db, connectionId, keys);
  }
}
