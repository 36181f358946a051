// The OpenAPI document, made by @fastify/swagger from the route schemas (the same ones that
// validate requests): served raw at /openapi.json (importable into Postman) and browsable at
// /docs. Shared schemas keep their `$id` as their component name.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { packageVersion } from '../core/util/package-root';
import { OAUTH2_SCHEME, PUBLIC, SCOPES, SESSION_SCHEME, WEBHOOK_SCHEME } from './auth/scopes';
import { CSRF_HEADER, SESSION_COOKIE } from './auth/session';

export const DOCS_PREFIX = '/docs';
export const OPENAPI_PATH = '/openapi.json';

const DESCRIPTION = `The management API of Switchboard (connectors, mappings, connections, runs, webhooks) and the CRM's REST API.

Get a bearer token from \`POST /oauth/token\` (OAuth2 client credentials) and send it as \`Authorization: Bearer <token>\`. Each operation names the scope it needs. The console (at \`/ui\`) uses the same operations with a session cookie from \`POST /session\`: its user's role (viewer or admin) grants the scopes, and every request that is not GET or HEAD repeats the session's CSRF token in \`${CSRF_HEADER}\`. Every error answers \`{ statusCode, code, error, message }\`; codes are stable.`;

export async function registerOpenApi(app: FastifyInstance, publicUrl: string | undefined, docsUi: boolean): Promise<void> {
  const tokenUrl = `${publicUrl?.replace(/\/+$/, '') ?? ''}/oauth/token`;
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Switchboard API', version: packageVersion(), description: DESCRIPTION },
      ...(publicUrl === undefined ? {} : { servers: [{ url: publicUrl }] }),
      tags: [
        { name: 'auth', description: 'Bearer tokens for API clients.' },
        { name: 'session', description: 'Console sign-in for people (users made with `switchboard users create`).' },
        { name: 'workbench', description: 'Try a stream and a mapping before saving them: test reads, previews, saving definitions.' },
        { name: 'definitions', description: 'Connectors and mappings.' },
        { name: 'connections', description: 'Connections to third-party APIs.' },
        { name: 'schedules', description: 'Cron schedules of runs.' },
        { name: 'runs', description: 'Sync runs.' },
        { name: 'webhooks', description: 'Inbound webhooks.' },
        { name: 'operations', description: 'Health and metrics.' },
      ],
      components: {
        securitySchemes: {
          [OAUTH2_SCHEME]: {
            type: 'oauth2',
            description: 'OAuth2 client credentials: `POST /oauth/token` with the client id and secret gives a short-lived bearer token carrying scopes.',
            flows: { clientCredentials: { tokenUrl, scopes: { ...SCOPES } } },
          },
          [SESSION_SCHEME]: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: `A console session from \`POST /session\`. Its user's role grants scopes (viewer: crm:read, definitions:read, connections:read, runs:read; admin: every scope but webhooks:write); the operation's OAuth2 scopes apply. Requests that are not GET or HEAD need the \`${CSRF_HEADER}\` header.`,
          },
          [WEBHOOK_SCHEME]: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Signature',
            description: 'The signature (or token) of the connector\'s `webhooks.signature`, in the header it names (X-Signature stands for it).',
          },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`),
    },
  });
  if (docsUi) {
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { docExpansion: 'list', deepLinking: true } });
  }
  app.get(OPENAPI_PATH, { schema: { hide: true, security: PUBLIC } }, async () => app.swagger());
}
