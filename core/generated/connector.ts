// Generated from core/schemas/connector.schema.json by `npm run types` (scripts/generate-types.ts).
// Do not edit: change the schema and regenerate. A test fails when this file is stale.
/* eslint-disable */

/**
 * A Handlebars template, compiled once when the file loads. A string that is exactly one `{{expression}}` keeps the value's type; any other renders to a string. Which roots (`config`, `state`, `record`, ...) it may use depends on where it stands.
 */
export type Template = string;
/**
 * A plain dot path (not a template) into a JSON value, e.g. `results`, `paging.next.after`, `data.0.id`; digits index arrays; `""` is the value itself.
 */
export type Path = string;
/**
 * A query parameter value: a template, a number, a boolean, or an array of them (the parameter is repeated once per element).
 */
export type QueryValue = string | number | boolean | (string | number | boolean)[];
/**
 * Authentication, chosen by `type`.
 */
export type Auth = AuthNone | AuthApiKey | AuthBasic | AuthBearer | AuthOAuth2;
/**
 * Pagination, chosen by `type`: `none`, `offset`, `page`, `cursor`, `next_url` or `link_header`, each with its own stop rule. An empty page stops `offset` and `page` (and the others only with `stop_on_empty_page`); a short page is not a stop unless `stop_on_short_page` is true; a cursor or URL that repeats ends the run with an error.
 */
export type Pagination =
  PaginationNone | PaginationOffset | PaginationPage | PaginationCursor | PaginationNextUrl | PaginationLinkHeader;
/**
 * Signature check, chosen by `type`: `hmac` or `token`.
 */
export type WebhookSignature = WebhookSignatureHmac | WebhookSignatureToken;

/**
 * A connector definition: how Switchboard talks to one third-party API (authentication, requests, pagination, incremental reads, write actions). One file per API in `connectors/<id>.json`.
 */
export interface ConnectorDefinition {
  /**
   * Path or URL of this JSON Schema, so editors can autocomplete and check the file, e.g. `../core/schemas/connector.schema.json`.
   */
  $schema?: string;
  /**
   * The connector's id: lowercase letters, digits and dashes, equal to the file name without `.json` (e.g. `hubspot`).
   */
  id: string;
  /**
   * Human-readable name shown in the management API, e.g. `HubSpot CRM`.
   */
  name: string;
  /**
   * Version of this definition (semantic versioning, e.g. `1.0.0`); bump it when the definition changes.
   */
  version?: string;
  /**
   * Free text describing the API and anything an admin should know before connecting it.
   */
  description?: string;
  /**
   * JSON Schema of the settings a connection supplies (API keys, subdomains, ...). Templates read them as `config.<name>`. Properties marked `"secret": true` are encrypted at rest, never returned by the API and redacted from logs.
   */
  config_schema?: ConfigSchema;
  /**
   * Template: the URL every request path is joined to, e.g. `https://api.hubapi.com` or `https://{{config.subdomain}}.zendesk.com/api/v2`. Sees `config` only. Its origin (scheme, host, port) is where requests, and so credentials, may go; see `allowed_origins`.
   */
  base_url: Template;
  /**
   * Templates: further origins (`https://host[:port]`; a URL counts by its scheme, host and port only) that requests may go to besides the origin of `base_url` and the one OAuth2 `base_url_from` gives, e.g. `["https://{{config.subdomain}}.zendesk.com"]` when `base_url` points elsewhere, or a download host of an export API. Every request, credentials or not, to any other origin (an absolute next-page URL, a `Link` header, a path that is a full URL) is refused with SB_HTTP_ORIGIN_NOT_ALLOWED before anything is sent, so credentials never leave the API's own hosts. Each sees `config` only; an entry that renders empty is left out. Changing a setting these templates use requires the connection's secrets again.
   */
  allowed_origins?: Template[];
  /**
   * How requests are authenticated; chosen by `type`: `none`, `api_key`, `basic`, `bearer` or `oauth2`. Defaults to `none`. Its templates see `config` and `now`.
   */
  auth?: Auth;
  /**
   * Headers sent with every request (streams, check and actions). Values are templates that see `config` only.
   */
  headers?: RequestHeaders;
  /**
   * The API's request budget per connection, shared by every worker: Switchboard never sends faster than this.
   */
  rate_limit?: RateLimit;
  /**
   * When and how failed requests are retried (statuses, backoff, `Retry-After` and rate-limit headers).
   */
  retry?: Retry;
  /**
   * How long one request attempt may take, in milliseconds, before it is abandoned (and retried, if attempts remain). Default 30000.
   */
  timeout_ms?: number;
  /**
   * A cheap request that proves a connection's credentials work (`switchboard check`, the management API's connection check).
   */
  check?: Check;
  /**
   * The readable collections of the API (contacts, companies, ...), by name. Mappings name a stream to read from.
   */
  streams?: {
    [k: string]: Stream;
  };
  /**
   * Named write requests (create, update, upsert, delete) that mappings' `push` sections call to send CRM changes back to the API.
   */
  actions?: {
    [k: string]: Action;
  };
  /**
   * Inbound webhooks from the API: how their signature is checked and what they carry.
   */
  webhooks?: Webhooks;
}
/**
 * HTTP headers by name; values are templates.
 */
