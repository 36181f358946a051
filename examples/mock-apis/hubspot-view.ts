// How the mock HubSpot sends a record: the stored record, only the asked-for properties (or
// HubSpot's defaults), and the associations a list asked for.

export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  /** Mock-side: ids of associated records by object type (`{ contacts: ['1'] }`); sent only when a list asks for them. */
  associations?: Record<string, string[]>;
}

/** Properties HubSpot returns whether or not they are asked for. */
const ALWAYS = ['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate'];

/** What lists and searches return when they name no properties (HubSpot's defaults per object; all for others). */
export const DEFAULT_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
};

/** The record as HubSpot sends it: only the asked-for properties (all when none are named), associations when asked for. */
export function hubspotView(record: HubSpotRecord, type: string, properties: readonly string[] | undefined, associations: readonly string[] = []): Record<string, unknown> {
  let props = record.properties;
  if (properties !== undefined && properties.length > 0) {
    props = {};
    for (const name of [...properties, ...ALWAYS]) {
      if (Object.hasOwn(record.properties, name)) props[name] = record.properties[name] ?? null;
      else if (properties.includes(name)) props[name] = null;
    }
  }
  const view: Record<string, unknown> = { id: record.id, properties: props, createdAt: record.createdAt, updatedAt: record.updatedAt, archived: record.archived };
  const linked: Record<string, unknown> = {};
  for (const to of associations) {
    const ids = record.associations?.[to] ?? [];
    // HubSpot leaves out association types a record has none of.
    if (ids.length > 0) linked[to] = { results: ids.map((id) => ({ id, type: `${singular(type)}_to_${singular(to)}` })) };
  }
  if (Object.keys(linked).length > 0) view['associations'] = linked;
  return view;
}

/** `contacts` -> `contact`, `companies` -> `company`, as in association type names. */
function singular(type: string): string {
  return type.replace(/ies$/, 'y').replace(/s$/, '');
}

