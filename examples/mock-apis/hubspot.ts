// Mock HubSpot CRM v3 (APIS.md): object lists paged by `paging.next.after`, the search endpoint
// (sorted by last modification, 400 past 10,000 results), bearer or OAuth2 tokens, rate-limit
// headers, HubSpot's error bodies.
import { acceptsBearer, type TokenIssuer } from './oauth';
import { decodeCursor, encodeCursor, intParam, jsonBody, startMockServer, type Faults, type LoggedRequest, type MockApi, type MockResponse } from './server';

export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface HubSpotOptions {
  /** Records per object type, e.g. `{ contacts: [...] }`. */
  objects: Record<string, HubSpotRecord[]>;
  /** A static private-app token to accept. */
  token?: string;
  /** Or OAuth2: tokens issued by this issuer, its endpoint at `/oauth/v1/token`. */
  tokens?: TokenIssuer;
  /** The search endpoint's cap on `after` (HubSpot: 10,000). */
  searchLimit?: number;
  faults?: Faults;
}

const RATE_HEADERS = { 'x-hubspot-ratelimit-max': '150', 'x-hubspot-ratelimit-interval-milliseconds': '10000', 'x-hubspot-ratelimit-secondly': '15' };

function unauthorized(): MockResponse {
  return {
    status: 401,
    body: { status: 'error', message: 'Authentication credentials not found.', correlationId: '00000000-0000-0000-0000-000000000000', category: 'INVALID_AUTHENTICATION' },
  };
}

function modified(record: HubSpotRecord): string {
  return record.properties['lastmodifieddate'] ?? record.properties['hs_lastmodifieddate'] ?? record.updatedAt;
}

function page(records: HubSpotRecord[], offset: number, limit: number, url: string, extra: Record<string, unknown> = {}): MockResponse {
  const results = records.slice(offset, offset + limit);
  const next = offset + limit < records.length ? encodeCursor({ o: offset + limit }) : undefined;
  return {
    headers: { ...RATE_HEADERS, 'x-hubspot-ratelimit-remaining': '149' },
    body: { ...extra, results, ...(next === undefined ? {} : { paging: { next: { after: next, link: `${url}?after=${next}` } } }) },
  };
}

function search(opts: HubSpotOptions, records: HubSpotRecord[], req: LoggedRequest, url: string): MockResponse {
  const body = (jsonBody(req) ?? {}) as { filterGroups?: { filters?: { propertyName?: string; operator?: string; value?: unknown }[] }[]; limit?: number; after?: string };
  let matched = records;
  for (const f of body.filterGroups?.[0]?.filters ?? []) {
    if (f.operator === 'GTE' && typeof f.value === 'string') {
      const bound = Date.parse(f.value);
      matched = matched.filter((r) => Date.parse(modified(r)) >= bound);
    }
  }
  matched = [...matched].sort((a, b) => Date.parse(modified(a)) - Date.parse(modified(b)) || Number(a.id) - Number(b.id));
  const offset = Number(decodeCursor(body.after ?? null)?.['o'] ?? body.after ?? 0) || 0;
  if (offset >= (opts.searchLimit ?? 10_000)) {
    return { status: 400, body: { status: 'error', message: 'paging beyond 10000 results is not supported', category: 'VALIDATION_ERROR' } };
  }
  return page(matched, offset, Math.min(body.limit ?? 10, 200), url, { total: matched.length });
}

export function startHubSpot(opts: HubSpotOptions): Promise<MockApi> {
  const guard = (req: LoggedRequest): MockResponse | undefined => {
    if (req.path === '/oauth/v1/token') return undefined;
    return acceptsBearer(req, opts) ? undefined : unauthorized();
  };
  return startMockServer(
    async (req, base) => {
      if (req.path === '/oauth/v1/token' && req.method === 'POST' && opts.tokens !== undefined) return opts.tokens.handle(req);
      const m = /^\/crm\/v3\/objects\/([a-z_]+)(\/search)?$/.exec(req.path);
      const records = m === null ? undefined : opts.objects[m[1]!];
      if (m === null || records === undefined) return { status: 404, body: { status: 'error', message: `Unknown path ${req.path}`, category: 'OBJECT_NOT_FOUND' } };
      const url = `${base}/crm/v3/objects/${m[1]}`;
      if (m[2] !== undefined && req.method === 'POST') return search(opts, records, req, url);
      const offset = Number(decodeCursor(req.query.get('after'))?.['o'] ?? 0);
      const archived = req.query.get('archived') === 'true';
      return page(records.filter((r) => r.archived === archived), offset, intParam(req.query, 'limit', 10, 100), url);
    },
    { faults: opts.faults, guard },
  );
}

/** `n` HubSpot contacts with ids from 1, modified one second apart from `since`. */
export function hubspotContacts(n: number, since = Date.UTC(2024, 0, 1)): HubSpotRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(since + i * 1000).toISOString();
    const id = String(i + 1);
    return {
      id,
      properties: { email: `contact${id}@example.com`, firstname: `First${id}`, lastname: `Last${id}`, lastmodifieddate: at, hs_object_id: id },
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
  });
}
