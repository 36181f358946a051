// Every public error of Switchboard: one base class, one table of stable codes.
//
// A code never changes meaning once released; new failures get new codes. Each code is
// documented in docs/errors.md (a test keeps the two in step). `status` is the HTTP status
// the management API answers with; `retryable` tells the queue whether a job that failed
// with it may be tried again (non-retryable failures become BullMQ's UnrecoverableError).

export interface ErrorSpec {
  /** HTTP status used when the error reaches an API client. */
  readonly status: number;
  /** Short, stable title (the `error` field of API error bodies). */
  readonly title: string;
  /** Whether trying the same operation again may succeed. */
  readonly retryable: boolean;
}

export const ERROR_CODES = {
  // General
  SB_INTERNAL: { status: 500, title: 'Internal Error', retryable: true },
  SB_BAD_REQUEST: { status: 400, title: 'Bad Request', retryable: false },
  SB_CONFIG_INVALID: { status: 400, title: 'Invalid Configuration', retryable: false },
  SB_NOT_FOUND: { status: 404, title: 'Not Found', retryable: false },
  SB_CONFLICT: { status: 409, title: 'Conflict', retryable: false },
  SB_PRECONDITION_FAILED: { status: 412, title: 'Precondition Failed', retryable: false },
  SB_UNAUTHORIZED: { status: 401, title: 'Unauthorized', retryable: false },
  SB_FORBIDDEN: { status: 403, title: 'Forbidden', retryable: false },
  SB_RATE_LIMITED: { status: 429, title: 'Too Many Requests', retryable: true },
  SB_BODY_TOO_LARGE: { status: 413, title: 'Payload Too Large', retryable: false },
  SB_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type', retryable: false },

  // Store
  SB_DB_UNAVAILABLE: { status: 503, title: 'Database Unavailable', retryable: true },
  SB_DB_DISK_FULL: { status: 507, title: 'Database Disk Full', retryable: true },
  SB_DB_UNKNOWN_ENTITY: { status: 400, title: 'Unknown Entity', retryable: false },
  SB_DB_UNKNOWN_FIELD: { status: 422, title: 'Unknown Field', retryable: false },
  SB_DB_INVALID_VALUE: { status: 422, title: 'Invalid Value', retryable: false },
  SB_DB_NOT_FOUND: { status: 404, title: 'Record Not Found', retryable: false },
  SB_DB_FOREIGN_KEY: { status: 422, title: 'Missing Referenced Record', retryable: false },
  SB_DB_UNIQUE: { status: 409, title: 'Duplicate Record', retryable: false },
  SB_DB_INVALID_CURSOR: { status: 400, title: 'Invalid Cursor', retryable: false },
  SB_DB_MIGRATION_FAILED: { status: 500, title: 'Migration Failed', retryable: false },
  SB_DB_QUERY_FAILED: { status: 500, title: 'Query Failed', retryable: true },

  // Definitions and templates
  SB_DEFINITION_INVALID: { status: 422, title: 'Invalid Definition', retryable: false },
  SB_DEFINITION_NOT_FOUND: { status: 404, title: 'Definition Not Found', retryable: false },
  SB_TEMPLATE_INVALID: { status: 422, title: 'Invalid Template', retryable: false },
  SB_TEMPLATE_RENDER_FAILED: { status: 422, title: 'Template Render Failed', retryable: false },

  // Connections and secrets
  SB_CONNECTION_NOT_FOUND: { status: 404, title: 'Connection Not Found', retryable: false },
  SB_CONNECTION_CONFIG_INVALID: { status: 422, title: 'Invalid Connection Config', retryable: false },
  SB_CONNECTION_SECRETS_REQUIRED: { status: 422, title: 'Secrets Required', retryable: false },
  SB_SECRET_KEY_INVALID: { status: 500, title: 'Invalid Secret Key', retryable: false },
  SB_SECRET_DECRYPT_FAILED: { status: 500, title: 'Secret Decryption Failed', retryable: false },

  // Talking to third-party APIs
  SB_HTTP_REQUEST_FAILED: { status: 502, title: 'Upstream Request Failed', retryable: false },
  SB_HTTP_RETRIES_EXHAUSTED: { status: 502, title: 'Upstream Retries Exhausted', retryable: true },
  SB_HTTP_TIMEOUT: { status: 504, title: 'Upstream Timeout', retryable: true },
  SB_HTTP_NETWORK: { status: 502, title: 'Upstream Network Error', retryable: true },
  SB_HTTP_INVALID_RESPONSE: { status: 502, title: 'Invalid Upstream Response', retryable: false },
  SB_AUTH_FAILED: { status: 502, title: 'Upstream Authentication Failed', retryable: false },
  SB_HTTP_ORIGIN_NOT_ALLOWED: { status: 502, title: 'Origin Not Allowed', retryable: false },
  SB_PAGINATION_LOOP: { status: 502, title: 'Pagination Loop', retryable: false },
  SB_CHECK_FAILED: { status: 502, title: 'Connection Check Failed', retryable: false },
  SB_HTTP_ITEM_REJECTED: { status: 422, title: 'Upstream Refused a Record', retryable: false },
  SB_GRAPHQL_ERROR: { status: 502, title: 'Upstream GraphQL Error', retryable: false },
  SB_BULK_JOB_FAILED: { status: 502, title: 'Bulk Job Failed', retryable: true },
  SB_BULK_JOB_TIMEOUT: { status: 504, title: 'Bulk Job Timeout', retryable: true },

  // Sync runs and queues
  SB_RUN_NOT_FOUND: { status: 404, title: 'Run Not Found', retryable: false },
  SB_RUN_CANCELED: { status: 409, title: 'Run Canceled', retryable: false },
  SB_RUN_INVALID_TRANSITION: { status: 409, title: 'Invalid Run Transition', retryable: false },
  SB_RUN_LOST: { status: 409, title: 'Run Lost', retryable: true },
  SB_MAPPING_FAILED: { status: 422, title: 'Mapping Failed', retryable: false },
  SB_QUEUE_UNAVAILABLE: { status: 503, title: 'Queue Unavailable', retryable: true },

  // Inbound webhooks
  SB_WEBHOOK_STALE: { status: 401, title: 'Stale Webhook', retryable: false },
  SB_WEBHOOK_REPLAYED: { status: 409, title: 'Webhook Replayed', retryable: false },

  // Console users and sessions
  SB_LOGIN_FAILED: { status: 401, title: 'Sign-in Failed', retryable: false },
  SB_ACCOUNT_LOCKED: { status: 423, title: 'Account Locked', retryable: true },
  SB_CSRF_FAILED: { status: 403, title: 'CSRF Check Failed', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorOptions {
  /** Structured facts about the failure (field names, JSON pointers, ...). Never secrets. */
  details?: Record<string, unknown>;
  /** The lower-level error this one wraps. */
  cause?: unknown;
  /** Overrides the status of the code's table entry (e.g. 413 for an oversized body). */
  status?: number;
}

/** The base class of every error Switchboard raises on purpose. */
export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    const spec: ErrorSpec = ERROR_CODES[code];
    this.statusCode = options.status ?? spec.status;
    this.retryable = spec.retryable;
    this.details = options.details;
  }

  /** The title shown as `error` in API error bodies. */
  get title(): string {
    return ERROR_CODES[this.code].title;
  }

  /** The API error shape `{ statusCode, code, error, message }`, plus details when present. */
  toJSON(): { statusCode: number; code: ErrorCode; error: string; message: string; details?: Record<string, unknown> } {
    return {
      statusCode: this.statusCode,
      code: this.code,
      error: this.title,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isSwitchboardError(err: unknown, code?: ErrorCode): err is SwitchboardError {
  return err instanceof SwitchboardError && (code === undefined || err.code === code);
}

/** A human-readable message for any thrown value. */
export function errorMessage(err: unknown): string {
  // Duck-typed, not instanceof: errors from native drivers or other realms (jest's VM) fail it.
  if (err !== null && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return typeof err === 'string' ? err : JSON.stringify(err);
}
