// users: people who sign in to the console. Passwords are bcrypt hashes (bcryptjs: plain
// JavaScript, nothing compiled or downloaded at install); repeated failed sign-ins lock the
// account for a while; a disabled user cannot sign in.
import bcrypt from 'bcryptjs';
import { SwitchboardError } from '../../errors';
import { uuidv7 } from '../../util/id';
import type { Db } from '../db';
import { guard } from '../db-errors';
import { nowIso, toIso } from '../values';

export const USERS_TABLE = 'users';

/** What a user may do: `viewer` reads everything, `admin` also changes it. */
export const USER_ROLES = ['admin', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}

/** bcrypt's work factor: 2^12 rounds (OWASP's minimum is 10). */
const COST = 12;
/** bcrypt reads at most 72 bytes of a password: longer ones are refused, never cut silently. */
const MAX_PASSWORD_BYTES = 72;

export const MIN_PASSWORD_LENGTH = 12;
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  failed_attempts: number;
  locked_until: unknown;
  last_login_at: unknown;
  disabled_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

export interface User {
  id: string;
  username: string;
  role: UserRole;
  failedAttempts: number;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  disabledAt: string | null;
  createdAt: string;
}

export function fromRow(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: isUserRole(row.role) ? row.role : 'viewer',
    failedAttempts: Number(row.failed_attempts),
    lockedUntil: toIso(row.locked_until),
    lastLoginAt: toIso(row.last_login_at),
    disabledAt: toIso(row.disabled_at),
    createdAt: toIso(row.created_at) ?? '',
  };
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new SwitchboardError('SB_BAD_REQUEST', `the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw new SwitchboardError('SB_BAD_REQUEST', `the password must have at most ${MAX_PASSWORD_BYTES} bytes (UTF-8)`);
}

export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return bcrypt.hash(password, COST);
}

/** Compared against when the username is unknown, so both cases take the same time. */
let dummyHash: Promise<string> | undefined;

export async function create(db: Db, input: { username: string; password: string; role: UserRole }): Promise<User> {
  if (!USERNAME_PATTERN.test(input.username)) {
    throw new SwitchboardError('SB_BAD_REQUEST', `the username "${input.username.slice(0, 100)}" is not valid: letters, digits, ".", "_", "@", "-", at most 100`);
  }
  if (!isUserRole(input.role)) throw new SwitchboardError('SB_BAD_REQUEST', `the role must be one of ${USER_ROLES.join(', ')}`);
  const now = nowIso();
  const row: UserRow = {
    id: uuidv7(),
    username: input.username,
    password_hash: await hashPassword(input.password),
    role: input.role,
    failed_attempts: 0,
    locked_until: null,
    last_login_at: null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
  };
  await guard('creating a user', async () => db(USERS_TABLE).insert(row));
  return fromRow(row);
}

async function findRow(db: Db, idOrUsername: string): Promise<UserRow | undefined> {
  return (await guard('reading a user', async () => db<UserRow>(USERS_TABLE).where('id', idOrUsername).orWhere('username', idOrUsername).first())) as UserRow | undefined;
}

export async function get(db: Db, idOrUsername: string): Promise<User> {
  const row = await findRow(db, idOrUsername);
  if (row === undefined) throw new SwitchboardError('SB_NOT_FOUND', `no user "${idOrUsername}"`);
  return fromRow(row);
}

export async function list(db: Db): Promise<User[]> {
  return (await guard('listing users', async () => db<UserRow>(USERS_TABLE).orderBy('username'))).map((r) => fromRow(r as UserRow));
}

export async function count(db: Db): Promise<number> {
  const row = (await guard('counting users', async () => db(USERS_TABLE).count({ n: '*' }).first())) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

export async function update(db: Db, idOrUsername: string, patch: { password?: string; role?: UserRole; disabled?: boolean }): Promise<User> {
  const current = await get(db, idOrUsername);
  const now = nowIso();
  const changes: Record<string, unknown> = { updated_at: now };
  if (patch.password !== undefined) Object.assign(changes, { password_hash: await hashPassword(patch.password), failed_attempts: 0, locked_until: null });
  if (patch.role !== undefined) {
    if (!isUserRole(patch.role)) throw new SwitchboardError('SB_BAD_REQUEST', `the role must be one of ${USER_ROLES.join(', ')}`);
    changes['role'] = patch.role;
  }
  if (patch.disabled !== undefined) changes['disabled_at'] = patch.disabled ? now : null;
  await guard('updating a user', async () => db(USERS_TABLE).where('id', current.id).update(changes));
  return get(db, current.id);
}

export async function remove(db: Db, idOrUsername: string): Promise<boolean> {
  const row = await findRow(db, idOrUsername);
  if (row === undefined) return false;
  return (await guard('deleting a user', async () => db(USERS_TABLE).where('id', row.id).delete())) > 0;
}

export interface LockoutPolicy {
  /** Failed sign-ins in a row that lock the account (default 5). */
  maxFailedAttempts: number;
  /** How long a locked account stays locked (default 15 minutes). */
  lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailedAttempts: 5, lockMs: 15 * 60_000 };

export type SignInResult = { ok: true; user: User } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'locked'; lockedUntil: string };

/**
 * Checks a username and password. A wrong password counts a failure (one statement, so
 * concurrent attempts cannot undercount) and the limit locks the account for `lockMs`; while
 * locked, even the right password is refused. Success resets the count.
 */
export async function signIn(db: Db, username: string, password: string, policy: LockoutPolicy = DEFAULT_LOCKOUT, now = new Date()): Promise<SignInResult> {
  const row = (await guard('reading a user', async () => db<UserRow>(USERS_TABLE).where('username', username).first())) as UserRow | undefined;
  if (row === undefined || row.disabled_at !== null) {
    dummyHash ??= bcrypt.hash('not a password of anyone', COST);
    await bcrypt.compare(password, await dummyHash);
    return { ok: false, reason: 'invalid' };
  }
  const lockedUntil = toIso(row.locked_until);
  if (lockedUntil !== null && lockedUntil > now.toISOString()) return { ok: false, reason: 'locked', lockedUntil };
  const good = await bcrypt.compare(password, row.password_hash).catch(() => false);
  if (good) {
    await guard('updating a user', async () => db(USERS_TABLE).where('id', row.id).update({ failed_attempts: 0, locked_until: null, last_login_at: now.toISOString() }));
    return { ok: true, user: fromRow({ ...row, failed_attempts: 0, locked_until: null }) };
  }
  // A lock that ran out starts a new count.
  const expired = lockedUntil !== null;
  await guard('counting a failed sign-in', async () =>
    db(USERS_TABLE)
      .where('id', row.id)
      .update({ failed_attempts: expired ? 1 : db.raw('failed_attempts + 1'), locked_until: null, updated_at: now.toISOString() }),
  );
  const until = new Date(now.getTime() + policy.lockMs).toISOString();
  const locked = await guard('locking a user', async () =>
    db(USERS_TABLE).where('id', row.id).where('failed_attempts', '>=', policy.maxFailedAttempts).whereNull('locked_until').update({ locked_until: until }),
  );
  return locked > 0 ? { ok: false, reason: 'locked', lockedUntil: until } : { ok: false, reason: 'invalid' };
}
