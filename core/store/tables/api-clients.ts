// api_clients: OAuth2 clients of the management and CRM API. Secrets are stored as scrypt
// hashes and shown once, when the client is created.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { uuidv7 } from '../../util/id';
import type { Db } from '../db';
import { guard } from '../db-errors';
import { fromJson, nowIso, toIso, toJson } from '../values';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export const API_CLIENTS_TABLE = 'api_clients';

export interface ApiClientRow {
  id: string;
  name: string;
  client_id: string;
  secret_hash: string;
  scopes: unknown;
  last_used_at: unknown;
  disabled_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

export interface ApiClient {
  id: string;
  name: string;
  clientId: string;
  scopes: string[];
  lastUsedAt: string | null;
  disabledAt: string | null;
  createdAt: string;
}

export function fromRow(row: ApiClientRow): ApiClient {
  return {
    id: row.id,
    name: row.name,
    clientId: row.client_id,
    scopes: fromJson(row.scopes, []),
    lastUsedAt: toIso(row.last_used_at),
    disabledAt: toIso(row.disabled_at),
    createdAt: toIso(row.created_at) ?? '',
  };
}

async function hashSecret(secret: string, salt = randomBytes(16)): Promise<string> {
  const derived = await scrypt(secret, salt, 32);
  return `scrypt:${salt.toString('base64')}:${derived.toString('base64')}`;
}

async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split(':');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const derived = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(derived, expected);
}

/** Creates a client; the returned secret is never stored in clear and cannot be shown again. */
export async function create(db: Db, input: { name: string; scopes: readonly string[] }): Promise<{ client: ApiClient; clientSecret: string }> {
  const clientSecret = randomBytes(32).toString('base64url');
  const now = nowIso();
  const row: ApiClientRow = {
    id: uuidv7(),
    name: input.name,
    client_id: `sb_${randomBytes(12).toString('hex')}`,
    secret_hash: await hashSecret(clientSecret),
    scopes: toJson([...input.scopes]),
    last_used_at: null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
  };
  await guard('creating an API client', async () => db(API_CLIENTS_TABLE).insert(row));
  return { client: fromRow(row), clientSecret };
}

/** The client if the credentials are right and it is enabled; undefined otherwise. */
export async function authenticate(db: Db, clientId: string, clientSecret: string): Promise<ApiClient | undefined> {
  const row = (await guard('reading an API client', async () => db<ApiClientRow>(API_CLIENTS_TABLE).where('client_id', clientId).first())) as ApiClientRow | undefined;
  if (row === undefined || row.disabled_at !== null) return undefined;
  if (!(await verifySecret(clientSecret, row.secret_hash))) return undefined;
  await guard('updating an API client', async () => db(API_CLIENTS_TABLE).where('id', row.id).update({ last_used_at: nowIso() }));
  return fromRow(row);
}

export async function list(db: Db): Promise<ApiClient[]> {
  return (await guard('listing API clients', async () => db<ApiClientRow>(API_CLIENTS_TABLE).orderBy('created_at'))).map((r) => fromRow(r as ApiClientRow));
}

export async function count(db: Db): Promise<number> {
  const row = (await db(API_CLIENTS_TABLE).count({ n: '*' }).first()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

export async function disable(db: Db, clientId: string): Promise<boolean> {
  const now = nowIso();
  return (await guard('disabling an API client', async () => db(API_CLIENTS_TABLE).where('client_id', clientId).update({ disabled_at: now, updated_at: now }))) > 0;
}
