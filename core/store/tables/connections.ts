// connections: a connector plus the settings of one account. Secret settings and OAuth tokens
// are sealed with the SecretBox; only their names are ever readable without it.
import { SwitchboardError } from '../../errors';
import type { SecretBox } from '../../secrets';
import { uuidv7 } from '../../util/id';
import { queryRows, type Db } from '../db';
import { guard } from '../db-errors';
import { fromJson, nowIso, toIso, toJson } from '../values';
import * as syncState from './sync-state';

export const CONNECTIONS_TABLE = 'connections';

export type ConnectionStatus = 'active' | 'disabled';

export interface ConnectionRow {
  id: string;
  name: string;
  connector_id: string;
  config: unknown;
  secrets: string | null;
  tokens: string | null;
  tokens_version: number;
  status: string;
  created_at: unknown;
  updated_at: unknown;
}

/** A connection as it may be shown: secret values never, only which secret keys are set. */
export interface Connection {
  id: string;
  name: string;
  connectorId: string;
  /** Non-secret settings. */
  config: Record<string, unknown>;
  /** Names of the secret settings that have a value. */
  secretsSet: string[];
  hasTokens: boolean;
  status: ConnectionStatus;
  createdAt: string;
  updatedAt: string;
}

/** What the sealed `secrets` column holds: the secret settings by name. */
type SecretValues = Record<string, unknown>;

export function fromRow(row: ConnectionRow, box?: SecretBox): Connection {
  return {
    id: row.id,
    name: row.name,
    connectorId: row.connector_id,
    config: fromJson(row.config, {}),
    secretsSet: row.secrets === null || box === undefined ? [] : Object.keys(box.open<SecretValues>(row.secrets)).sort(),
    hasTokens: row.tokens !== null,
    status: row.status as ConnectionStatus,
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? '',
  };
}

function split(config: Record<string, unknown>, secretKeys: readonly string[]): { plain: Record<string, unknown>; secret: SecretValues } {
  const plain: Record<string, unknown> = {};
  const secret: SecretValues = {};
  for (const [k, v] of Object.entries(config)) {
    if (secretKeys.includes(k)) secret[k] = v;
    else plain[k] = v;
  }
  return { plain, secret };
}

export interface CreateConnection {
  name: string;
  connectorId: string;
  /** All settings; those named in `secretKeys` are sealed. */
  config: Record<string, unknown>;
  secretKeys: readonly string[];
}

export async function create(db: Db, box: SecretBox, input: CreateConnection): Promise<Connection> {
  const { plain, secret } = split(input.config, input.secretKeys);
  const now = nowIso();
  const row: ConnectionRow = {
    id: uuidv7(),
    name: input.name,
    connector_id: input.connectorId,
    config: toJson(plain),
    secrets: Object.keys(secret).length === 0 ? null : box.seal(secret),
    tokens: null,
    tokens_version: 0,
    status: 'active',
    created_at: now,
    updated_at: now,
  };
  await guard(`creating connection "${input.name}"`, async () => db(CONNECTIONS_TABLE).insert(row));
  return fromRow(row, box);
}

export async function findRow(db: Db, idOrName: string): Promise<ConnectionRow | undefined> {
  return lookup<ConnectionRow>(db, idOrName, '*');
}

/** One statement for "by id, else by name" (an id match wins), selecting `columns`. */
async function lookup<T>(db: Db, idOrName: string, columns: string): Promise<T | undefined> {
  const [row] = await guard('reading a connection', async () =>
    queryRows<T>(db, `SELECT ${columns} FROM "${CONNECTIONS_TABLE}" WHERE "id" = ? OR "name" = ? ORDER BY CASE WHEN "id" = ? THEN 0 ELSE 1 END LIMIT 1`, [idOrName, idOrName, idOrName]),
  );
  return row;
}

/** Who a connection is (id, name, connector, status), without opening its secrets: for asking for runs. */
export async function identify(db: Db, idOrName: string): Promise<Pick<Connection, 'id' | 'name' | 'connectorId' | 'status'>> {
  const row = await lookup<Pick<ConnectionRow, 'id' | 'name' | 'connector_id' | 'status'>>(db, idOrName, '"id", "name", "connector_id", "status"');
  if (row === undefined) throw new SwitchboardError('SB_CONNECTION_NOT_FOUND', `no connection "${idOrName}"`, { details: { connection: idOrName } });
  return { id: row.id, name: row.name, connectorId: row.connector_id, status: row.status as ConnectionStatus };
}

/** The connection by id or name; SB_CONNECTION_NOT_FOUND otherwise. */
export async function get(db: Db, box: SecretBox, idOrName: string): Promise<Connection> {
  const row = await findRow(db, idOrName);
  if (row === undefined) throw new SwitchboardError('SB_CONNECTION_NOT_FOUND', `no connection "${idOrName}"`, { details: { connection: idOrName } });
  return fromRow(row, box);
}

export async function list(db: Db, box: SecretBox, filter: { connectorId?: string } = {}): Promise<Connection[]> {
  const q = db<ConnectionRow>(CONNECTIONS_TABLE).orderBy('name');
  if (filter.connectorId !== undefined) q.where('connector_id', filter.connectorId);
  return (await guard('listing connections', async () => q)).map((r) => fromRow(r as ConnectionRow, box));
}