export interface RequestHeaders {
  [k: string]: Template;
}
/**
 * One HTTP request. `path`, `query`, `headers` and every string in `body` are templates.
 */
export interface RequestSpec {
  /**
   * HTTP method. Default `GET`.
   */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * Template: the path joined to `base_url`, e.g. `/crm/v3/objects/contacts` or `/lists/{{config.list_id}}/members`.
   */
  path: Template;
  /**
   * Query parameters by name. String values are templates; numbers and booleans are sent as written.
   */
  query?: {
    [k: string]: QueryValue;
  };
  /**
   * Headers for this request only, added to (and overriding) the connector's `headers`.
   */
  headers?: RequestHeaders;
  /**
   * The request body: any JSON value; every string inside it is a template (a string that is exactly one `{{expression}}` keeps the value's type, so `"{{record.properties}}"` inserts an object).
   */
  body?: unknown;
  /**
   * How `body` is encoded: `json` (default, `application/json`) or `form` (`application/x-www-form-urlencoded`, nested objects as `a[b]=c`, as Stripe expects).
   */
  body_format?: 'json' | 'form';
}
/**
 * No authentication (public APIs, or credentials passed in `headers`).
 */
export interface AuthNone {
  /**
   * No authentication.
   */
  type: 'none';
}
/**
 * An API key sent as a header or a query parameter (e.g. Pipedrive's `x-api-token`, Shopify's `X-Shopify-Access-Token`).
 */
export interface AuthApiKey {
  /**
   * An API key in a header or query parameter.
   */
  type: 'api_key';
  /**
   * Name of the header or query parameter, e.g. `x-api-token`.
   */
  name: string;
  /**
   * Template: the key, e.g. `{{config.api_token}}`.
   */
  value: Template;
  /**
   * Where the key goes: `header` (default) or `query`.
   */
  in?: 'header' | 'query';
}
/**
 * HTTP Basic authentication: `Authorization: Basic base64(username:password)`.
 */
export interface AuthBasic {
  /**
   * HTTP Basic authentication.
   */
  type: 'basic';
  /**
   * Template: the user name, e.g. `{{config.email}}/token`.
   */
  username: Template;
  /**
   * Template: the password or API token. Default empty.
   */
  password?: Template;
}
/**
 * A static bearer token: `Authorization: Bearer <token>`.
 */
export interface AuthBearer {
  /**
   * A static bearer token.
   */
  type: 'bearer';
  /**
   * Template: the token, e.g. `{{config.access_token}}`.
   */
  token: Template;
}
/**
 * OAuth 2.0. Access tokens are fetched from `token_url`, refreshed before they expire and once on a 401; a rotated refresh token is saved before it is used.
 */
