// A mock OAuth2 token endpoint for the mock APIs: client_credentials, refresh_token (optionally
// rotating, refusing spent refresh tokens) and authorization_code grants, expiring access tokens.
import { randomBytes } from 'node:crypto';
import { basicCredentials, bearer, type LoggedRequest, type MockResponse } from './server';

export interface TokenIssuerOptions {
  clientId: string;
  clientSecret: string;
  /** The refresh token a connection starts with. */
  refreshToken?: string;
  /** Issue a new refresh token on every refresh and refuse the spent one. Default false. */
  rotate?: boolean;
  /** Access token lifetime in seconds; without it, responses carry no `expires_in`. */
  expiresIn?: number;
  /** Extra fields in every token response (Salesforce's `instance_url`). */
  extra?: Record<string, unknown>;
  /** How long the endpoint takes to answer, in ms (widens race windows in tests). */
  delayMs?: number;
  /** Codes the authorization_code grant accepts. */
  codes?: readonly string[];
}

function token(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('base64url')}`;
}

export class TokenIssuer {
  /** Successful refresh_token grants. */
  refreshes = 0;
  /** Attempts to use a refresh token that was already rotated away. */
  spentRefreshUses = 0;
  /** Access tokens issued by any grant. */
  issued = 0;
  /** Extra fields in every token response; the Salesforce mock adds its `instance_url` here. */
  extra: Record<string, unknown>;
  private readonly access = new Map<string, number>();
  private readonly refresh = new Set<string>();
  private readonly spent = new Set<string>();

  constructor(private readonly options: TokenIssuerOptions) {
    if (options.refreshToken !== undefined) this.refresh.add(options.refreshToken);
    this.extra = { ...options.extra };
  }

  /** Whether an access token is currently accepted. */
  isValid(accessToken: string | undefined): boolean {
    if (accessToken === undefined) return false;
    const expires = this.access.get(accessToken);
    return expires !== undefined && expires > Date.now();
  }

  /** Every access token issued so far stops being accepted (a token that expires mid-stream). */
  expireAll(): void {
    this.access.clear();
  }

  /**
   * The app is installed again: every token issued so far is revoked (refresh tokens answer
   * `invalid_grant`, access tokens 401) and `refreshToken` is the one grant that works.
   */
  reinstall(refreshToken: string): void {
    this.access.clear();
    for (const t of this.refresh) this.spent.add(t);
    this.refresh.clear();
    this.refresh.add(refreshToken);
  }

  /** Answers a request to the token endpoint (form body, client credentials in Basic or the body). */
  async handle(req: LoggedRequest): Promise<MockResponse> {
    if (this.options.delayMs !== undefined) await new Promise((r) => setTimeout(r, this.options.delayMs));
    const form = new URLSearchParams(req.body);
    const basic = basicCredentials(req);
    const [id, secret] = basic !== undefined ? basic.split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' '))) : [form.get('client_id'), form.get('client_secret')];
    if (id !== this.options.clientId || secret !== this.options.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    }
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') return this.issue(undefined);
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      if (!(this.options.codes ?? []).includes(code)) return { status: 400, body: { error: 'invalid_grant', error_description: 'unknown authorization code' } };
      const refresh = token('rt');
      this.refresh.add(refresh);
      return this.issue(refresh);
    }
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      if (this.spent.has(presented)) {
        this.spentRefreshUses += 1;
        return { status: 400, body: { error: 'invalid_grant', error_description: 'refresh token already used' } };
      }
      if (!this.refresh.has(presented)) return { status: 400, body: { error: 'invalid_grant', error_description: 'unknown refresh token' } };
      this.refreshes += 1;
      if (this.options.rotate !== true) return this.issue(undefined);
      this.refresh.delete(presented);
      this.spent.add(presented);
      const next = token('rt');
      this.refresh.add(next);
      return this.issue(next);
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  private issue(refreshToken: string | undefined): MockResponse {
    const access = token('at');
    const lifetime = this.options.expiresIn ?? 3600;
    this.access.set(access, Date.now() + lifetime * 1000);
    this.issued += 1;
    const body: Record<string, unknown> = { access_token: access, token_type: 'bearer', ...this.extra };
    if (this.options.expiresIn !== undefined) body['expires_in'] = this.options.expiresIn;
    if (refreshToken !== undefined) body['refresh_token'] = refreshToken;
    return { body };
  }
}

/** Whether a request carries an accepted bearer token: issued by `tokens`, else equal to the static `token`. */
export function acceptsBearer(req: LoggedRequest, auth: { token?: string | undefined; tokens?: TokenIssuer | undefined }): boolean {
  const presented = bearer(req);
  return auth.tokens !== undefined ? auth.tokens.isValid(presented) : presented !== undefined && presented === auth.token;
}
