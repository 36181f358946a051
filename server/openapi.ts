// The OpenAPI document, made by @fastify/swagger from the route schemas (the same ones that
// validate requests): served raw at /openapi.json (importable into Postman) and browsable at
// /docs. Shared schemas keep their `$id` as their component name.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { packageVersion } from '../core/util/package-root';
import { OAUTH2_SCHEME, PUBLIC, SCOPES, WEBHOOK_SCHEME } from './auth/scopes';

export const DOCS_PREFIX = '/docs';
export const OPENAPI_PATH = '/openapi.json';

const DESCRIPTION = `The management API of Switchboard (connectors, mappings, connections, runs, webhooks) and the CRM's REST API.

Get a bearer token from \`POST /oauth/token\` (OAuth2 client credentials) and send it as \`Authorization: Bearer <token>\`. Each operation names the scope it needs. Every error answers \`{ statusCode, code, error, message }\`; codes are stable.`;

export async function registerOpenApi(app: FastifyInstance, publicUrl: string | undefined, docsUi: boolean): Promise<void> {
  const tokenUrl = `${publicUrl?.replace(/\/+$/, '') ?? ''}/oauth/token`;
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Switchboard API', version: packageVersion(), description: DESCRIPTION },
      ...(publicUrl === undefined ? {} : { servers: [{ url: publicUrl }] }),
      tags: [
        { name: 'auth', description: 'Bearer tokens for API clients.' },
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
