// Every management API operation the console calls, as `METHOD /path/{param}` exactly as the
// OpenAPI document names it: api.ts accepts nothing else, and a test checks each one against
// the document, so the console can only use the documented API.
export const ENDPOINTS = [
  'GET /session',
  'POST /session',
  'DELETE /session',
  'GET /connectors',
  'GET /connectors/{id}',
  'PUT /connectors/{id}',
  'POST /connectors/validate',
  'GET /mappings',
  'GET /mappings/{id}',
  'PUT /mappings/{id}',
  'POST /mappings/validate',
  'POST /mappings/preview',
  'GET /connections',
  'POST /connections',
  'GET /connections/{id}',
  'PATCH /connections/{id}',
  'DELETE /connections/{id}',
  'POST /connections/{id}/check',
  'POST /connections/{id}/oauth/authorize',
  'POST /connections/{id}/read',
  'GET /connections/{id}/schedules',
  'POST /connections/{id}/schedules',
  'PATCH /connections/{id}/schedules/{schedule}',
  'DELETE /connections/{id}/schedules/{schedule}',
  'POST /connections/{id}/runs',
  'GET /runs',
  'GET /runs/{id}',
  'POST /runs/{id}/cancel',
  'GET /runs/{id}/rejected',
  'GET /runs/{id}/rejected.jsonl',
  'GET /crm/{entity}',
  'GET /crm/{entity}/{id}',
  'GET /crm/{entity}/{id}/links',
  'GET /crm/{entity}/{id}/history',
] as const;

export type Endpoint = (typeof ENDPOINTS)[number];

/** The CRM entities: `/crm/{entity}` stands for one path per entity in the document. */
export const ENTITIES = ['contacts', 'companies', 'deals', 'activities'] as const;
export type Entity = (typeof ENTITIES)[number];

/** The URL of an endpoint with its parameters filled in (and encoded). */
export function urlOf(endpoint: Endpoint, params: Record<string, string> = {}, query?: Record<string, string | string[] | undefined>): string {
  const template = endpoint.slice(endpoint.indexOf(' ') + 1);
  const path = template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${endpoint}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === '') continue;
    for (const one of [v].flat()) search.append(k, one);
  }
  const qs = search.toString();
  return qs === '' ? path : `${path}?${qs}`;
}
