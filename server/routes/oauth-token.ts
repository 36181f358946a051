// POST /oauth/token: the OAuth2 client credentials grant (RFC 6749 section 4.4). Client
// authentication by HTTP Basic or by `client_id`/`client_secret` in the body (form or JSON),
// never both; errors in the RFC's format (`error`, `error_description`) inside our error shape.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import * as apiClients from '../../core/store/tables/api-clients';
import { toApiError } from '../errors';
import { PUBLIC, SCOPES, isScope, type Scope } from '../auth/scopes';
import type { TokenSigner } from '../auth/tokens';
import { responses } from '../schemas/common';

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

/** An RFC 6749 section 5.2 error. */
class OAuthError extends SwitchboardError {
  constructor(
    readonly oauthError: OAuthErrorCode,
    message: string,
  ) {
    super(oauthError === 'invalid_client' ? 'SB_UNAUTHORIZED' : 'SB_BAD_REQUEST', message);
  }
}

interface TokenBody {
  grant_type?: string;
  scope?: string;
  client_id?: string;
  client_secret?: string;
}

const tokenBody = {
  type: 'object',
  description: 'Form (`application/x-www-form-urlencoded`, as RFC 6749 says) or JSON. Unknown parameters are ignored.',
  required: ['grant_type'],
  properties: {
    grant_type: { type: 'string', maxLength: 100, description: 'Always `client_credentials`.', example: 'client_credentials' },
    scope: { type: 'string', maxLength: 2000, description: `Space-separated scopes to ask for; default every scope of the client. Known scopes: ${Object.keys(SCOPES).join(', ')}.` },
    client_id: { type: 'string', maxLength: 200, description: 'With `client_secret`, instead of HTTP Basic authentication.' },
    client_secret: { type: 'string', maxLength: 500, description: 'The secret shown once when the client was created.' },
  },
  additionalProperties: true,
} as const;

const tokenResponse = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in', 'scope'],
  properties: {
    access_token: { type: 'string', description: 'The bearer token: send it as `Authorization: Bearer <token>`.' },
    token_type: { type: 'string', enum: ['Bearer'] },
    expires_in: { type: 'integer', description: 'Seconds until the token expires.' },
    scope: { type: 'string', description: 'The scopes granted, space-separated.' },
  },
} as const;

/** Form bodies as objects; a repeated parameter becomes an array (which the schema refuses). */
function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** RFC 6749 section 2.3.1: Basic credentials are form-encoded before base64. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header === undefined ? null : /^Basic[ ]+([A-Za-z0-9+/]+=*)\s*$/i.exec(header);
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

function grantedScopes(requested: string | undefined, held: readonly string[]): Scope[] {
  const heldScopes = held.filter(isScope);
  if (requested === undefined || requested.trim() === '') return heldScopes;
  const asked = [...new Set(requested.trim().split(/[ ]+/))];
  const unknown = asked.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new OAuthError('invalid_scope', `unknown scope ${unknown.slice(0, 5).map((s) => JSON.stringify(s.slice(0, 50))).join(', ')}; known: ${Object.keys(SCOPES).join(' ')}`);
  const beyond = asked.filter((s) => !heldScopes.includes(s as Scope));
  if (beyond.length > 0) throw new OAuthError('invalid_scope', `the client may not have ${beyond.join(' ')}`);
  return asked as Scope[];
}

function sendOAuthError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(err);
  // Rate limits and server failures are not OAuth errors: the root handler answers them.
  if (apiError.statusCode >= 500 || apiError.statusCode === 429) throw err;
  const oauthError: OAuthErrorCode = err instanceof OAuthError ? err.oauthError : 'invalid_request';
  if (oauthError === 'invalid_client') reply.header('www-authenticate', 'Basic realm="switchboard", charset="UTF-8"');
  request.log.debug({ code: apiError.code, oauthError }, apiError.message);
  return reply
    .code(apiError.statusCode)
    .headers({ 'cache-control': 'no-store', pragma: 'no-cache' })
    .send({ statusCode: apiError.statusCode, code: apiError.code, error: oauthError, message: apiError.message, error_description: apiError.message });
}

export interface TokenRouteOptions {
  signer: TokenSigner;
  /** Token requests per minute from one address (they cost a deliberate slow hash each). */
  perMinute: number;
}

export async function oauthTokenRoutes(app: FastifyInstance, options: TokenRouteOptions): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, async (_req: FastifyRequest, body: string | Buffer) => parseForm(String(body)));
  // Every failure of this route, validation included, answers in the RFC's format; the
  // handler is scoped to this plugin.
  app.setErrorHandler((err, request, reply) => sendOAuthError(err, request, reply));

  app.post<{ Body: TokenBody }>(
    '/oauth/token',
    {
      config: { rateLimit: { max: options.perMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Get a bearer token (OAuth2 client credentials)',
        description:
          'RFC 6749 section 4.4. Authenticate the client with HTTP Basic (`client_id:client_secret`) or with `client_id` and `client_secret` in the body. ' +
          'Errors carry the RFC code in `error` (`invalid_request`, `invalid_client`, `unsupported_grant_type`, `invalid_scope`) and in `error_description` what went wrong.',
        security: PUBLIC,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: tokenBody,
        response: responses({ 200: tokenResponse }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const basic = basicCredentials(request.headers.authorization);
      if (request.headers.authorization !== undefined && basic === undefined) throw new OAuthError('invalid_client', 'the Authorization header is not valid HTTP Basic');
      const inBody = body.client_id !== undefined || body.client_secret !== undefined;
      if (basic !== undefined && inBody) throw new OAuthError('invalid_request', 'authenticate the client with HTTP Basic or with body parameters, not both');
      if (body.grant_type !== 'client_credentials') throw new OAuthError('unsupported_grant_type', `grant_type must be client_credentials, not ${JSON.stringify((body.grant_type ?? '').slice(0, 50))}`);
      const id = basic?.id ?? body.client_id;
      const secret = basic?.secret ?? body.client_secret;
      if (id === undefined || secret === undefined || id === '' || secret === '') throw new OAuthError('invalid_client', 'client authentication is missing: send client_id and client_secret');
      const client = await apiClients.authenticate(app.engine.db, id, secret);
      if (client === undefined) throw new OAuthError('invalid_client', 'client authentication failed: unknown client, wrong secret, or disabled client');
      const scopes = grantedScopes(body.scope, client.scopes);
      const { token } = options.signer.issue(client.clientId, scopes);
      request.log.info({ client: client.clientId, scopes }, 'issued a token');
      return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send({ access_token: token, token_type: 'Bearer', expires_in: options.signer.ttlSeconds, scope: scopes.join(' ') });
    },
  );
}
