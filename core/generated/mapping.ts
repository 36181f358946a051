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
 * A step applied to the value: a helper name (`"trim"`), or an object naming one helper with its argument (`{ "divide": 100 }`; an array gives several arguments: `{ "replace": ["http://", ""] }`).
 */
export type Transform = TransformName | TransformWithArgument;
/**
 * A helper applied to the value: `trim`, `lowercase`, `uppercase`, `number`, `boolean`, `string`, `json` (to JSON text), `date` (to `YYYY-MM-DD`), `iso` (to ISO-8601), `unix` (to epoch seconds), `base64`, `urlencode`, `not`, `split` (on commas), `join` (with commas), `abs`, `floor`, `ceil`, `round` (to an integer), `first` and `last` (of an array), `length` (of an array or text), `domain` (of a URL or an email address: `https://www.acme.com/x` and `jo@acme.com` give `acme.com`), `compact` (an array without its missing and empty entries).
 */
export type TransformName =
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
  | 'join'
  | 'abs'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'first'
  | 'last'
  | 'length'
  | 'domain'
  | 'compact';
/**
 * A field: a path string (shorthand for `{ "path": ... }`), or an object with exactly one of `path`, `template`, `value`, `ref`.
 */
export type MappingField = Path | MappingFieldSpec;
/**
 * Which record a path reads: `record` (the stream's record, the default), `parent` (the immediate parent record of a child stream) or `parents.<stream>` (the record of that ancestor stream, the parent included).
 */
export type From = string;
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
   * Who wins when a record changed on both sides since they were last in sync: `source_wins` (default), `crm_wins`, or `newest_wins` (the source record's modification time, `modified_at` or else the stream's `cursor_field`, against the CRM row's `updated_at`). A pull decides first: it writes source values over a CRM change unless the CRM wins. A push follows that decision: under `source_wins` and `newest_wins`, a CRM change that a later pull overwrote is not pushed (unless it also changed fields the pull does not write); under `crm_wins` every CRM change is pushed. A push only knows the source changes pulled so far: pull before push for them to count.
   */
  conflict?: 'source_wins' | 'crm_wins' | 'newest_wins';
  /**
   * Path in the source record to its own modification time (ISO-8601, or epoch seconds or milliseconds), e.g. `updated` or `properties.hs_lastmodifieddate`: what `conflict: newest_wins` weighs against the CRM row's `updated_at`. Default: the stream's `incremental.cursor_field`. Needed when that cursor is not a time (a sequence number, an opaque id) or the stream has none.
   */
  modified_at?: Path;
  /**
   * Write CRM changes back to the API through the connector's `actions`: the CRM writes not made by a sync (API, repository), several changes to one record sent as one. A change that a sync itself wrote is never pushed back, and a pushed value is not pulled back as a change.
   */
  push?: MappingPush;
}
/**
 * One helper with its argument: `{ "divide": 100 }` (cents to units), `{ "multiply": 0.01 }` (percent to fraction), `{ "add": 1 }`, `{ "subtract": 1 }`, `{ "round": 2 }` (decimals), `{ "before": "@" }` and `{ "after": " " }` (the text before or after the first separator; `before` gives the whole text and `after` nothing when it is absent), `{ "replace": ["http://", ""] }`, `{ "split": " " }`, `{ "join": ", " }`, `{ "date": "YYYY-MM" }` (format).
 */
export interface TransformWithArgument {
  /**
   * The argument of `add`; an array gives several.
   */
  add?: unknown;
  /**
   * The argument of `subtract`; an array gives several.
   */
  subtract?: unknown;
  /**
   * The argument of `multiply`; an array gives several.
   */
  multiply?: unknown;
  /**
   * The argument of `divide`; an array gives several.
   */
  divide?: unknown;
  /**
   * The argument of `round`; an array gives several.
   */
  round?: unknown;
  /**
   * The argument of `before`; an array gives several.
   */
  before?: unknown;
  /**
   * The argument of `after`; an array gives several.
   */
  after?: unknown;
  /**
   * The argument of `replace`; an array gives several.
   */
  replace?: unknown;
  /**
   * The argument of `split`; an array gives several.
   */
  split?: unknown;
  /**
   * The argument of `join`; an array gives several.
   */
  join?: unknown;
  /**
   * The argument of `date`; an array gives several.
   */
  date?: unknown;
}
/**
 * Where a field's value comes from (exactly one of `path`, `template`, `value`, `ref`, `cases`), then `transform`, then `map`, then `default` for what is still missing.
 */
