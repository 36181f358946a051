// Bearer-token and console-session checks: each route's required scopes are read from its
// schema's `security` (the OpenAPI document shows exactly what is enforced). 401 without a valid
// token, 403 without the scope, each with the RFC 6750 `WWW-Authenticate` challenge. Disabled
// clients lose access within CLIENT_RECHECK_MS, however long their tokens had left. A request
// without an Authorization header but with a session cookie is checked as that session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { SwitchboardError } from '../../core/errors';
import { guard } from '../../core/store/db-errors';
import { API_CLIENTS_TABLE } from '../../core/store/tables/api-clients';
import { OAUTH2_SCHEME, SESSION_SCHEME, type Scope } from './scopes';
import type { ConsoleSessions } from './session';
import type { TokenClaims, TokenSigner } from './tokens';
import type { User } from '../../core/store/tables/users';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's claims on routes that need one (a session's: its role's scopes). */
    auth: TokenClaims | null;
    /** The signed-in console user, when the request was authenticated by a session. */
    consoleUser: User | null;
  }
}

export const REALM = 'switchboard';
const CLIENT_RECHECK_MS = 30_000;

type Security = ReadonlyArray<Readonly<Record<string, readonly string[]>>>;

const scopeCache = new WeakMap<object, readonly Scope[] | null>();

/**
 * The scopes a route's `security` requires when every alternative is our OAuth2 scheme or the
 * console session; null when the route is public or authenticates callers itself (webhook
 * signatures, the session routes).
 */
export function requiredScopes(security: unknown): readonly Scope[] | null {
  if (!Array.isArray(security)) return null;
  const cached = scopeCache.get(security);
  if (cached !== undefined) return cached;
  const alternatives = security as Security;
  const ours = (alt: Readonly<Record<string, readonly string[]>>): boolean => Object.keys(alt).length === 1 && (Array.isArray(alt[OAUTH2_SCHEME]) || Array.isArray(alt[SESSION_SCHEME]));
  const bearerOnly = alternatives.some((alt) => Array.isArray(alt[OAUTH2_SCHEME])) && alternatives.every(ours);
  const scopes = bearerOnly ? ([...new Set(alternatives.flatMap((alt) => alt[OAUTH2_SCHEME] ?? []))] as Scope[]) : null;
  scopeCache.set(security, scopes);
  return scopes;
}

function challenge(reply: FastifyReply, params: Record<string, string> = {}): void {
  const extra = Object.entries(params).map(([k, v]) => `, ${k}="${v.replace(/["\\]/g, '')}"`).join('');
  reply.header('www-authenticate', `Bearer realm="${REALM}"${extra}`);
}

/** Enabled-or-not of API clients, read again from the database at most every CLIENT_RECHECK_MS. */
class ClientGate {
  readonly #seen = new Map<string, { enabled: boolean; at: number }>();
  constructor(private readonly db: Knex) {}

  async enabled(clientId: string): Promise<boolean> {
    const now = Date.now();
    const hit = this.#seen.get(clientId);
    if (hit !== undefined && now - hit.at < CLIENT_RECHECK_MS) return hit.enabled;
    const row = (await guard('reading an API client', async () => this.db(API_CLIENTS_TABLE).where('client_id', clientId).first('disabled_at'))) as { disabled_at: unknown } | undefined;
    const enabled = row !== undefined && row.disabled_at === null;
    if (this.#seen.size > 10_000) this.#seen.clear();
    this.#seen.set(clientId, { enabled, at: now });
    return enabled;
  }
}

export interface Authenticator {
  /** The caller's claims if the request carries a valid token with every scope; throws 401/403 otherwise. */
  authenticate(request: FastifyRequest, reply: FastifyReply, scopes: readonly Scope[]): Promise<TokenClaims>;
}

export function createAuthenticator(signer: TokenSigner, db: Knex, sessions?: ConsoleSessions): Authenticator {
  const gate = new ClientGate(db);
  return {
    async authenticate(request, reply, scopes) {
      const header = request.headers.authorization;
      const sessionToken = header === undefined ? sessions?.tokenOf(request) : undefined;
      if (sessions !== undefined && sessionToken !== undefined) {
        const identity = await sessions.authenticate(request, reply, sessionToken, scopes);
        request.consoleUser = identity.user;
        return identity.claims;
      }
      const match = typeof header === 'string' ? /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header) : null;
      if (match === null) {
        challenge(reply);
        throw new SwitchboardError('SB_UNAUTHORIZED', header === undefined ? 'this route needs a bearer token: get one from POST /oauth/token' : 'the Authorization header is not `Bearer <token>`');
      }
      const result = signer.verify(match[1]!);
      if (!result.ok || !(await gate.enabled(result.claims.cid))) {
        const reason = result.ok ? 'its client is disabled' : `it is ${result.reason === 'expired' ? 'expired' : 'not a token this server issued'}`;
        challenge(reply, { error: 'invalid_token', error_description: `the bearer token is not valid: ${reason}` });
        throw new SwitchboardError('SB_UNAUTHORIZED', `the bearer token is not valid: ${reason}`);
      }
      const missing = scopes.filter((s) => !result.claims.scp.includes(s));
      if (missing.length > 0) {
        challenge(reply, { error: 'insufficient_scope', scope: scopes.join(' ') });
        throw new SwitchboardError('SB_FORBIDDEN', `this route needs the scope ${missing.join(' ')}; the token has ${result.claims.scp.join(' ') || 'none'}`, {
          details: { required: scopes, granted: result.claims.scp },
        });
      }
      return result.claims;
    },
  };
}

/** Checks every route's token and scopes before anything else runs (rate limits key on the client). */
export function installAuth(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('consoleUser', null);
  app.addHook('onRequest', async (request, reply) => {
    const scopes = requiredScopes(request.routeOptions.schema?.security);
    if (scopes === null) return;
    request.auth = await auth.authenticate(request, reply, scopes);
  });
}
