// The database-backed TokenStore: a connection's OAuth2 tokens sealed in its row, refreshed
// under a lock held by one holder at a time in this process and, on PostgreSQL, across every
// worker (a transaction-scoped advisory lock). Saves are compare-and-set on tokens_version.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { SwitchboardError } from '../errors';
import type { TokenState, TokenStore } from '../auth/token-store';
import type { SecretBox } from '../secrets';
import { dialectOf } from './db';
import * as connections from './tables/connections';

const tails = new Map<string, Promise<unknown>>();

/** A signed 64-bit advisory lock key for a connection. */
function lockKey(connectionId: string): string {
  return createHash('sha256').update(`switchboard:tokens:${connectionId}`).digest().readBigInt64BE(0).toString();
}

export class DbTokenStore implements TokenStore {
  #version: number | undefined;

  constructor(
    private readonly db: Knex,
    private readonly box: SecretBox,
    private readonly connectionId: string,
  ) {}

  async load(): Promise<TokenState | undefined> {
    const { tokens, version } = await connections.loadTokens<TokenState>(this.db, this.box, this.connectionId);
    this.#version = version;
    return tokens;
  }

  async save(state: TokenState): Promise<void> {
    if (this.#version === undefined) await this.load();
    const saved = await connections.saveTokens(this.db, this.box, this.connectionId, state, this.#version!);
    if (!saved) {
      // Another process stored tokens since this one loaded them (only possible without the
      // cross-process lock, i.e. on SQLite): refuse rather than overwrite a newer refresh token.
      this.#version = undefined;
      throw new SwitchboardError('SB_CONFLICT', `the tokens of connection ${this.connectionId} changed while they were being refreshed; try again`);
    }
    this.#version! += 1;
  }

  lock<T>(fn: () => Promise<T>): Promise<T> {
    const locked = (): Promise<T> =>
      dialectOf(this.db) === 'postgres'
        ? this.db.transaction(async (trx) => {
            await trx.raw('SELECT pg_advisory_xact_lock(?::bigint)', [lockKey(this.connectionId)]);
            return fn();
          })
        : fn();
    const previous = tails.get(this.connectionId) ?? Promise.resolve();
    const run = previous.then(locked, locked);
    const tail = run.catch(() => undefined);
    tails.set(this.connectionId, tail);
    void tail.then(() => {
      if (tails.get(this.connectionId) === tail) tails.delete(this.connectionId);
    });
    return run;
  }
}
