// The OAuth2 token endpoint through simple-oauth2: the grants, the authorize URL, reading a
// token response into TokenState, and token endpoint failures as our errors.
import { setTimeout as delay } from 'node:timers/promises';
import { AuthorizationCode, ClientCredentials, type AccessToken, type ModuleOptions } from 'simple-oauth2';
import type { AuthOAuth2 } from '../generated/connector';
import { SwitchboardError } from '../errors';
import { backoffDelay } from '../http/retry';
import { getPath } from '../util/path';
import type { TokenState } from './token-store';
import { text, type AuthContext } from './types';

function split(url: string, what: string): { host: string; path: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SwitchboardError('SB_CONNECTION_CONFIG_INVALID', `oauth2 ${what} is not a valid URL: ${JSON.stringify(url)}`);
  }
  return { host: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

function moduleOptions(spec: AuthOAuth2): ModuleOptions {
  const token = split(text(spec.token_url), 'token_url');
  const auth: ModuleOptions['auth'] = { tokenHost: token.host, tokenPath: token.path };
  if (spec.authorize_url !== undefined) {
    const authorize = split(text(spec.authorize_url), 'authorize_url');
    auth.authorizeHost = authorize.host;
    auth.authorizePath = authorize.path;
  }
  return {
    client: { id: text(spec.client_id), secret: text(spec.client_secret) },
    auth,
    options: { authorizationMethod: spec.client_auth ?? 'header', scopeSeparator: spec.scope_separator ?? ' ' },
  };
}

/** The extra form parameters of every token request: `scope` and `token_params`. */
function tokenParams(spec: AuthOAuth2): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.token_params ?? {})) params[k] = text(v);
  if (spec.scopes !== undefined && spec.scopes.length > 0) params['scope'] = spec.scopes.join(spec.scope_separator ?? ' ');
  return params;
}

/** Reads a token endpoint answer; `previous` supplies the refresh token when the answer does not rotate it. */
export function tokenState(spec: AuthOAuth2, raw: Record<string, unknown>, previous: TokenState | undefined, now = Date.now()): TokenState {
  const access = raw['access_token'];
  if (typeof access !== 'string' || access === '') {
    throw new SwitchboardError('SB_AUTH_FAILED', 'the token endpoint answered without an access_token');
  }
  const state: TokenState = { access_token: access, obtained_at: new Date(now).toISOString() };
  if (typeof raw['token_type'] === 'string') state.token_type = raw['token_type'];
  const refresh = raw['refresh_token'];
  if (typeof refresh === 'string' && refresh !== '') state.refresh_token = refresh;
  else if (previous?.refresh_token !== undefined) state.refresh_token = previous.refresh_token;
  const expiresIn = Number(raw['expires_in']);
  if (raw['expires_in'] !== undefined && raw['expires_in'] !== null && Number.isFinite(expiresIn)) {
    state.expires_at = new Date(now + expiresIn * 1000).toISOString();
  }
  if (typeof raw['scope'] === 'string') state.scope = raw['scope'];
  const baseUrl = spec.base_url_from === undefined ? previous?.base_url : getPath(raw, spec.base_url_from);
  if (typeof baseUrl === 'string' && baseUrl !== '') state.base_url = baseUrl;
  return state;
}

/** Makes the redactor know a token state's secrets; returns the state. */
export function redacted(ctx: AuthContext, state: TokenState): TokenState {
  ctx.redactor.add(state.access_token);
  ctx.redactor.add(state.refresh_token);
  return state;
}

interface BoomLike {
  isBoom?: boolean;
  message?: string;
  output?: { statusCode?: number };
  data?: { isResponseError?: boolean; payload?: unknown } | null;
}

