// user_sessions: console sessions. The cookie holds a random token; the table holds only its
// SHA-256, the user, and when the session was last used and ends (idle and absolute expiry).
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db';
import { guard } from '../db-errors';
import { toIso } from '../values';
import { USERS_TABLE, fromRow as userFromRow, type User, type UserRow } from './users';

export const USER_SESSIONS_TABLE = 'user_sessions';

export interface SessionPolicy {
  /** A session unused this long ends (default 2 hours). */
  idleMs: number;
  /** A session ends this long after sign-in, however used (default 12 hours). */
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 2 * 3600_000, absoluteMs: 12 * 3600_000 };

/**
 * last_seen_at is written at most this often, so reads do not each cost a write; never more
 * than a twentieth of the idle limit, so a session in use never idles out between writes.
 */
const TOUCH_EVERY_MS = 60_000;

export interface Session {
  user: User;
  createdAt: string;
  lastSeenAt: string;
  /** When the session ends if used until then: the idle limit from now, capped by the absolute one. */
  expiresAt: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session; the token is returned once (for the cookie) and stored hashed. */
export async function create(db: Db, userId: string, policy: SessionPolicy = DEFAULT_SESSION_POLICY, now = new Date()): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const at = now.toISOString();
  const absolute = new Date(now.getTime() + policy.absoluteMs).toISOString();
  await guard('starting a session', async () => db(USER_SESSIONS_TABLE).insert({ token_hash: hashToken(token), user_id: userId, created_at: at, last_seen_at: at, expires_at: absolute }));
  return { token, expiresAt: minIso(absolute, new Date(now.getTime() + policy.idleMs).toISOString()) };
}

function minIso(a: string, b: string): string {
  return a < b ? a : b;
}

/** The live session of a token (its user enabled), refreshing its idle time; undefined otherwise. */
export async function find(db: Db, token: string, policy: SessionPolicy = DEFAULT_SESSION_POLICY, now = new Date()): Promise<Session | undefined> {
  const hash = hashToken(token);
  const row = (await guard('reading a session', async () =>
    db(`${USER_SESSIONS_TABLE} as s`)
      .join(`${USERS_TABLE} as u`, 'u.id', 's.user_id')
      .where('s.token_hash', hash)
      .first('s.created_at as s_created_at', 's.last_seen_at as s_last_seen_at', 's.expires_at as s_expires_at', 'u.*'),
  )) as (UserRow & { s_created_at: unknown; s_last_seen_at: unknown; s_expires_at: unknown }) | undefined;
  if (row === undefined) return undefined;
  const at = now.toISOString();
  const absolute = toIso(row.s_expires_at) ?? '';
  const lastSeen = toIso(row.s_last_seen_at) ?? '';
  const idleEnd = new Date(new Date(lastSeen).getTime() + policy.idleMs).toISOString();
  if (absolute <= at || idleEnd <= at || row.disabled_at !== null) {
    await remove(db, token);
    return undefined;
  }
  let seen = lastSeen;
  if (now.getTime() - new Date(lastSeen).getTime() >= Math.min(TOUCH_EVERY_MS, policy.idleMs / 20)) {
    await guard('refreshing a session', async () => db(USER_SESSIONS_TABLE).where('token_hash', hash).update({ last_seen_at: at }));
    seen = at;
  }
  return {
    user: userFromRow(row),
    createdAt: toIso(row.s_created_at) ?? '',
    lastSeenAt: seen,
    expiresAt: minIso(absolute, new Date(new Date(seen).getTime() + policy.idleMs).toISOString()),
  };
}

export async function remove(db: Db, token: string): Promise<boolean> {
  return (await guard('ending a session', async () => db(USER_SESSIONS_TABLE).where('token_hash', hashToken(token)).delete())) > 0;
}

/** Ends every session of a user (password changed, user disabled or deleted). */
export async function removeForUser(db: Db, userId: string): Promise<number> {
  return guard('ending sessions', async () => db(USER_SESSIONS_TABLE).where('user_id', userId).delete());
}

/** Deletes sessions past their absolute end; returns how many. */
export async function purgeExpired(db: Db, now = new Date()): Promise<number> {
  return guard('purging sessions', async () => db(USER_SESSIONS_TABLE).where('expires_at', '<=', now.toISOString()).delete());
}