export interface AuthOAuth2 {
  /**
   * OAuth 2.0 access tokens.
   */
  type: 'oauth2';
  /**
   * How tokens are obtained: `client_credentials` (server to server), `refresh_token` (a refresh token from the connection's config), or `authorization_code` (an admin authorizes in the browser; needs `authorize_url`).
   */
  grant: 'client_credentials' | 'refresh_token' | 'authorization_code';
  /**
   * Template: the token endpoint, e.g. `https://api.hubapi.com/oauth/v1/token`.
   */
  token_url: Template;
  /**
   * Template: the authorization endpoint the admin's browser is sent to (`authorization_code` grant).
   */
  authorize_url?: Template;
  /**
   * Template: the OAuth client id, e.g. `{{config.client_id}}`.
   */
  client_id?: Template;
  /**
   * Template: the OAuth client secret, e.g. `{{config.client_secret}}` (mark it `secret` in `config_schema`).
   */
  client_secret?: Template;
  /**
   * Scopes to request, e.g. `["crm.objects.contacts.read"]`.
   */
  scopes?: string[];
  /**
   * How `scopes` are joined in the request. Default a space.
   */
  scope_separator?: string;
  /**
   * Template: the initial refresh token (`refresh_token` grant), e.g. `{{config.refresh_token}}`. Rotated tokens replace it in the connection's state.
   */
  refresh_token?: Template;
  /**
   * How the client credentials reach `token_url`: `header` (HTTP Basic, default) or `body` (form fields `client_id` and `client_secret`).
   */
  client_auth?: 'header' | 'body';
  /**
   * Extra form parameters sent to `token_url` (e.g. `audience`); values are templates.
   */
  token_params?: {
    [k: string]: Template;
  };
  /**
   * A path in the token response whose value replaces `base_url`, e.g. `instance_url` for Salesforce.
   */
  base_url_from?: Path;
}
/**
 * A token bucket per connection, shared by every worker (in Redis when BullMQ runs).
 */
export interface RateLimit {
  /**
   * How many requests may start in each window of `per_seconds`.
   */
  requests?: number;
  /**
   * The window length in seconds, e.g. `10` with `requests: 100` for HubSpot.
   */
  per_seconds?: number;
  /**
   * How many requests may be in flight at once (Mailchimp allows 10).
   */
  concurrency?: number;
}
/**
 * Exponential backoff between attempts: `initial_ms * multiplier^(attempt-1)`, capped at `max_ms`, with full jitter.
 */
export interface Backoff {
  /**
   * Delay before the second attempt, in milliseconds. Default 500.
   */
  initial_ms?: number;
  /**
   * The longest delay between attempts, in milliseconds (also caps `Retry-After`). Default 60000.
   */
  max_ms?: number;
  /**
   * Growth factor from one delay to the next. Default 2.
   */
  multiplier?: number;
  /**
   * Randomize each delay between 0 and its computed value, so workers do not retry in lockstep. Default true.
   */
  jitter?: boolean;
}
/**
 * Response headers that announce the remaining budget; when it reaches zero, requests wait until the reset.
 */
export interface RateLimitHeaders {
  /**
   * Header carrying the window's request limit, e.g. `X-HubSpot-RateLimit-Max`.
   */
  limit?: string;
  /**
   * Header carrying the requests left in the window, e.g. `x-ratelimit-remaining`.
   */
  remaining?: string;
  /**
   * Header saying when the window resets, e.g. `x-ratelimit-reset`.
   */
  reset?: string;
  /**
   * What `reset` holds: a delay in `seconds` (default) or `milliseconds`, or an epoch time in `unix` seconds or `unix_ms` milliseconds.
   */
  reset_unit?: 'seconds' | 'milliseconds' | 'unix' | 'unix_ms';
}
/**
 * Retries of failed requests. Network errors and timeouts are retried like the statuses in `on_status`.
 */
