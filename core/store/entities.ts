// The CRM entities and their columns: the one description that the repository's
// validation, the mapping validator and the REST API's schemas are all derived from.
// (Migrations are frozen history and spell their columns out on their own.)

export type FieldType =
  | 'string' // short text (names, emails, codes)
  | 'text' // long text (bodies, addresses)
  | 'number'
  | 'date' // YYYY-MM-DD
  | 'datetime' // ISO-8601 with time; stored as UTC
  | 'enum'
  | 'ref'; // the id of another entity's record

export interface FieldSpec {
  readonly type: FieldType;
  /** For `enum`: the allowed values. */
  readonly values?: readonly string[];
  /** For `ref`: the entity referenced. */
  readonly ref?: EntityName;
  /** For `string`/`text`: the longest accepted value, in characters. */
  readonly maxLength?: number;
  /** For `number`: bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Indexed, so filters on it are cheap. */
  readonly indexed?: boolean;
  readonly description: string;
}

export const ENTITY_NAMES = ['companies', 'contacts', 'deals', 'activities'] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note', 'task'] as const;
export const ACTIVITY_DIRECTIONS = ['inbound', 'outbound'] as const;

const SHORT = 1000;
const LONG = 1_000_000;

export const ENTITIES: Readonly<Record<EntityName, { readonly singular: string; readonly fields: Readonly<Record<string, FieldSpec>> }>> = {
  companies: {
    singular: 'company',
    fields: {
      name: { type: 'string', maxLength: SHORT, description: 'Company name.' },
      domain: { type: 'string', maxLength: SHORT, indexed: true, description: 'Primary web domain, e.g. `example.com`.' },
      industry: { type: 'string', maxLength: SHORT, description: 'Industry or sector.' },
      phone: { type: 'string', maxLength: SHORT, description: 'Main phone number.' },
      website: { type: 'string', maxLength: SHORT, description: 'Website URL.' },
      address: { type: 'text', maxLength: LONG, description: 'Postal address, free text.' },
    },
  },
  contacts: {
    singular: 'contact',
    fields: {
      first_name: { type: 'string', maxLength: SHORT, description: 'Given name.' },
      last_name: { type: 'string', maxLength: SHORT, description: 'Family name.' },
      email: { type: 'string', maxLength: SHORT, indexed: true, description: 'Email address.' },
      phone: { type: 'string', maxLength: SHORT, description: 'Phone number.' },
      title: { type: 'string', maxLength: SHORT, description: 'Job title.' },
      company_id: { type: 'ref', ref: 'companies', indexed: true, description: 'The company the contact works for.' },
      lifecycle_stage: { type: 'string', maxLength: SHORT, description: 'Lifecycle stage, e.g. `lead`, `customer`.' },
      owner: { type: 'string', maxLength: SHORT, description: 'Owner (user name or id in the CRM).' },
    },
  },
  deals: {
    singular: 'deal',
    fields: {
      name: { type: 'string', maxLength: SHORT, description: 'Deal name.' },
      amount: { type: 'number', min: -1e15, max: 1e15, description: 'Deal value, in `currency`.' },
      currency: { type: 'string', maxLength: 16, description: 'ISO 4217 currency code, e.g. `EUR`.' },
      stage: { type: 'string', maxLength: SHORT, description: 'Pipeline stage.' },
      probability: { type: 'number', min: 0, max: 100, description: 'Chance of winning, 0 to 100.' },
      close_date: { type: 'date', description: 'Expected or actual close date (YYYY-MM-DD).' },
      contact_id: { type: 'ref', ref: 'contacts', indexed: true, description: 'The main contact.' },
      company_id: { type: 'ref', ref: 'companies', indexed: true, description: 'The company.' },
    },
  },
  activities: {
    singular: 'activity',
    fields: {
      type: { type: 'enum', values: ACTIVITY_TYPES, description: 'Kind of communication record.' },
      subject: { type: 'string', maxLength: SHORT, description: 'Subject or title.' },
      body: { type: 'text', maxLength: LONG, description: 'Content: notes, email body, call summary.' },
      occurred_at: { type: 'datetime', indexed: true, description: 'When it happened (ISO-8601).' },
      direction: { type: 'enum', values: ACTIVITY_DIRECTIONS, description: 'Inbound or outbound.' },
      contact_id: { type: 'ref', ref: 'contacts', indexed: true, description: 'The contact involved.' },
      company_id: { type: 'ref', ref: 'companies', indexed: true, description: 'The company involved.' },
      deal_id: { type: 'ref', ref: 'deals', indexed: true, description: 'The deal it belongs to.' },
    },
  },
};

/** Columns every entity row has besides its own fields. */
export const SYSTEM_COLUMNS = ['id', 'custom', 'created_at', 'updated_at', 'deleted_at'] as const;

export function isEntityName(name: string): name is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(name);
}
