// auth `oauth2`: access tokens cached until shortly before they expire, refreshed once on a
// 401, every refresh under the connection's token lock so a rotated refresh token is saved
// before use and never spent twice (by concurrent requests here or by other workers).
import type { AuthOAuth2 } from '../generated/connector';
import { SwitchboardError } from '../errors';
import type { TokenState } from './token-store';
import { obtainToken, redacted } from './oauth2-grant';
import type { AuthContext, AuthCredentials, AuthFactory, AuthSession } from './types';

/** Refresh this long before expiry (at most a quarter of the token's lifetime). */
const EXPIRY_MARGIN_MS = 60_000;

/** Whether a token is expired or about to be. Tokens without an expiry are used until a 401. */
export function expiresSoon(state: TokenState, now = Date.now()): boolean {
  if (state.expires_at === undefined) return false;
  const expires = Date.parse(state.expires_at);
  const lifetime = expires - Date.parse(state.obtained_at);
  const margin = Math.min(EXPIRY_MARGIN_MS, Number.isFinite(lifetime) ? Math.max(0, lifetime / 4) : EXPIRY_MARGIN_MS);
  return !(expires - margin > now);
}

/** Which access token a credentials object carried (to tell a stale 401 from a fresh one). */
const usedTokens = new WeakMap<AuthCredentials, string>();

class OAuth2Session implements AuthSession {
  private state: TokenState | undefined;
  private credentials: AuthCredentials | undefined;
  /** The refresh in progress in this process: concurrent callers share it. */
  private pending: Promise<TokenState> | undefined;

  constructor(
    private readonly spec: AuthOAuth2,
    private readonly ctx: AuthContext,
  ) {}

  async current(): Promise<AuthCredentials> {
    if (this.credentials !== undefined && this.state !== undefined && !expiresSoon(this.state)) return this.credentials;
    return this.adopt(await this.refresh(this.state?.access_token));
  }

  async renew(used: AuthCredentials): Promise<boolean> {
    this.adopt(await this.refresh(usedTokens.get(used) ?? this.state?.access_token, true));
    return true;
  }

  /**
   * A usable token, replacing `stale` (the token the caller found expiring or saw refused).
   * Under the lock, the stored state is read again first: if another request or worker already
   * replaced `stale`, that token is used and no refresh token is spent.
   */
  private refresh(stale: string | undefined, refused = false): Promise<TokenState> {
    if (this.pending !== undefined) return this.pending;
    const store = this.ctx.tokenStore;
    const run = store.lock(async () => {
      const stored = await store.load();
      if (stored !== undefined && !expiresSoon(redacted(this.ctx, stored))) {
        // Another request or worker replaced the token we hold (or we hold none yet): use theirs.
        if (stale === undefined || stored.access_token !== stale) return stored;
        // The same token, still valid by its expiry: only a 401 makes it worth replacing.
        if (!refused) return stored;
      }
      const next = await obtainToken(this.spec, this.ctx, stored);
      // Saved before anyone uses it: with rotation, the old refresh token is now spent.
      await store.save(next);
      return next;
    });
    this.pending = run.finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private adopt(state: TokenState): AuthCredentials {
    if (this.state === state && this.credentials !== undefined) return this.credentials;
    this.state = state;
    const type = state.token_type === undefined || state.token_type.toLowerCase() === 'bearer' ? 'Bearer' : state.token_type;
    const credentials: AuthCredentials = { headers: { authorization: `${type} ${state.access_token}` }, query: {}, baseUrl: state.base_url };
    usedTokens.set(credentials, state.access_token);
    this.credentials = credentials;
    return credentials;
  }
}

export const oauth2Auth: AuthFactory<AuthOAuth2> = (spec, ctx) => {
  if (spec.grant === 'authorization_code' || spec.grant === 'refresh_token' || spec.grant === 'client_credentials') {
    ctx.redactor.add(spec.client_secret);
    ctx.redactor.add(spec.refresh_token);
    return new OAuth2Session(spec, ctx);
  }
  throw new SwitchboardError('SB_DEFINITION_INVALID', `unknown oauth2 grant ${JSON.stringify(spec.grant)}`);
};
