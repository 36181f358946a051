// oauth_states: pending OAuth2 authorization-code flows. A state is random, stored only as
// its SHA-256, expires after a few minutes and is consumed by the first callback that shows it.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db';
import { guard } from '../db-errors';
import { inTransaction } from '../db';
import { nowIso, toIso } from '../values';

export const OAUTH_STATES_TABLE = 'oauth_states';

/** How long an admin has to complete the provider's consent screen (default 10 minutes). */
export const DEFAULT_STATE_TTL_MS = 10 * 60_000;

export interface OAuthStateRow {
  state_hash: string;
  connection_id: string;
  redirect_uri: string;
  created_at: unknown;
  expires_at: unknown;
}

export interface PendingAuthorization {
  connectionId: string;
  redirectUri: string;
  expiresAt: string;
}

function hashState(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}

/** Starts a flow: returns the state to send to the provider (shown once, never stored in clear). */
export async function create(db: Db, input: { connectionId: string; redirectUri: string; ttlMs?: number }): Promise<{ state: string; expiresAt: string }> {
  const state = randomBytes(32).toString('base64url');
  const now = Date.now();
  const expiresAt = new Date(now + (input.ttlMs ?? DEFAULT_STATE_TTL_MS)).toISOString();
  await guard('saving an OAuth state', async () =>
    db(OAUTH_STATES_TABLE).insert({
      state_hash: hashState(state),
      connection_id: input.connectionId,
      redirect_uri: input.redirectUri,
      created_at: new Date(now).toISOString(),
      expires_at: expiresAt,
    }),
  );
  return { state, expiresAt };
}

/**
 * Consumes a state: the pending flow if the state is known and unexpired, else undefined. The
 * row is deleted either way, so a state works once, even when two callbacks race.
 */
export async function consume(db: Db, state: string): Promise<PendingAuthorization | undefined> {
  const hash = hashState(state);
  return guard('consuming an OAuth state', async () =>
    inTransaction(db, async (trx) => {
      const row = (await trx<OAuthStateRow>(OAUTH_STATES_TABLE).where('state_hash', hash).first()) as OAuthStateRow | undefined;
      if (row === undefined) return undefined;
      const deleted = await trx(OAUTH_STATES_TABLE).where('state_hash', hash).delete();
      const expiresAt = toIso(row.expires_at) ?? '';
      if (deleted !== 1 || expiresAt <= nowIso()) return undefined;
      return { connectionId: row.connection_id, redirectUri: row.redirect_uri, expiresAt };
    }),
  );
}

/** Deletes expired states; returns how many. */
export async function purgeExpired(db: Db): Promise<number> {
  return guard('purging OAuth states', async () => db(OAUTH_STATES_TABLE).where('expires_at', '<=', nowIso()).delete());
}
