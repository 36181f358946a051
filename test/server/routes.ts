// The operations of the OpenAPI document, as requests a test can send: every path template
// with its parameters filled in, and the scopes its security requires.
import type { FastifyInstance } from 'fastify';

export interface Operation {
  method: string;
  /** The path as documented, e.g. `/crm/contacts/{id}`. */
  path: string;
  /** A concrete URL for it (path parameters filled in). */
  url: string;
  security: Array<Record<string, string[]>>;
  /** Scopes when every security alternative is the OAuth2 bearer scheme or the console session; null otherwise. */
  bearerScopes: string[] | null;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, unknown>; security?: Array<Record<string, string[]>>; parameters?: unknown[]; requestBody?: unknown }>>;
  components?: Record<string, Record<string, unknown>>;
}

export async function openApiOf(app: FastifyInstance): Promise<OpenApiDocument> {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}`);
  return res.json() as OpenApiDocument;
}

export function operationsOf(doc: OpenApiDocument, fill: (param: string) => string = () => 'x0'): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const security = op.security ?? [];
      // A bearer token, or the console session (whose role grants the same scopes).
      const bearerOnly = security.some((alt) => Array.isArray(alt['oauth2'])) && security.every((alt) => Object.keys(alt).length === 1 && (Array.isArray(alt['oauth2']) || Array.isArray(alt['consoleSession'])));
      ops.push({
        method: method.toUpperCase(),
        path,
        url: path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(fill(name))),
        security,
        bearerScopes: bearerOnly ? [...new Set(security.flatMap((alt) => alt['oauth2'] ?? []))] : null,
      });
    }
  }
  return ops;
}
