// Where a connection's OAuth2 tokens are kept between requests, runs and workers, and the
// lock that makes refreshing them safe; plus the in-memory implementation.

/** A connection's OAuth2 token state. Plain JSON: stores may serialize it as it is. */
export interface TokenState {
  access_token: string;
  token_type?: string;
  /** The refresh token to use next. Providers that rotate it invalidate the previous one. */
  refresh_token?: string;
  /** ISO-8601 time the access token expires; absent when the server did not say. */
  expires_at?: string;
  /** ISO-8601 time the token was obtained. */
  obtained_at: string;
  scope?: string;
  /** The base URL read from the token response at `base_url_from` (Salesforce's `instance_url`). */
  base_url?: string;
}

/**
 * Persistence of one connection's token state.
 *
 * Contract:
 * - `load` returns the latest saved state (or undefined before the first token).
 * - `save` is durable when it resolves: a rotated refresh token exists nowhere else, so it is
 *   saved before anything uses it.
 * - `lock(fn)` runs `fn` while holding the connection's token lock: no other `lock` holder
 *   for the same connection runs at the same time, in this process or (for a shared store) in
 *   any other worker. Every refresh happens inside it: the holder reloads the state first and
 *   only spends the refresh token if nobody replaced the access token meanwhile. The lock need
 *   not be reentrant; `fn` calls only `load` and `save`.
 */
export interface TokenStore {
  load(): Promise<TokenState | undefined>;
  save(state: TokenState): Promise<void>;
  lock<T>(fn: () => Promise<T>): Promise<T>;
}

/** Token state in this process's memory: for tests, `switchboard check`, and single-process use. */
export class MemoryTokenStore implements TokenStore {
  private state: TokenState | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  /** How many times `save` was called (tests use it to count refreshes). */
  saves = 0;

  constructor(initial?: TokenState) {
    this.state = initial === undefined ? undefined : { ...initial };
  }

  load(): Promise<TokenState | undefined> {
    return Promise.resolve(this.state === undefined ? undefined : { ...this.state });
  }

  save(state: TokenState): Promise<void> {
    this.state = { ...state };
    this.saves += 1;
    return Promise.resolve();
  }

  lock<T>(fn: () => Promise<T>): Promise<T> {
    // Each holder runs after the previous one settles, whatever its outcome.
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