export interface Retry {
  /**
   * Attempts in all, the first included. Default 5.
   */
  max_attempts?: number;
  /**
   * HTTP statuses that are retried. Default `[429, 500, 502, 503, 504]`.
   */
  on_status?: number[];
  /**
   * Delays between attempts.
   */
  backoff?: Backoff;
  /**
   * Header holding how long to wait before retrying (seconds, possibly fractional, or an HTTP date). Default `Retry-After`.
   */
  retry_after_header?: string;
  /**
   * Headers announcing the remaining request budget, to slow down before a 429.
   */
  rate_limit_headers?: RateLimitHeaders;
}
/**
 * A request that proves the credentials; any 2xx answer is success.
 */
export interface Check {
  /**
   * The request to send. Its templates see `config` and `now`.
   */
  request: RequestSpec;
}
/**
 * A readable collection: the request that lists it, where its records are in each page, and how to page and read incrementally.
 */
export interface Stream {
  /**
   * Free text about the stream.
   */
  description?: string;
  /**
   * The list request of a full read. Its templates see `config`, `state`, `page`, `last_record`, `response` and `now`.
   */
  request: RequestSpec;
  /**
   * Dot path to the array of records in the response body: `results`, `data.items`, or `""` when the body is the array. A page whose value there is missing, null or not an array is an invalid response: it is retried like a 5xx, then fails the run (never read as an empty page, so a full run never sweeps because of it); see `missing_records`.
   */
  records: Path;
  /**
   * What a page whose records are missing (no value at `records`, or null) means: `invalid` (default) an invalid response, retried then failing the run; `empty_page` an empty page, for APIs that document answering an empty list that way. Any other non-array value is always invalid. An empty page then stops the read only where the pagination's stop rule says so.
   */
  missing_records?: 'invalid' | 'empty_page';
  /**
   * Dot path to the record's unique id in the API, e.g. `id`. Required when a mapping reads the stream.
   */
  primary_key?: Path;
  /**
   * How to fetch the next page, and when to stop. Default `{ "type": "none" }` (one request).
   */
  pagination?: Pagination;
  /**
   * How to read only what changed since the last run. Without it, every run reads the whole stream.
   */
  incremental?: Incremental;
  /**
   * How a record says it was deleted (e.g. HubSpot's `archived: true`).
   */
  deleted?: Deleted;
}
/**
 * One request returns everything.
 */
export interface PaginationNone {
  /**
   * No pagination.
   */
  type: 'none';
}
/**
 * Offset and limit parameters (Pipedrive v1 `start`/`limit`, Mailchimp `offset`/`count`). Stops when `has_more_path` is false, when `done_path` is true, when the offset reaches the value at `total_path`, on an empty page, or after `max_pages`.
 */
export interface PaginationOffset {
  /**
   * Offset and limit parameters.
   */
  type: 'offset';
  /**
   * Records asked for per page; the offset grows by this much.
   */
  limit: number;
  /**
   * Name of the page-size parameter. Default `limit`.
   */
  limit_param?: string;
  /**
   * Name of the offset parameter. Default `offset`.
   */
  offset_param?: string;
  /**
   * The first offset. Default 0.
   */
  start?: number;
  /**
   * Where the parameters go: `query` (default) or `body` (a dot path in the JSON body).
   */
  in?: 'query' | 'body';
  /**
   * Body path to a flag that is false on the last page, e.g. `additional_data.pagination.more_items_in_collection`.
   */
  has_more_path?: Path;
  /**
   * Body path to a flag that is true on the last page.
   */
  done_path?: Path;
  /**
   * Body path to the total number of records, e.g. `total_items`; stops when the next offset reaches it.
   */
  total_path?: Path;
  /**
   * Stop when a page holds fewer than `limit` records. Default false (only safe when the API never returns short pages early).
   */
  stop_on_short_page?: boolean;
  /**
   * Stop after this many pages in one run.
   */
  max_pages?: number;
}
/**
 * Page number parameters. Stops when `has_more_path` is false, when `done_path` is true, when the records read reach `total_path` (or the page number reaches `total_pages_path`), on an empty page, or after `max_pages`.
 */
