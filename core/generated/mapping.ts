// Generated from core/schemas/mapping.schema.json by `npm run types` (scripts/generate-types.ts).
// Do not edit: change the schema and regenerate. A test fails when this file is stale.
/* eslint-disable */

/**
 * A plain dot path (not a template) into a JSON value, e.g. `properties.email`, `email.0.value`; digits index arrays.
 */
export type Path = string;
/**
 * A Handlebars template. A string that is exactly one `{{expression}}` keeps the value's type; any other renders to a string.
 */
export type Template = string;
/**
 * A helper applied to the value: `trim`, `lowercase`, `uppercase`, `number`, `boolean`, `string`, `json` (to JSON text), `date` (to `YYYY-MM-DD`), `iso` (to ISO-8601), `unix` (to epoch seconds), `base64`, `urlencode`, `not`, `split` (on commas), `join` (with commas).
 */
export type Transform =
  | 'trim'
  | 'lowercase'
  | 'uppercase'
  | 'number'
  | 'boolean'
  | 'string'
  | 'json'
  | 'date'
  | 'iso'
  | 'unix'
  | 'base64'
  | 'urlencode'
  | 'not'
  | 'split'
  | 'join';
/**
 * A field: a path string (shorthand for `{ "path": ... }`), or an object with exactly one of `path`, `template`, `value`, `ref`.
 */
export type MappingField = Path | MappingFieldSpec;
/**
 * A payload value: a CRM field name (e.g. `email`, `custom.score`, or `external_id`: the record's id in the API, known for updates and deletes), or an object with exactly one of `field`, `template`, `value`, `ref`.
 */
export type PushField = string | PushFieldSpec;

/**
 * A mapping: how one stream of a connector becomes one CRM entity, and how CRM changes are pushed back. One file per mapping in `mappings/<id>.json`.
 */
export interface MappingDefinition {
  /**
   * Path or URL of this JSON Schema, so editors can autocomplete and check the file, e.g. `../core/schemas/mapping.schema.json`.
   */
  $schema?: string;
  /**
   * The mapping's id: lowercase letters, digits and dashes, equal to the file name without `.json` (e.g. `hubspot-contacts`).
   */
  id: string;
  /**
   * Free text about the mapping.
   */
  description?: string;
  /**
   * Id of the connector to read from (a file in `connectors/`).
   */
  connector: string;
  /**
   * Name of the connector's stream to read, e.g. `contacts`. The stream needs a `primary_key`.
   */
  stream: string;
  /**
   * The CRM entity the records become: `companies`, `contacts`, `deals` or `activities`.
   */
  entity: 'companies' | 'contacts' | 'deals' | 'activities';
  /**
   * The entity's fields, by name, each computed from the source record. Names are the entity's columns, or `custom.<name>` for values kept in the entity's `custom` JSON column.
   */
  fields: {
    [k: string]: MappingField;
  };
  /**
   * Fields a mapped record must have (not missing, null or empty); a record lacking one is rejected and kept with its reason, not written.
   */
  required?: string[];
  /**
   * Besides the external id, merge into an existing CRM record with the same values of these fields (dedupe, e.g. `["email"]`) instead of creating a duplicate.
   */
  match_on?: string[];
  /**
   * What a deletion in the source does: `soft` (default; sets `deleted_at`), `hard` (removes the row) or `ignore`. Full syncs detect deletions by mark-and-sweep, applied only when the whole run succeeds and does not look truncated (see `sweep_min_ratio`).
   */
  deletes?: 'soft' | 'hard' | 'ignore';
  /**
   * A full run applies its deletions (the sweep) only when it read at least this fraction of the records the last successful full run of the same connection and mapping read: a run that read far fewer looks truncated (an API answering short), and sweeping would delete records that still exist. Such a run still succeeds with what it wrote, skips the sweep, and says why in its `warnings`; the count of a run that skipped its sweep does not become the new reference. Default 0.5; 0 always sweeps. When the source really shrank that much, one full run with 0 applies the deletions.
   */
  sweep_min_ratio?: number;
  /**
   * Who wins when a record changed on both sides since they were last in sync: `source_wins` (default), `crm_wins`, or `newest_wins` (the source record's `cursor_field` time against the CRM row's `updated_at`). A pull decides first: it writes source values over a CRM change unless the CRM wins. A push follows that decision: under `source_wins` and `newest_wins`, a CRM change that a later pull overwrote is not pushed (unless it also changed fields the pull does not write); under `crm_wins` every CRM change is pushed. A push only knows the source changes pulled so far: pull before push for them to count.
   */
  conflict?: 'source_wins' | 'crm_wins' | 'newest_wins';
  /**
   * Write CRM changes back to the API through the connector's `actions`: the CRM writes not made by a sync (API, repository), several changes to one record sent as one. A change that a sync itself wrote is never pushed back, and a pushed value is not pulled back as a change.
   */
  push?: MappingPush;
}
/**
 * Where a field's value comes from (exactly one of `path`, `template`, `value`, `ref`), then `transform`, then `map`, then `default` for what is still missing.
 */
