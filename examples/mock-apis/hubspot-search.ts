// The mock HubSpot search endpoint (POST /crm/v3/objects/{type}/search): filter groups (AND
// within a group, OR across groups), sorts, the requested (or default) properties, at most 200
// results a page, a 400 past 10,000 results, and no associations (HubSpot's search has none).
import { DEFAULT_PROPERTIES, hubspotView, type HubSpotRecord } from './hubspot-view';
import { decodeCursor, encodeCursor, type MockResponse } from './server';

interface Filter {
  propertyName?: string;
  operator?: string;
  value?: unknown;
  values?: unknown[];
}

export interface SearchBody {
  filterGroups?: { filters?: Filter[] }[];
  sorts?: ({ propertyName?: string; direction?: string } | string)[];
  properties?: string[];
  limit?: number;
  after?: string | number;
}

function valueOf(record: HubSpotRecord, name: string): string | null {
  if (name === 'hs_object_id') return record.id;
  if (name === 'lastmodifieddate' || name === 'hs_lastmodifieddate') return record.properties[name] ?? record.updatedAt;
  return record.properties[name] ?? null;
}

/** Compares as times when both sides are dates (HubSpot takes ISO text or epoch milliseconds), else as numbers, else as text. */
function compare(a: string, b: unknown): number {
  const bs = String(b);
  const ta = Date.parse(a);
  const tb = /^\d{12,}$/.test(bs) ? Number(bs) : Date.parse(bs);
  if (/^\d{4}-\d{2}-\d{2}/.test(a) && !Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  if (a.trim() !== '' && bs.trim() !== '' && Number.isFinite(Number(a)) && Number.isFinite(Number(bs))) return Number(a) - Number(bs);
  return a < bs ? -1 : a > bs ? 1 : 0;
}

function matches(record: HubSpotRecord, f: Filter): boolean {
  const v = valueOf(record, f.propertyName ?? '');
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return v !== null && v !== '';
    case 'NOT_HAS_PROPERTY':
      return v === null || v === '';
    case 'IN':
      return v !== null && (f.values ?? []).map(String).includes(v);
    default:
      break;
  }
  if (v === null) return f.operator === 'NEQ';
  const c = compare(v, f.value);
  switch (f.operator) {
    case 'EQ':
      return c === 0;
    case 'NEQ':
      return c !== 0;
    case 'GT':
      return c > 0;
    case 'GTE':
      return c >= 0;
    case 'LT':
      return c < 0;
    case 'LTE':
      return c <= 0;
    default:
      return false;
  }
}

const VALUED = new Set(['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE']);

export function hubspotSearch(records: HubSpotRecord[], type: string, body: SearchBody, opts: { limit: number; archived: boolean; url: string }): MockResponse {
  const groups = body.filterGroups ?? [];
  for (const f of groups.flatMap((g) => g.filters ?? [])) {
    if (VALUED.has(f.operator ?? '') && (f.value === undefined || f.value === null || f.value === '')) {
      return { status: 400, body: { status: 'error', message: `There was a problem with the request: filter on ${f.propertyName} with operator ${f.operator} needs a value.`, category: 'VALIDATION_ERROR' } };
    }
  }
  let matched = records.filter((r) => (opts.archived || !r.archived) && (groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => matches(r, f)))));
  const sorts = (body.sorts ?? []).map((s) => (typeof s === 'string' ? { propertyName: s.replace(/^-/, ''), direction: s.startsWith('-') ? 'DESCENDING' : 'ASCENDING' } : s));
  matched = [...matched].sort((a, b) => {
    for (const s of sorts) {
      const va = valueOf(a, s.propertyName ?? '') ?? '';
      const vb = valueOf(b, s.propertyName ?? '') ?? '';
      const c = compare(va, vb);
      if (c !== 0) return s.direction === 'DESCENDING' ? -c : c;
    }
    return Number(a.id) - Number(b.id);
  });
  const offset = Number(decodeCursor(typeof body.after === 'string' ? body.after : null)?.['o'] ?? body.after ?? 0) || 0;
  if (offset >= opts.limit) {
    return { status: 400, body: { status: 'error', message: `paging beyond ${opts.limit} results is not supported`, category: 'VALIDATION_ERROR' } };
  }
  const limit = Math.min(Math.max(1, body.limit ?? 10), 200);
  const properties = body.properties !== undefined && body.properties.length > 0 ? body.properties : DEFAULT_PROPERTIES[type];
  const results = matched.slice(offset, offset + limit).map((r) => hubspotView(r, type, properties));
  const next = offset + limit < matched.length ? encodeCursor({ o: offset + limit }) : undefined;
  return { body: { total: matched.length, results, ...(next === undefined ? {} : { paging: { next: { after: next, link: `${opts.url}/search?after=${next}` } } }) } };
}