export interface PaginationPage {
  /**
   * Page number parameters.
   */
  type: 'page';
  /**
   * Records asked for per page (sent as `size_param` when that is set).
   */
  size?: number;
  /**
   * Name of the page-size parameter, e.g. `per_page`.
   */
  size_param?: string;
  /**
   * Name of the page number parameter. Default `page`.
   */
  page_param?: string;
  /**
   * The first page number. Default 1.
   */
  start?: number;
  /**
   * Where the parameters go: `query` (default) or `body`.
   */
  in?: 'query' | 'body';
  /**
   * Body path to a flag that is false on the last page.
   */
  has_more_path?: Path;
  /**
   * Body path to a flag that is true on the last page.
   */
  done_path?: Path;
  /**
   * Body path to the total number of records.
   */
  total_path?: Path;
  /**
   * Body path to the total number of pages.
   */
  total_pages_path?: Path;
  /**
   * Stop when a page holds fewer than `size` records. Default false.
   */
  stop_on_short_page?: boolean;
  /**
   * Stop after this many pages in one run.
   */
  max_pages?: number;
}
/**
 * An opaque cursor from each page is sent back to get the next. Give `cursor_path` (in the body) or `cursor_from_last_record`. Stops when the cursor is missing, null or empty, when `has_more_path` is false, when `done_path` is true, after `max_pages`, or (with `stop_on_empty_page`) on an empty page.
 */
export interface PaginationCursor {
  /**
   * Cursor pagination.
   */
  type: 'cursor';
  /**
   * Body path to the next cursor, e.g. `paging.next.after` (HubSpot) or `meta.after_cursor` (Zendesk).
   */
  cursor_path?: Path;
  /**
   * Path in the page's last record whose value is the next cursor, e.g. `id` for Stripe's `starting_after`.
   */
  cursor_from_last_record?: Path;
  /**
   * Name of the parameter the cursor is sent as, e.g. `after`, `starting_after`, `page[after]` (a dot path when `in` is `body`).
   */
  cursor_param: string;
  /**
   * Where the cursor goes: `query` (default) or `body` (HubSpot search).
   */
  in?: 'query' | 'body';
  /**
   * Body path to a flag that is false on the last page, e.g. `has_more` (Stripe), `meta.has_more` (Zendesk).
   */
  has_more_path?: Path;
  /**
   * Body path to a flag that is true on the last page, e.g. `end_of_stream` (Zendesk export).
   */
  done_path?: Path;
  /**
   * Stop on a page with no records even though it names a next page. Default false: an empty page is read past, as the API says there is more (for APIs that end their lists with an empty page and a cursor that goes on).
   */
  stop_on_empty_page?: boolean;
  /**
   * Stop after this many pages in one run.
   */
  max_pages?: number;
}
/**
 * The body holds the URL of the next page (Salesforce `nextRecordsUrl`). It is requested exactly as given; relative URLs resolve against `base_url`. Stops when it is missing, when `done_path` is true, when `has_more_path` is false, after `max_pages`, or (with `stop_on_empty_page`) on an empty page.
 */
export interface PaginationNextUrl {
  /**
   * Next-page URL in the body.
   */
  type: 'next_url';
  /**
   * Body path to the next URL, e.g. `nextRecordsUrl`.
   */
  url_path: Path;
  /**
   * Body path to a flag that is false on the last page.
   */
  has_more_path?: Path;
  /**
   * Body path to a flag that is true on the last page, e.g. `done` (Salesforce).
   */
  done_path?: Path;
  /**
   * Stop on a page with no records even though it names a next page. Default false: an empty page is read past, as the API says there is more (for APIs that end their lists with an empty page and a cursor that goes on).
   */
  stop_on_empty_page?: boolean;
  /**
   * Stop after this many pages in one run.
   */
  max_pages?: number;
}
/**
 * The `Link` response header holds the next URL (Shopify). It is requested exactly as given. Stops when the header has no such `rel`, when `done_path` is true, when `has_more_path` is false, after `max_pages`, or (with `stop_on_empty_page`) on an empty page.
 */