export interface MappingFieldSpec {
  /**
   * Dot path in the source record, e.g. `properties.email`.
   */
  path?: Path;
  /**
   * Template over `record` (the source record), `config` and `now`, e.g. `{{concat record.first ' ' record.last}}`.
   */
  template?: Template;
  /**
   * A constant value.
   */
  value?: unknown;
  /**
   * The record holds the external id of another entity's record; it is resolved to that record's CRM id (kept aside until the record arrives, never dropped).
   */
  ref?: MappingRef;
  /**
   * Helpers applied to the value in order, e.g. `["trim", "lowercase"]`.
   */
  transform?: Transform[];
  /**
   * A lookup table applied after `transform`: the value (as text) is replaced by the table's entry; values not in the table become missing (then `default` applies).
   */
  map?: {
    [k: string]: unknown;
  };
  /**
   * The value used when the result is missing (undefined, null or empty text).
   */
  default?: unknown;
}
/**
 * A reference to another entity's record by its external id in the same connection.
 */
export interface MappingRef {
  /**
   * The referenced entity, e.g. `companies`.
   */
  entity: 'companies' | 'contacts' | 'deals' | 'activities';
  /**
   * Dot path in the source record to the referenced record's external id.
   */
  path: Path;
}
/**
 * How CRM changes are written back: which connector action each kind of change calls, and the payload (`record` in the action's templates) built from the CRM row.
 */
export interface MappingPush {
  /**
   * Action called for CRM records not linked to the connection yet, e.g. `upsert_contact`; the id it answers (the action's `external_id`) links them. Without it, new records are not pushed.
   */
  create?: string;
  /**
   * Action called for changed CRM records linked to the connection (skipped when the payload is the one last pushed). Without it, changes to linked records are not pushed.
   */
  update?: string;
  /**
   * Action called for records deleted in the CRM (through the API or the repository, not by a sync) that are linked to the connection; their links are removed. An API answering 404 or 410 counts as done. Without it, deletions are not pushed.
   */
  delete?: string;
  /**
   * The payload, by dot path in the third-party record (e.g. `properties.email`), each from a CRM field.
   */
  fields: {
    [k: string]: PushField;
  };
}
/**
 * Where a payload value comes from (exactly one of `field`, `template`, `value`, `ref`), then `transform`, `map` and `default`.
 */
export interface PushFieldSpec {
  /**
   * A CRM field name, e.g. `email` or `custom.score`; or `external_id`, the record's id in the API (known for updates and deletes).
   */
  field?: string;
  /**
   * Template over `record` (the CRM row, plus `external_id`), `config` and `now`.
   */
  template?: Template;
  /**
   * A constant value.
   */
  value?: unknown;
  /**
   * A reference field of the entity (e.g. `company_id`): the id in the API, on this connection, of the record it points to, read from that record's link. Null when the field is empty; left out of the payload (or `default`) when that record is not linked to the connection yet, so an update never clears it at the API (push the referenced entity first).
   */
  ref?: string;
  /**
   * Helpers applied to the value in order.
   */
  transform?: Transform[];
  /**
   * A lookup table applied after `transform` (keys are the value as text).
   */
  map?: {
    [k: string]: unknown;
  };
  /**
   * The value used when the result is missing.
   */
  default?: unknown;
}
