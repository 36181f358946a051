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
 * How many units may start back to back after an idle spell, at most `requests`. Default 1: requests start evenly spaced, `per_seconds / requests` apart (plus the margin). A larger burst suits long windows with few requests (Zendesk's 10 exports a minute); every window still holds at most `requests` units.
 */
export type RateLimitBurst = number;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * Which record a path reads: `record` (the stream's record, the default), `parent` (the immediate parent record of a child stream) or `parents.<stream>` (the record of that ancestor stream, the parent included).
 */
export type From = string;
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
   * Idempotency keys for every action whose method the API honours them for (Stripe: `{"header": "Idempotency-Key", "methods": ["POST"]}`). An action's own `idempotency` replaces it.
   */
  idempotency?: ActionIdempotency;
  /**
   * How the API's GraphQL answers speak of throttling and cost, for the requests that carry `graphql`: error codes that mean "try again later", and where each answer says what the query cost and what is left of the API's cost bucket, so requests wait before the bucket runs dry.
   */
  graphql?: GraphqlSettings;
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
  /**
   * Makes this a GraphQL request: a POST whose JSON body is `{"query", "variables", "operationName"}`, in place of `body`. Errors in a 2xx answer (`errors`) are errors of the request; see the connector's `graphql` for throttling. Pagination parameters go into the variables with `"in": "body"` and a `cursor_param` of `variables.<name>`.
   */
  graphql?: GraphqlRequest;
}
/**
 * A GraphQL operation and its variables.
 */
export interface GraphqlRequest {
  /**
   * The GraphQL document, as one string or as an array of lines (joined with line breaks). Not a template: values go in `variables`. It is parsed when the file loads: a syntax error, an undeclared variable or a path that the document does not select is reported at its line and column.
   */
  query: string | [string, ...string[]];
  /**
   * The operation's variables by name; every string inside is a template (a string that is exactly one `{{expression}}` keeps the value's type, so `"{{record.input}}"` inserts an object). Each must be declared by the operation (`$name`).
   */
  variables?: {};
  /**
   * Which operation of the document to run, when it holds several; sent as `operationName`.
   */
  operation_name?: string;
}
/**
 * What the connector's GraphQL answers say about throttling and cost.
 */
export interface GraphqlSettings {
  /**
   * Error codes (at `code_path` in each entry of `errors`) that mean the request was not run and may be sent again later, e.g. Shopify's `THROTTLED`. Such an answer is retried like a 429, after the wait the cost says (else the backoff); any other error fails the request with SB_GRAPHQL_ERROR. Default `["THROTTLED"]`.
   */
  retry_codes?: string[];
  /**
   * Path in each entry of `errors` to its code. Default `extensions.code`.
   */
  code_path?: Path;
  /**
   * Where each answer reports its cost and the API's cost bucket (Shopify's `extensions.cost`): requests wait while the bucket holds less than a request costs.
   */
  cost?: GraphqlCost;
}
/**
 * Body paths of a cost-based limit (a leaky bucket of points): after each answer, while fewer points are available than the last request of that endpoint asked for (times the requests that may be in flight, `rate_limit.concurrency`), every request of the connection waits until enough points are restored. A throttled answer waits `(requested - available) / restore_rate` seconds.
 */
export interface GraphqlCost {
  /**
   * The points the query asked for, e.g. `extensions.cost.requestedQueryCost`.
   */
  requested: Path;
  /**
   * The points left in the bucket, e.g. `extensions.cost.throttleStatus.currentlyAvailable`.
   */
  available: Path;
  /**
   * Points restored per second, e.g. `extensions.cost.throttleStatus.restoreRate`.
   */
  restore_rate: Path;
  /**
   * The bucket's size, e.g. `extensions.cost.throttleStatus.maximumAvailable` (a request never waits for more than this).
   */
  maximum?: Path;
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
 * The connection's request budgets, shared by every worker (in Redis when BullMQ runs, in memory otherwise): the units of the requests started in any window of `per_seconds` never add up to more than `requests`, for the connection-wide budget and for each of `budgets`. A request takes units from the connection-wide budget and from every budget in `budgets` that matches it, all at once.
 */
export interface RateLimit {
  /**
   * How many requests may start in any window of `per_seconds` (a sliding window, not a token bucket: never more, whenever the window starts).
   */
  requests?: number;
  /**
   * The window length in seconds, fractions allowed (`0.125` paces one request per eighth of a second), e.g. `10` with `requests: 100` for HubSpot.
   */
  per_seconds?: number;
  /**
   * How many requests may be in flight at once (Mailchimp allows 10).
   */
  concurrency?: number;
  /**
   * Units of the connection-wide budget that may start back to back after an idle spell. Default 1 (evenly spaced).
   */
  burst?: RateLimitBurst;
  /**
   * Budgets of their own for some endpoints, inside the connection-wide one (HubSpot's search endpoints: 5 per second; Zendesk's incremental exports: 10 per minute).
   */
  budgets?: RateLimitBudget[];
}
/**
 * A budget of `requests` units in any window of `per_seconds`, taken by the requests that match one of its `match` rules (every request when it has none).
 */
export interface RateLimitBudget {
  /**
   * The budget's name, unique in the connector, e.g. `search`; runs report their waits under it.
   */
  name: string;
  /**
   * Units admitted in any window of `per_seconds`.
   */
  requests: number;
  /**
   * The window length in seconds, fractions allowed.
   */
  per_seconds: number;
  /**
   * Units of this budget that may start back to back after an idle spell. Default 1 (evenly spaced).
   */
  burst?: RateLimitBurst;
  /**
   * Which requests take units from this budget: the first rule a request matches gives its weight. Without it, every request, weight 1.
   *
   * @minItems 1
   */
  match?: [RateLimitMatch, ...RateLimitMatch[]];
}
/**
 * Requests with one of these methods whose path matches the pattern. Both are optional: a rule without `method` matches every method, without `path` every path.
 */
export interface RateLimitMatch {
  /**
   * An HTTP method, or a list of them, e.g. `POST` or `["GET", "HEAD"]`.
   */
  method?: HttpMethod | [HttpMethod, ...HttpMethod[]];
  /**
   * A pattern of the request's path relative to `base_url` (as written in `request.path`, without the query): `*` stands for one path segment or part of one, `**` for any number of segments, e.g. `/crm/v3/objects/* /search` or `/incremental/**`.
   */
  path?: string;
  /**
   * Units a matching request takes from the budget (APIs that charge some endpoints more than others). Default 1; at most the budget's `requests`.
   */
  weight?: number;
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
 * Response headers that announce the API's own count, so requests slow down before a 429. When `remaining` reaches zero, every request of the connection (on every worker) waits until `reset`; a 429 without `Retry-After` waits until `reset` too. With `call_limit`, requests wait while the API's bucket is nearly full.
 */
export interface RateLimitHeaders {
  /**
   * Header carrying the window's request limit, e.g. `X-HubSpot-RateLimit-Max` (informative).
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
   * What `reset` holds: a delay in `seconds` or `milliseconds`, an epoch time in `unix` seconds or `unix_ms` milliseconds, or `auto` (default): epoch milliseconds above 10^12, epoch seconds above 10^9, else a delay in seconds.
   */
  reset_unit?: 'auto' | 'seconds' | 'milliseconds' | 'unix' | 'unix_ms';
  /**
   * Header carrying the API's bucket as `used/size`, e.g. Shopify's `X-Shopify-Shop-Api-Call-Limit: 32/40`. When fewer units are free than the connection's `concurrency` (1 without it), requests wait until enough have leaked out.
   */
  call_limit?: string;
  /**
   * How fast the `call_limit` bucket empties, in units per second (Shopify: 2, Plus stores 20). Default: the connection-wide `rate_limit`'s rate, else 1.
   */
  leak_per_second?: number;
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
   * The list request of a full read. Its templates see `config`, `state`, `page`, `last_record`, `response` and `now`; in a child stream also `parent` (the parent record) and `parents` (every ancestor record by stream name), e.g. `/contacts/{{parent.id}}/notes`.
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
   * Makes this a child stream: its request runs once per record of another stream of this connector (per-contact notes, per-list members, per-ticket comments), with that record as `parent` in the templates.
   */
  parent?: StreamParent;
  /**
   * Follow-up requests made after each page is read, in order, whose results are merged into the records before they are filtered and mapped (HubSpot's associations batch read, per-record detail endpoints). A failed follow-up fails the page: records are never written without their enrichment.
   *
   * @minItems 1
   */
  enrich?: [Enrich, ...Enrich[]];
  /**
   * Keeps only the records for which this condition holds; the others are skipped (counted as `skipped`, never mapped nor written; a full run's sweep treats them as gone). Applied after `enrich`.
   */
  filter?: Condition;
  /**
   * When a record says it was deleted, as a condition: `{ "path": "archived", "equals": true }` (HubSpot), `{ "path": "deleted_at", "exists": true }`, `{ "path": "status", "in": ["deleted", "archived"] }`. Such records are deleted in the CRM (per the mapping's `deletes`). `{ "path": "archived" }` alone means `equals: true`.
   */
  deleted?: Condition;
  /**
   * Reads the stream through an asynchronous bulk job (Salesforce Bulk API 2.0 query jobs): create the job, poll it until it is done, then download its results (CSV or JSON lines) page by page, each page streamed and parsed as it arrives. Runs of the modes in `bulk.modes` (default full runs) read this way; the others read `request` (or `incremental`) as usual.
   */
  bulk?: BulkJob;
}
/**
 * An asynchronous bulk job: `create` starts it, `poll` asks how it stands until its state is one of `done` (or `failed`), `download` reads its results. The job's id is in the run's checkpoint from the moment it is created: a killed run resumes with the same job while it lives, and creates a new one when the job is gone (`gone_status`) or failed. The requests of `poll`, `download` and `delete` see the job as `job` (the answer of `create`, then of each poll) in their templates.
 */
export interface BulkJob {
  /**
   * The runs that read through the job: `full` (default), `incremental` (its templates then see `state.cursor`), or both.
   *
   * @minItems 1
   */
  modes?: ['full' | 'incremental', ...('full' | 'incremental')[]];
  /**
   * The request that creates the job, e.g. `POST /services/data/v60.0/jobs/query` with `{"operation": "queryAll", "query": "SELECT ..."}`.
   */
  create: BulkCreate;
  /**
   * How the job's state is asked for, and which states end the wait.
   */
  poll: BulkPoll;
  /**
   * How the results are read: the request, the format, and the pages.
   */
  download: BulkDownload;
  /**
   * A request made once every result is committed, to free the job at the API (Salesforce: `DELETE .../jobs/query/{{job.id}}`). A failure of it does not fail the run.
   */
  delete?: RequestSpec;
  /**
   * Statuses of `poll` and `download` that mean the job no longer exists (expired, deleted): the job is created again and its results read from the start. Default `[404]`.
   */
  gone_status?: number[];
}
export interface BulkCreate {
  /**
   * The request that creates the job. Its templates see `config`, `state` and `now`.
   */
  request: RequestSpec;
  /**
   * Path in the answer to the job's id. Default `id`.
   */
  id?: Path;
}
export interface BulkPoll {
  /**
   * The request that tells how the job stands, e.g. `GET .../jobs/query/{{job.id}}`.
   */
  request: RequestSpec;
  /**
   * Path in the answer to the job's state, e.g. `state`.
   */
  state: Path;
  /**
   * States in which the results can be read, e.g. `["JobComplete"]`.
   *
   * @minItems 1
   */
  done: [string, ...string[]];
  /**
   * States in which the job will never complete, e.g. `["Failed", "Aborted"]`: the run fails with SB_BULK_JOB_FAILED and the job's `error`; a run that resumes with such a job creates a new one.
   */
  failed?: string[];
  /**
   * Path in the answer to the job's error message, e.g. `errorMessage`.
   */
  error?: Path;
  /**
   * The wait before the first poll, in milliseconds; each later wait is twice the one before, up to `max_interval_ms`. Default 1000.
   */
  interval_ms?: number;
  /**
   * The longest wait between polls, in milliseconds. Default 30000.
   */
  max_interval_ms?: number;
  /**
   * How long a run waits for the job to be done before it fails with SB_BULK_JOB_TIMEOUT (retryable: the retried run goes on polling the same job). Default 3600.
   */
  timeout_seconds?: number;
}
export interface BulkDownload {
  /**
   * The request for one page of results, e.g. `GET .../jobs/query/{{job.id}}/results` with `"query": {"maxRecords": 50000}`.
   */
  request: RequestSpec;
  /**
   * How the results are written.
   */
  format: BulkFormat;
  /**
   * How the results are paged (Salesforce's `Sforce-Locator` header and `locator` parameter). Without it, the results are one page.
   */
  locator?: BulkLocator;
  /**
   * Records handed to the runner (and committed with their checkpoint) at a time, while a page is still arriving. A run killed mid-page resumes at the page and skips the records already committed. Default 2000.
   */
  chunk_records?: number;
}
/**
 * `csv`: a header row of field names, then one record per row (RFC 4180 quoting); `jsonl`: one JSON object per line.
 */
export interface BulkFormat {
  /**
   * `csv` or `jsonl`.
   */
  type: 'csv' | 'jsonl';
  /**
   * CSV: the column delimiter, as the job was asked for (Salesforce's `columnDelimiter` COMMA is `,`, TAB `\t`, PIPE `|`, SEMICOLON `;`, CARET `^`, BACKQUOTE `` ` ``). Default `,`.
   */
  delimiter?: string;
  /**
   * CSV: how rows end, as the job was asked for (`LF` or `CRLF`). A row that ends otherwise is an invalid response. Default `LF`.
   */
  line_ending?: 'LF' | 'CRLF';
  /**
   * CSV: what an empty field is: `null` (default; Salesforce writes nulls as empty fields) or an empty string.
   */
  empty?: 'null' | 'empty_string';
  /**
   * CSV: columns whose text is read as a number or a boolean (`true`/`false`), e.g. `{"IsDeleted": "boolean", "Amount": "number"}`; the others stay text. A value that is not of its type is an invalid response.
   */
  types?: {
    [k: string]: 'string' | 'number' | 'boolean';
  };
  /**
   * CSV: column names with dots (`Account.Name`) make nested objects (`{"Account": {"Name": ...}}`). Default false.
   */
  nested?: boolean;
}
export interface BulkLocator {
  /**
   * Response header holding the next page's locator, e.g. `Sforce-Locator`.
   */
  header: string;
  /**
   * Query parameter the locator is sent as, e.g. `locator`.
   */
  param: string;
  /**
   * The header's value after the last page (Salesforce writes the text `null`); a missing or empty header ends the results too. Default `null`.
   */
  end?: string;
}
/**
 * The parent of a child stream. The parent stream is read page by page; for each of its records (after the parent's own `filter`), this stream's request is read to its last page with `parent` set to that record. Requests for different parents run concurrently (`concurrency`), inside the connector's `rate_limit`. A killed run resumes at the parent it stopped at; finished parents are not read again.
 */
export interface StreamParent {
  /**
   * Name of the parent stream in this connector, e.g. `contacts`. It may itself be a child stream (several levels: lists -> members -> activity).
   */
  stream: string;
  /**
   * Path to the parent record's id, which identifies the parent in checkpoints and in the children's record links. Default: the parent stream's `primary_key`, else `id`.
   */
  key?: Path;
  /**
   * In incremental runs, read only the parents changed since this stream's last run (through the parent stream's `incremental`, with its own cursor kept in this stream's state), as Airbyte's `incremental_dependency`: right when a change to a child changes its parent (a comment updates its ticket's `updated_at`). Full runs always read every parent. Default false: every run reads every parent.
   */
  incremental?: boolean;
  /**
   * How many parents are read at once. Default: the connector's `rate_limit.concurrency`, else 4. Every request still waits for the connector's rate limit.
   */
  concurrency?: number;
  /**
   * Statuses that mean the parent is gone (deleted between the parent's listing and its children's request): that parent is skipped and counted (`parents_skipped`), its children already in the CRM are kept by this run, and the run goes on. Default `[404]`.
   */
  skip_status?: number[];
}
/**
 * A follow-up request per page (`per: page`: the page's records in chunks of `size`, as `records` in the templates) or per record (`per: record`: the record as `record`), retried and rate-limited like any request. Each result is matched to its record and set at `into` in the record, before `filter`, `deleted` and the mapping read it; a record without a result gets nothing at `into`. A failed follow-up fails the page.
 */
export interface Enrich {
  /**
   * `page` (default): one request per chunk of the page's records; `record`: one request per record (detail endpoints).
   */
  per?: 'page' | 'record';
  /**
   * The follow-up request. Its templates see `config`, `now`, `parent`, `parents`, and `records` (the chunk, with `per: page`; e.g. `{{join (pluck records "id") ","}}`) or `record` (with `per: record`).
   */
  request: RequestSpec;
  /**
   * With `per: page`: most records per request (HubSpot's associations batch read takes 1,000). Default: the whole page in one request.
   */
  size?: number;
  /**
   * With `per: page`: path in `request.body` to an array holding one element, a template rendered once per record of the chunk (with `record`), as in batch actions: `inputs` with `"inputs": [{ "id": "{{record.id}}" }]` sends `[{ "id": "1" }, { "id": "2" }, ...]`.
   */
  items?: Path;
  /**
   * Where the results are in the response body: with `per: page`, the array of results (e.g. `results`); with `per: record`, the value to set at `into` (default `""`, the whole body).
   */
  results?: Path;
  /**
   * With `per: page`: path in each result to the id of the record it answers for, e.g. `from.id`. Required with `per: page`.
   */
  key?: Path;
  /**
   * With `per: page`: path in each record to the value `key` must equal (compared as text). Default: the stream's `primary_key`, else `id`.
   */
  record_key?: Path;
  /**
   * Where the result goes in each record, e.g. `associations.contacts`; a mapping then reads `associations.contacts.to.0.toObjectId`.
   */
  into: Path;
  /**
   * With `per: record`: statuses that mean there is nothing to add (e.g. `[404]`); the record is kept without a result. Default: none (any error fails the page).
   */
  skip_status?: number[];
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
  /**
   * A list in a 2xx answer whose entries say why the API refused the record (GraphQL mutations' `userErrors`, answered with HTTP 200): a non-empty list rejects the record with their messages (SB_HTTP_ITEM_REJECTED), never sent again.
   */
  user_errors?: ActionUserErrors;
}
export interface ActionUserErrors {
  /**
   * Body path to the list, e.g. `data.customerCreate.userErrors`.
   */
  path: Path;
  /**
   * Path in each entry to its message. Default `message`.
   */
  reason?: Path;
  /**
   * Path in each entry to the input field it speaks of (a list of path segments counts too), e.g. `field`; shown before the message.
   */
  field?: Path;
}
/**
 * The key is made by the push runner from the connection, the mapping and the ids of the CRM changes the request delivers, and is saved before the request is sent: a request sent again (a retry, or a run resumed after a crash) carries the same key and the same body, and a new delivery of the same record a new key. It is sent only with the methods in `methods`: keys the API ignores (Stripe ignores them on DELETE, which is idempotent anyway) prove nothing.
 */
export interface ActionIdempotency {
  /**
   * The header that carries the key, e.g. `Idempotency-Key`.
   */
  header: string;
  /**
   * The methods the API honours keys for, e.g. `["POST"]` for Stripe. Default: on an action, its own method; on the connector, `["POST"]`.
   *
   * @minItems 1
   */
  methods?: [HttpMethod, ...HttpMethod[]];
}
/**
 * Batching: the array at `items` in the request body holds one element, a template rendered once per record; up to `size` rendered elements are sent in one request. An answer may succeed for some records and fail for others (HTTP 207 Multi-Status, or per-item errors in a 200/201): each record is paired with its result or its error, by the key in `trace`, by `match`, or by position; records that succeeded are linked, records that failed are rejected with the API's reason, and no record that succeeded is sent again.
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
   * Response body path to the per-record errors, e.g. `errors` (HubSpot's multi-status answers). Each error is paired with its record by `trace.error` or `match.error`.
   */
  errors?: Path;
  /**
   * How a result element says that its record failed (answers with one element per record, success or not, such as Salesforce's `[{"success": false, "errors": [...]}]`).
   */
  failed?: ActionBatchFailed;
  /**
   * Path in an error (or a failed result) to the API's reason, kept with the rejected record. Default `message`.
   */
  reason?: Path;
  /**
   * A key the API echoes: Switchboard writes a key of its own (the CRM record's id) into each rendered element and pairs results and errors by it (HubSpot's `objectWriteTraceId`).
   */
  trace?: ActionBatchTrace;
  /**
   * How results are paired with records when the API may reorder them. Without it (and without `trace`), they are paired by position.
   */
  match?: ActionBatchMatch;
}
/**
 * Where the key goes in each rendered element and where the API echoes it.
 */
export interface ActionBatchTrace {
  /**
   * Path in each rendered `items` element that receives the key, e.g. `objectWriteTraceId`.
   */
  item: Path;
  /**
   * Path in each result element to the echoed key, e.g. `objectWriteTraceId`.
   */
  result: Path;
  /**
   * Path in each error to the echoed key, e.g. `context.objectWriteTraceId` (a list holding it counts too). Needed with `errors`.
   */
  error?: Path;
}
/**
 * A result element whose value at `path` equals `equals` is a failure of its record.
 */
export interface ActionBatchFailed {
  /**
   * Path in each result element, e.g. `success`.
   */
  path: Path;
  /**
   * The value that marks a failure, e.g. `false`. Default `false`.
   */
  equals?: unknown;
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
  /**
   * Path in each error to the same value (a list holding it counts too), when `errors` is given without `trace`.
   */
  error?: Path;
}
/**
 * Inbound webhooks (`POST /webhooks/{connection}`). A delivery whose signature is valid, fresh and not a replay either carries records (`records` and `stream`), which are ingested at once, or, without `records`, asks for an incremental run of the connection's mappings.
 */
export interface Webhooks {
  /**
   * How deliveries prove they come from the API. Without it, deliveries are not verified and need a bearer token with `webhooks:write` instead.
   */
  signature?: WebhookSignature;
  /**
   * How replayed deliveries are recognised: which header carries the API's delivery id, and how long deliveries are remembered. Signed deliveries are always checked for replays.
   */
  replay?: WebhookReplay;
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
 * An HMAC of the signed payload (the raw body by default, or a template of the request such as timestamp + body), compared in constant time with the signature the API sent in `header`. The key is `secret`, or `secrets` while it is rotated.
 */
export interface WebhookSignatureHmac {
  /**
   * HMAC signature of the request.
   */
  type: 'hmac';
  /**
   * Header carrying the signature, e.g. `X-Shopify-Hmac-Sha256`, `Stripe-Signature`.
   */
  header: string;
  /**
   * Hash function. Default `sha256`.
   */
  algorithm?: 'sha256' | 'sha1' | 'sha512';
  /**
   * Template: the shared secret, e.g. `{{config.webhook_secret}}`. Sees `config` only. Give `secret` or `secrets`.
   */
  secret?: Template;
  /**
   * Templates: secrets any one of which may have signed a delivery, e.g. the current and the previous one while a secret is rotated. Those that render empty are skipped; at least one must not. Sees `config` only.
   *
   * @minItems 1
   * @maxItems 4
   */
  secrets?:
    [Template] | [Template, Template] | [Template, Template, Template] | [Template, Template, Template, Template];
  /**
   * How the header encodes the digest: `hex` (default) or `base64`.
   */
  encoding?: 'hex' | 'base64';
  /**
   * Text before the digest, e.g. `sha256=`; with `fields`, before each signature value.
   */
  prefix?: string;
  /**
   * Template: exactly what the API signs, e.g. `{{request.timestamp}}.{{request.body}}` (Stripe) or `{{request.method}}{{request.url}}{{request.body}}{{request.timestamp}}` (HubSpot v3). Sees `request` only: `method`, `url` (absolute, as the API addressed it), `path` (with the query), `headers` (lower-case names), `timestamp` (as sent) and `body` (the raw bytes, which must stand alone as `{{request.body}}`). Default: the raw body.
   */
  signed_payload?: Template;
  /**
   * The signature header is a list of `key=value` fields (Stripe's `t=...,v1=...,v1=...`) rather than one digest.
   */
  fields?: WebhookSignatureFields;
  /**
   * Where the signed timestamp is, its format, and how far from the server's clock it may be. Without it a delivery carries no time, and only replay memory (`webhooks.replay`) refuses a captured one.
   */
  timestamp?: WebhookTimestamp;
}
/**
 * A signature header made of `key=value` fields separated by `separator`. Every field whose key is `signature` is a candidate (an API rolling its secret sends one per secret); `timestamp.field` names the field with the time.
 */
export interface WebhookSignatureFields {
  /**
   * Between fields. Default `,`.
   */
  separator?: string;
  /**
   * Key of the signature fields, e.g. Stripe's `v1` (fields of other keys, such as `v0`, are ignored).
   */
  signature: string;
}
/**
 * The time a delivery was signed, from its own `header` or from a `field` of the signature header. A delivery whose timestamp is older than `tolerance_seconds`, or further ahead than that, is refused as stale (401 `SB_WEBHOOK_STALE`). Put `{{request.timestamp}}` in `signed_payload`: only a signed timestamp cannot be altered.
 */
export interface WebhookTimestamp {
  /**
   * Header carrying the timestamp, e.g. `X-Zendesk-Webhook-Signature-Timestamp`. Give `header` or `field`.
   */
  header?: string;
  /**
   * Key of the field of the signature header that carries the timestamp, e.g. Stripe's `t` (needs `fields`).
   */
  field?: string;
  /**
   * `unix` (epoch seconds, default), `unix_ms` (epoch milliseconds, as HubSpot sends) or `iso8601` (as Zendesk sends).
   */
  format?: 'unix' | 'unix_ms' | 'iso8601';
  /**
   * How far from the server's clock the timestamp may be, either way. Default 300 (five minutes, as Stripe and HubSpot advise).
   */
  tolerance_seconds?: number;
}
/**
 * A shared token in a header (HTTP Basic credentials in `Authorization`, say), compared in constant time. The expected value is `value`, or `values` while it is rotated.
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
   * Template: the expected header value, e.g. `{{config.webhook_token}}`. Sees `config` only. Give `value` or `values`.
   */
  value?: Template;
  /**
   * Templates: header values any one of which is accepted (the current and the previous token while it is rotated). Those that render empty are skipped. Sees `config` only.
   *
   * @minItems 1
   * @maxItems 4
   */
  values?:
    [Template] | [Template, Template] | [Template, Template, Template] | [Template, Template, Template, Template];
}
/**
 * Replay memory, kept in the database and so shared by every server process. An accepted delivery is remembered by a digest of its signed payload, and by its delivery id when the API sends one; the same delivery again is refused with 409 `SB_WEBHOOK_REPLAYED` and nothing is written. A delivery that is not processed (409 while a run is busy, a 5xx) is forgotten again, so the API's retry is accepted.
 */
export interface WebhookReplay {
  /**
   * Header carrying the API's id of a delivery, e.g. `X-Shopify-Webhook-Id`: a delivery whose id was already seen within the window is a replay. Such headers are rarely signed, so the signed payload is remembered as well.
   */
  delivery_id_header?: string;
  /**
   * How long an accepted delivery is remembered; with `signature.timestamp`, at least until its timestamp is stale. Default 300.
   */
  window_seconds?: number;
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