export interface PaginationLinkHeader {
  /**
   * Next-page URL in the `Link` header.
   */
  type: 'link_header';
  /**
   * The link relation to follow. Default `next`.
   */
  rel?: string;
  /**
   * Body path to a flag that is false on the last page.
   */
  has_more_path?: Path;
  /**
   * Body path to a flag that is true on the last page.
   */
  done_path?: Path;
  /**
   * Stop on a page with no records even though it names a next page. Default false: an empty page is read past, as the API says there is more (for APIs that end their lists with an empty page and a cursor that goes on).
   */
  stop_on_empty_page?: boolean;
  /**
   * Stop after this many pages in one run.
   */
  max_pages?: number;
}
/**
 * Incremental reads. `state.cursor` is the greatest `cursor_field` among records already committed. Either `param` (+ `in`, `format`) adds it to the stream's request, or `request`/`pagination` replace the stream's for incremental runs.
 */
export interface Incremental {
  /**
   * Path in each record to a value that grows whenever the record changes, e.g. `updatedAt`, `update_time`, `properties.lastmodifieddate`.
   */
  cursor_field: Path;
  /**
   * Read again this many seconds before `state.cursor`, to catch records committed late by the API. Default 0.
   */
  lookback_seconds?: number;
  /**
   * Template: the cursor of the first incremental run, e.g. `2020-01-01T00:00:00Z`. Sees `config` and `now`. Without it, the first run reads everything.
   */
  start?: Template;
  /**
   * Name of the parameter that carries `state.cursor` in the stream's request, e.g. `updated_since` (a dot path when `in` is `body`).
   */
  param?: string;
  /**
   * Where `param` goes: `query` (default) or `body`.
   */
  in?: 'query' | 'body';
  /**
   * How `param`'s value is written: `iso8601` (default), `unix` (seconds), `unix_ms` (milliseconds) or `date` (`YYYY-MM-DD`).
   */
  format?: 'iso8601' | 'unix' | 'unix_ms' | 'date';
  /**
   * A request that replaces the stream's for incremental runs (e.g. HubSpot's search), using `{{state.cursor}}` itself.
   */
  request?: RequestSpec;
  /**
   * Pagination that replaces the stream's for incremental runs.
   */
  pagination?: Pagination;
  /**
   * After reading this many records, commit and start the incremental request again from the new `state.cursor` (HubSpot's search refuses to page past 10,000 results).
   */
  restart_after_records?: number;
}
/**
 * Records that say they were deleted are deleted in the CRM (per the mapping's `deletes`).
 */
export interface Deleted {
  /**
   * Path in the record to the deletion marker, e.g. `archived` or `status`.
   */
  path: Path;
  /**
   * The marker's value for a deleted record, e.g. `true` or `"deleted"`. Default `true`.
   */
  equals?: unknown;
}
/**
 * A named write request. Its templates see `record` (the payload built by a mapping's `push.fields`), `config` and `now`.
 */
export interface Action {
  /**
   * Free text about the action.
   */
  description?: string;
  /**
   * The write request, e.g. `POST /crm/v3/objects/contacts` with a body built from `record`.
   */
  request: RequestSpec;
  /**
   * Body path to the id the API gave the record, e.g. `id` or `results.0.id`; with `batch`, a path inside each element of `batch.results`.
   */
  external_id?: Path;
  /**
   * Send many records per request (HubSpot batch endpoints take up to 100 inputs).
   */
  batch?: ActionBatch;
  /**
   * Send an idempotency key with each request (Stripe's `Idempotency-Key`), so that a request delivered again after a failure or a crash is applied once.
   */
  idempotency?: ActionIdempotency;
}
/**
 * The key is made by the push runner from the connection, the mapping and the ids of the CRM changes the request delivers, and is saved before the request is sent: a request sent again (a retry, or a run resumed after a crash) carries the same key and the same body, and a new delivery of the same record a new key.
 */
