// Schemas shared by every route group: the error shape, pagination, and the helpers that keep
// route declarations short. Shared schemas have an `$id`, which becomes their name in the
// OpenAPI document's components.

/** A JSON Schema as route declarations write it. */
export type JsonSchema = Record<string, unknown>;

export const ERROR_SCHEMA_ID = 'Error';

export const errorSchema = {
  $id: ERROR_SCHEMA_ID,
  type: 'object',
  description: 'Every error answer, whatever the route and status. `code` is stable (see docs/errors.md); `message` says what went wrong and where.',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', description: 'The HTTP status, repeated.' },
    code: { type: 'string', description: 'Stable error code, e.g. `SB_BAD_REQUEST`.', example: 'SB_BAD_REQUEST' },
    error: { type: 'string', description: 'Short title of the code (for the token endpoint: the RFC 6749 error code, e.g. `invalid_client`).' },
    message: { type: 'string', description: 'What went wrong, e.g. `body/email must be string`.' },
    error_description: { type: 'string', description: 'The token endpoint only: RFC 6749 `error_description`.' },
    details: { type: 'object', additionalProperties: true, description: 'Structured facts about the failure (field names, problems, ...).' },
  },
} as const;

const errorRef = { $ref: `${ERROR_SCHEMA_ID}#` } as const;

/** The error answers every route may give. */
export const ERRORS = { '4xx': errorRef, '5xx': errorRef } as const;

/** Response schemas: the route's successes plus the error shape. */
export function responses<T extends Record<number, JsonSchema>>(ok: T): T & typeof ERRORS {
  return { ...ok, ...ERRORS };
}

/** An answer without a body (204, 304). */
export const EMPTY = { type: 'null', description: 'No body.' } as const;

export const MAX_PAGE_SIZE = 1000;

/** `limit` and `cursor` of every paginated list. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50, description: `Items per page, 1 to ${MAX_PAGE_SIZE} (default 50).` },
  cursor: { type: 'string', minLength: 1, maxLength: 2000, description: 'The `next_cursor` of the previous page.' },
} as const;

export interface PageQuery {
  limit: number;
  cursor?: string;
}

/** How many rows to fetch for a page: one more than asked, to know whether another page follows. */
export function rowsToFetch(limit: number): number {
  return Math.min(limit + 1, MAX_PAGE_SIZE);
}

/**
 * A page from the rows fetched with rowsToFetch. At the largest page size the extra row does
 * not fit, so a full page then always has a `next_cursor` (its next page may be empty).
 */
export function pageFrom<T, V>(rows: readonly T[], limit: number, cursorOf: (row: T) => string, view: (row: T) => V): { items: V[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const more = rows.length > limit || (rows.length === limit && rowsToFetch(limit) === limit);
  const last = items[items.length - 1];
  return { items: items.map(view), next_cursor: more && last !== undefined ? cursorOf(last) : null };
}

/** A page of `items`; `next_cursor` is null on the last page. */
export function pageOf(item: JsonSchema, description: string): JsonSchema {
  return {
    type: 'object',
    description,
    required: ['items', 'next_cursor'],
    properties: {
      items: { type: 'array', items: item },
      next_cursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' },
    },
  };
}

/** Path parameter `id`: a record or resource id (or a connection's name where the route says so). */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export interface IdParams {
  id: string;
}

/** An object whose keys are free (definitions, configs, source records). */
export const ANY_OBJECT = { type: 'object', additionalProperties: true } as const;
