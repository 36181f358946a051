// The scopes a client may hold and a token may carry: one per kind of access, each route
// naming the one it needs in its schema's `security` (the same text the OpenAPI document shows).

export const SCOPES = {
  'crm:read': 'Read CRM records: contacts, companies, deals, activities.',
  'crm:write': 'Create, update and delete CRM records (every write lands in the change outbox).',
  'definitions:read': 'List and read connectors and mappings, validate definitions, preview mappings on sample records.',
  'definitions:write': 'Save connector and mapping files (only definitions that validate).',
  'connections:read': 'List and read connections and their schedules (secret settings are never shown).',
  'connections:admin': 'Create, update, delete, check and authorize connections, and manage their schedules.',
  'runs:read': 'List and read sync runs, their progress, counts and rejected records.',
  'runs:write': 'Start and cancel sync runs.',
  'webhooks:write': 'Deliver webhooks to connections whose connector declares no signature check.',
  'metrics:read': 'Read the Prometheus metrics.',
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.prototype.hasOwnProperty.call(SCOPES, value);
}

/** The name of the OAuth2 security scheme in the OpenAPI document. */
export const OAUTH2_SCHEME = 'oauth2';

/** The name of the console's session cookie scheme: a signed-in user, whose role grants scopes. */
export const SESSION_SCHEME = 'consoleSession';

/** The OpenAPI name of "signed with the connector's webhook secret". */
export const WEBHOOK_SCHEME = 'webhookSignature';

/**
 * A route's `security`: a bearer token carrying every one of `scopes`, or a console session
 * whose user's role grants them (OpenAPI 3.0 lists no scopes on a cookie scheme).
 */
export function requires(...scopes: Scope[]): Array<Record<string, Scope[]>> {
  return [{ [OAUTH2_SCHEME]: scopes }, { [SESSION_SCHEME]: [] }];
}

/** A route's `security` when it needs no token (health, the token endpoint, the OAuth callback). */
export const PUBLIC: Array<Record<string, string[]>> = [];
