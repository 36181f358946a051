// The SOQL the mock Salesforce understands: `SELECT fields FROM Object [WHERE Field op
// dateTime [AND ...]] [ORDER BY Field [ASC|DESC]] [LIMIT n]`, with dateTime literals in the
// formats Salesforce documents (YYYY-MM-DDThh:mm:ssZ or +hh:mm/-hh:mm, unquoted); anything else
// is Salesforce's MALFORMED_QUERY.
import type { SalesforceRecord } from './salesforce-data';

export interface Soql {
  fields: string[];
  object: string;
  where: { field: string; op: string; value: number }[];
  order: { field: string; desc: boolean } | undefined;
  limit: number | undefined;
}

/** Salesforce's documented dateTime literal formats (fractional seconds are tolerated, as Salesforce does). */
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const QUERY = /^SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$/is;

export class SoqlError extends Error {
  constructor(
    message: string,
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_TYPE',
  ) {
    super(message);
  }
}

export function parseSoql(text: string, known: (object: string) => boolean): Soql {
  const m = QUERY.exec(text.trim());
  if (m === null) throw new SoqlError(`unexpected token in: ${text.slice(0, 80)}`, 'MALFORMED_QUERY');
  const object = m[2]!;
  if (!known(object)) throw new SoqlError(`sObject type '${object}' is not supported.`, 'INVALID_TYPE');
  const where = (m[3] === undefined ? [] : m[3].split(/\s+AND\s+/i)).map((clause) => {
    const c = /^(\w+)\s*(>=|<=|>|<|=)\s*(\S+)$/.exec(clause.trim());
    if (c === null) throw new SoqlError(`unexpected token: '${clause}'`, 'MALFORMED_QUERY');
    if (!DATETIME.test(c[3]!)) {
      throw new SoqlError(`value of filter criterion for field '${c[1]}' must be of type dateTime and should not be enclosed in quotes: ${c[3]}`, 'MALFORMED_QUERY');
    }
    return { field: c[1]!, op: c[2]!, value: Date.parse(c[3]!) };
  });
  return {
    fields: m[1]!.split(',').map((f) => f.trim()),
    object,
    where,
    order: m[4] === undefined ? undefined : { field: m[4], desc: m[5]?.toUpperCase() === 'DESC' },
    limit: m[6] === undefined ? undefined : Number(m[6]),
  };
}

function holds(record: SalesforceRecord, w: Soql['where'][number]): boolean {
  const t = Date.parse(String(record[w.field]));
  if (Number.isNaN(t)) return false;
  switch (w.op) {
    case '>':
      return t > w.value;
    case '>=':
      return t >= w.value;
    case '<':
      return t < w.value;
    case '<=':
      return t <= w.value;
    default:
      return t === w.value;
  }
}

/**
 * The records a query selects, ordered and projected onto its fields. `query` leaves out deleted
 * records and archived activities (IsArchived Task and Event rows); `queryAll` returns both.
 */
export function runSoql(records: readonly SalesforceRecord[], q: Soql, all: boolean): SalesforceRecord[] {
  let rows = records.filter((r) => (all || (r['IsDeleted'] !== true && r['IsArchived'] !== true)) && q.where.every((w) => holds(r, w)));
  if (q.order !== undefined) {
    const { field, desc } = q.order;
    rows = [...rows].sort((a, b) => {
      const [x, y] = [String(a[field] ?? ''), String(b[field] ?? '')];
      const c = /^\d{4}-/.test(x) && /^\d{4}-/.test(y) ? Date.parse(x) - Date.parse(y) : x.localeCompare(y);
      return desc ? -c : c;
    });
  }
  if (q.limit !== undefined) rows = rows.slice(0, q.limit);
  return rows.map((r) => {
    const out: SalesforceRecord = { attributes: r.attributes, Id: r.Id };
    // Salesforce sends every selected field, null when empty.
    for (const f of q.fields) out[f] = r[f] ?? null;
    return out;
  });
}