export interface MappingFieldSpec {
  /**
   * Dot path in the source record, e.g. `properties.email`; with `from`, in the parent record.
   */
  path?: Path;
  /**
   * Which record `path` reads: `record` (default), `parent` (the parent record of a child stream, e.g. the contact of a note: `{ "path": "id", "from": "parent" }`) or `parents.<stream>` (any ancestor).
   */
  from?: From;
  /**
   * Template over `record` (the source record), `config` and `now`, and in a child stream `parent` and `parents`, e.g. `{{concat record.first ' ' record.last}}`.
   */
  template?: Template;
  /**
   * The value of the first case whose `when` holds (none: missing, then `default`), e.g. a stage from two flags: `[{ "when": { "path": "won" }, "value": "closed_won" }, { "when": { "path": "lost" }, "value": "closed_lost" }]`.
   *
   * @minItems 1
   */
  cases?: [MappingCase, ...MappingCase[]];
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
 * One case of `cases`: when `when` holds, the value is `value`, or read at `path` (with `from`), or rendered by `template`.
 */
export interface MappingCase {
  /**
   * The condition, e.g. `{ "path": "status", "in": ["won", "closed"] }`.
   */
  when: Condition;
  /**
   * A constant value.
   */
  value?: unknown;
  /**
   * Dot path in the source record.
   */
  path?: Path;
  /**
   * Which record `path` reads (default `record`).
   */
  from?: From;
  /**
   * Template over `record`, `config`, `now` (and `parent`, `parents`).
   */
  template?: Template;
}
/**
 * A condition on a record: a leaf (`path` and at most one operator) or a combination (`all`, `any`, `not`). Used by a stream's `filter` and `deleted`, and by mapping `cases`. A leaf with `path` alone tests `equals: true`. Paths may pick array entries by a condition, e.g. `to[type=contact].id`.
 */
export interface Condition {
  /**
   * The value tested: a dot path in the record (or in the record `from` names).
   */
  path?: Path;
  /**
   * Which record `path` reads: `record` (default), `parent` (a child stream's parent) or `parents.<stream>` (any ancestor).
   */
  from?: From;
  /**
   * Holds when the value equals this JSON value (`true`, `"deleted"`, `0`).
   */
  equals?: unknown;
  /**
   * Holds when the value is not this JSON value (a missing value is not equal).
   */
  not_equals?: unknown;
  /**
   * Holds when the value is one of these, e.g. `["deleted", "archived"]`.
   *
   * @minItems 1
   */
  in?: [unknown, ...unknown[]];
  /**
   * Holds when the value is none of these (a missing value is none of them).
   *
   * @minItems 1
   */
  not_in?: [unknown, ...unknown[]];
  /**
   * `true`: the value is present and not null (`deleted_at` is set); `false`: it is missing or null.
   */
  exists?: boolean;
  /**
   * `true`: the value is missing, null, `""`, `[]` or `{}`; `false`: it is not.
   */
  empty?: boolean;
  /**
   * Holds when the value, as text, starts with this.
   */
  starts_with?: string;
  /**
   * Holds when the value, as text, ends with this, e.g. `.deleted` for event types.
   */
  ends_with?: string;
  /**
   * Holds when the value, as text, contains this text, or when the value is an array holding this value.
   */
  contains?: unknown;
  /**
   * Holds when the value is greater: numbers (and numeric text) as numbers, date-times as times, other text as text. A missing value is never greater nor less.
   */
  gt?: number | string;
  /**
   * Greater or equal (compared as for `gt`).
   */
  gte?: number | string;
  /**
   * Less (compared as for `gt`).
   */
  lt?: number | string;
  /**
   * Less or equal (compared as for `gt`).
   */
  lte?: number | string;
  /**
   * Holds when every condition holds.
   *
   * @minItems 1
   */
  all?: [Condition, ...Condition[]];
  /**
   * Holds when at least one condition holds.
   *
   * @minItems 1
   */
  any?: [Condition, ...Condition[]];
  /**
   * Holds when this condition does not.
   */
  not?: Condition;
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
  /**
   * Which record `path` reads: `record` (default), `parent` (a note's contact is its parent: `{ "entity": "contacts", "path": "id", "from": "parent" }`) or `parents.<stream>`.
   */
  from?: From;
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