export interface ActionIdempotency {
  /**
   * The header that carries the key, e.g. `Idempotency-Key`.
   */
  header: string;
}
/**
 * Batching: the array at `items` in the request body holds one element, a template rendered once per record; up to `size` rendered elements are sent in one request.
 */
export interface ActionBatch {
  /**
   * Most records per request, e.g. 100 for HubSpot.
   */
  size: number;
  /**
   * Path in `request.body` to the array whose single element is the per-record template, e.g. `inputs`.
   */
  items: Path;
  /**
   * Response body path to the per-record results, e.g. `results`; `external_id` is read from each element. Without it, no ids are read.
   */
  results?: Path;
  /**
   * How results are paired with records when the API may reorder them. Without it, they are paired by position.
   */
  match?: ActionBatchMatch;
}
/**
 * Pairs each result with the record whose value at `record` equals the result's value at `result`.
 */
export interface ActionBatchMatch {
  /**
   * Path in each result element, e.g. `properties.email`.
   */
  result: Path;
  /**
   * Path in each pushed record (the `push.fields` payload), e.g. `properties.email`.
   */
  record: Path;
}
/**
 * Inbound webhooks. A delivery with a valid signature either carries records (`records` and `stream`), which are ingested at once, or, without `records`, asks for an incremental run of the connection's mappings.
 */
export interface Webhooks {
  /**
   * How deliveries prove they come from the API. Without it, deliveries are not verified (not recommended).
   */
  signature?: WebhookSignature;
  /**
   * The stream whose mappings receive the delivered records.
   */
  stream?: string;
  /**
   * Path in the delivered body to the array of records (`""` when the body is the array).
   */
  records?: Path;
}
/**
 * An HMAC of the raw request body, compared in constant time with a header.
 */
export interface WebhookSignatureHmac {
  /**
   * HMAC signature of the raw body.
   */
  type: 'hmac';
  /**
   * Header carrying the signature, e.g. `X-Hub-Signature-256`.
   */
  header: string;
  /**
   * Hash function. Default `sha256`.
   */
  algorithm?: 'sha256' | 'sha1' | 'sha512';
  /**
   * Template: the shared secret, e.g. `{{config.webhook_secret}}`. Sees `config` only.
   */
  secret: Template;
  /**
   * How the header encodes the digest: `hex` (default) or `base64`.
   */
  encoding?: 'hex' | 'base64';
  /**
   * Text before the digest in the header, e.g. `sha256=`.
   */
  prefix?: string;
}
/**
 * A shared token in a header, compared in constant time.
 */
export interface WebhookSignatureToken {
  /**
   * Shared token in a header.
   */
  type: 'token';
  /**
   * Header carrying the token.
   */
  header: string;
  /**
   * Template: the expected token, e.g. `{{config.webhook_token}}`. Sees `config` only.
   */
  value: Template;
}
/**
 * A JSON Schema (object) for a connection's settings. Any JSON Schema keyword may be used; properties may add `"secret": true`.
 */
export interface ConfigSchema {
  /**
   * Always `object`.
   */
  type: 'object';
  /**
   * Settings a connection must supply.
   */
  required?: string[];
  /**
   * The settings, by name.
   */
  properties?: {
    [k: string]: ConfigProperty;
  };
  [k: string]: unknown;
}
/**
 * A JSON Schema for one setting, plus `secret`.
 */
export interface ConfigProperty {
  /**
   * The JSON type of the setting, e.g. `string`.
   */
  type?: unknown;
  /**
   * What the setting is, shown to admins.
   */
  description?: string;
  /**
   * Encrypt the value at rest, never return it from the API, redact it from logs.
   */
  secret?: boolean;
  [k: string]: unknown;
}