/** Every setting, secret ones decrypted: for the engine, in memory only. */
export async function loadConfig(db: Db, box: SecretBox, id: string): Promise<Record<string, unknown>> {
  const row = (await guard('reading a connection', async () => db<ConnectionRow>(CONNECTIONS_TABLE).where('id', id).first())) as ConnectionRow | undefined;
  if (row === undefined) throw new SwitchboardError('SB_CONNECTION_NOT_FOUND', `no connection "${id}"`, { details: { connection: id } });
  return configOf(row, box);
}

/**
 * `loadConfig` and the sync state of one of the connection's mappings, in one read: what a
 * run needs before its first request.
 */
export async function loadConfigAndState(db: Db, box: SecretBox, key: syncState.StateKey): Promise<{ config: Record<string, unknown>; state: syncState.SyncState }> {
  const { mappingId, direction } = syncState.keyOf(key);
  const [row] = await guard('reading a connection', async () =>
    queryRows<Pick<ConnectionRow, 'config' | 'secrets'> & Pick<syncState.SyncStateRow, 'state' | 'checkpoint' | 'checkpoint_run_id'>>(
      db,
      `SELECT c."config", c."secrets", s."state", s."checkpoint", s."checkpoint_run_id" FROM "${CONNECTIONS_TABLE}" c
       LEFT JOIN "${syncState.SYNC_STATE_TABLE}" s ON s."connection_id" = c."id" AND s."mapping_id" = ? AND s."direction" = ?
       WHERE c."id" = ?`,
      [mappingId, direction, key.connectionId],
    ),
  );
  if (row === undefined) throw new SwitchboardError('SB_CONNECTION_NOT_FOUND', `no connection "${key.connectionId}"`, { details: { connection: key.connectionId } });
  return { config: configOf(row, box), state: syncState.fromRow(row.state === null ? undefined : row) };
}

function configOf(row: Pick<ConnectionRow, 'config' | 'secrets'>, box: SecretBox): Record<string, unknown> {
  return { ...fromJson<Record<string, unknown>>(row.config, {}), ...(row.secrets === null ? {} : box.open<SecretValues>(row.secrets)) };
}

export interface UpdateConnection {
  name?: string;
  status?: ConnectionStatus;
  /** Settings to change (merged; `null` removes a setting). */
  config?: Record<string, unknown>;
  secretKeys: readonly string[];
  /**
   * Forget the stored OAuth2 tokens (in the same statement; their version moves on, so a refresh
   * in flight cannot store its tokens afterwards): the next request obtains new ones from config.
   */
  dropTokens?: boolean;
}

/** Settings after a change: `patch` merged into `current`, `null` removing a setting. */
export function mergeConfig(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

export async function update(db: Db, box: SecretBox, id: string, patch: UpdateConnection): Promise<Connection> {
  const row = await findRow(db, id);
  if (row === undefined) throw new SwitchboardError('SB_CONNECTION_NOT_FOUND', `no connection "${id}"`, { details: { connection: id } });
  const changes: Partial<Record<keyof ConnectionRow, unknown>> = { updated_at: nowIso() };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.status !== undefined) changes.status = patch.status;
  if (patch.dropTokens === true) {
    changes.tokens = null;
    changes.tokens_version = db.raw('?? + 1', ['tokens_version']);
  }
  if (patch.config !== undefined) {
    const merged = mergeConfig(configOf(row, box), patch.config);
    const { plain, secret } = split(merged, patch.secretKeys);
    changes.config = toJson(plain);
    changes.secrets = Object.keys(secret).length === 0 ? null : box.seal(secret);
  }
  await guard(`updating connection "${row.name}"`, async () => db(CONNECTIONS_TABLE).where('id', row.id).update(changes));
  return get(db, box, row.id);
}

export async function remove(db: Db, id: string): Promise<void> {
  const n = await guard('deleting a connection', async () => db(CONNECTIONS_TABLE).where('id', id).orWhere('name', id).delete());
  if (n === 0) throw new SwitchboardError('SB_CONNECTION_NOT_FOUND', `no connection "${id}"`, { details: { connection: id } });
}

/** Sealed OAuth token state and its version, for compare-and-set rotation. */
export async function loadTokens<T>(db: Db, box: SecretBox, id: string): Promise<{ tokens: T | undefined; version: number }> {
  const row = (await guard('reading tokens', async () => db<ConnectionRow>(CONNECTIONS_TABLE).where('id', id).first('tokens', 'tokens_version'))) as
    | Pick<ConnectionRow, 'tokens' | 'tokens_version'>
    | undefined;
  if (row === undefined) throw new SwitchboardError('SB_CONNECTION_NOT_FOUND', `no connection "${id}"`, { details: { connection: id } });
  return { tokens: row.tokens === null ? undefined : box.open<T>(row.tokens), version: Number(row.tokens_version) };
}

/**
 * Stores new token state only if the version is still `expectedVersion`; returns whether it
 * did. A caller that loses the race reloads the tokens the winner stored.
 */
export async function saveTokens(db: Db, box: SecretBox, id: string, tokens: unknown, expectedVersion: number): Promise<boolean> {
  const n = await guard('saving tokens', async () =>
    db(CONNECTIONS_TABLE)
      .where({ id, tokens_version: expectedVersion })
      .update({ tokens: box.seal(tokens), tokens_version: expectedVersion + 1, updated_at: nowIso() }),
  );
  return n === 1;
}