/** Calls the token endpoint, retrying network failures, 429 and 5xx; a refusal is SB_AUTH_FAILED. */
async function call(spec: AuthOAuth2, ctx: AuthContext, what: string, fn: (http: { timeout: number }) => Promise<AccessToken>): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    try {
      const token = await fn({ timeout: ctx.timeoutMs });
      return token.token as Record<string, unknown>;
    } catch (err) {
      const boom = err as BoomLike;
      // simple-oauth2 raises a plain Error (not a Boom) when an answer holds no token, e.g. a
      // redirect (never followed: the token URL is only called as declared).
      const noToken = boom.isBoom !== true;
      const answered = boom.data?.isResponseError === true || noToken;
      const status = boom.data?.isResponseError === true ? boom.output?.statusCode : undefined;
      const retryable = !answered || status === 429 || (status !== undefined && status >= 500);
      if (retryable && attempt < ctx.retry.maxAttempts) {
        await delay(backoffDelay(ctx.retry, attempt));
        continue;
      }
      const payload = boom.data?.payload;
      const body = payload === undefined || payload === null ? '' : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload);
      const reason = noToken ? `answered without a token (${boom.message ?? String(err)})` : answered ? `answered ${status}${body === '' ? '' : `: ${body.slice(0, 1000)}`}` : `failed: ${boom.message ?? String(err)}`;
      const message = ctx.redactor.redact(`oauth2 ${what} at ${text(spec.token_url)} ${reason}`);
      const code = answered && !retryable ? 'SB_AUTH_FAILED' : answered ? 'SB_HTTP_RETRIES_EXHAUSTED' : 'SB_HTTP_NETWORK';
      throw new SwitchboardError(code, message, { details: { attempts: attempt, ...(status === undefined ? {} : { status }) } });
    }
  }
}

/** A new token by the definition's grant: client credentials, or the refresh token in `previous` (else the definition's). */
export async function obtainToken(spec: AuthOAuth2, ctx: AuthContext, previous: TokenState | undefined): Promise<TokenState> {
  const options = moduleOptions(spec);
  const params = tokenParams(spec);
  let raw: Record<string, unknown>;
  if (spec.grant === 'client_credentials') {
    const client = new ClientCredentials(options);
    raw = await call(spec, ctx, 'client_credentials grant', (http) => client.getToken(params, http));
  } else {
    const refreshToken = previous?.refresh_token ?? text(spec.refresh_token);
    if (refreshToken === '') {
      const hint = spec.grant === 'authorization_code' ? 'authorize the connection first' : 'set the refresh token in the connection config';
      throw new SwitchboardError('SB_AUTH_FAILED', `oauth2: no refresh token to obtain an access token with; ${hint}`);
    }
    ctx.redactor.add(refreshToken);
    const client = new AuthorizationCode(options);
    const token = client.createToken({ refresh_token: refreshToken });
    raw = await call(spec, ctx, 'refresh', (http) => token.refresh(params, http));
  }
  return redacted(ctx, tokenState(spec, raw, previous));
}

/** The URL an admin's browser is sent to (authorization_code grant). */
export function authorizationUrl(spec: AuthOAuth2, params: { redirectUri: string; state: string }): string {
  if (spec.authorize_url === undefined) {
    throw new SwitchboardError('SB_DEFINITION_INVALID', 'oauth2 authorization_code needs authorize_url');
  }
  const client = new AuthorizationCode(moduleOptions(spec));
  const scope = spec.scopes !== undefined && spec.scopes.length > 0 ? { scope: spec.scopes } : {};
  return client.authorizeURL({ redirect_uri: params.redirectUri, state: params.state, ...scope });
}

/** Exchanges the code the authorize step returned for tokens. */
export async function exchangeCode(spec: AuthOAuth2, ctx: AuthContext, params: { code: string; redirectUri: string }): Promise<TokenState> {
  const client = new AuthorizationCode(moduleOptions(spec));
  const raw = await call(spec, ctx, 'code exchange', (http) => client.getToken({ code: params.code, redirect_uri: params.redirectUri, ...tokenParams(spec) }, http));
  return redacted(ctx, tokenState(spec, raw, undefined));
}
