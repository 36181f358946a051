// One request of a push: the action rendered for one record, or for a batch of them (one
// `items` element per record, with its trace key), with the delivery's idempotency key; the
// answer read back into a result per record (push-batch.ts pairs batch answers).
import { isSwitchboardError, type ErrorCode } from '../errors';
import type { ConnectorClient } from '../http/client';
import type { CompiledRequest } from '../http/request';
import type { TemplateContext } from '../templates';
import { batchBody } from '../http/batch-body';
import { getPath } from '../util/path';
import { batchResults, idOf, withTrace } from './push-batch';
import type { CompiledAction, Delivery } from './push-plan';

export type ItemResult = { ok: true; externalId: string | null } | { ok: false; code: ErrorCode; reason: string };

/**
 * How a failed request is handled: `transient` (the API is unavailable; the changes stay
 * pending and the run fails retryably), `fatal` (the connection cannot write at all:
 * credentials, permissions, quota; the changes stay pending and the run fails), or `record`
 * (the API refused these records: a batch is split to find them, a single one is rejected).
 */
export type FailureKind = 'transient' | 'fatal' | 'record';

/** Statuses that speak of the connection, not of the record sent: 401, 403 (Salesforce's daily limit), 407, and 408/425/429 when not retried. */
const CONNECTION_STATUSES = new Set([401, 403, 407, 408, 425, 429]);

export function failureKind(err: unknown): FailureKind {
  if (!isSwitchboardError(err)) return 'fatal';
  if (err.retryable) return 'transient';
  if (err.code === 'SB_HTTP_REQUEST_FAILED') {
    const status = err.details?.['status'];
    return typeof status === 'number' && status >= 400 && status < 500 && !CONNECTION_STATUSES.has(status) ? 'record' : 'fatal';
  }
  return err.code === 'SB_HTTP_INVALID_RESPONSE' || err.code === 'SB_TEMPLATE_RENDER_FAILED' || err.code === 'SB_MAPPING_FAILED' ? 'record' : 'fatal';
}

/** The HTTP status of a failed request, when it got one. */
export function failureStatus(err: unknown): number | undefined {
  const status = isSwitchboardError(err) ? err.details?.['status'] : undefined;
  return typeof status === 'number' ? status : undefined;
}

/** The request to send: the action's, with the batch body and the idempotency header in place. */
function prepared(action: CompiledAction, items: readonly Delivery[], key: string, ctx: TemplateContext): CompiledRequest {
  const base = action.request;
  let body: unknown;
  if (action.batch !== undefined) {
    // Parts of the body outside `items` are rendered once, with the first record; each item
    // carries its trace key when the action pairs results by one.
    const batch = action.batch;
    body = batchBody(base, batch, ctx, items.map((item) => item.payload), (element, i) => withTrace(batch, element, items[i]!));
  }
  const header = action.idempotencyHeader;
  return {
    ...base,
    ...(body === undefined ? {} : { body: () => body }),
    ...(header === undefined
      ? {}
      : {
          headers: (c: TemplateContext) => {
            const own = base.headers?.(c);
            return { ...(own !== null && typeof own === 'object' ? (own as Record<string, unknown>) : {}), [header]: key };
          },
        }),
  };
}

/**
 * Sends one request for `items` (one record, or up to `batch.size`) and returns one result per
 * record; throws the request's SwitchboardError when it fails as a whole.
 */
export async function sendOnce(client: ConnectorClient, action: CompiledAction, items: readonly Delivery[], key: string, signal?: AbortSignal): Promise<ItemResult[]> {
  const first = items[0];
  if (first === undefined) return [];
  const ctx = client.context({ record: first.payload });
  const res = await client.send(prepared(action, items, key, ctx), ctx, undefined, signal);
  if (action.batch !== undefined) return batchResults(action, items, res.body);
  const refused = userErrorsOf(action, res.body);
  if (refused !== undefined) return [{ ok: false, code: 'SB_HTTP_ITEM_REJECTED', reason: refused }];
  return [{ ok: true, externalId: action.externalId === undefined ? null : idOf(getPath(res.body, action.externalId)) }];
}

/**
 * The API's reasons for refusing the record, from a 2xx answer's `user_errors` list (GraphQL
 * mutations answer 200 with `userErrors`): each entry's field, then its message. Undefined when
 * the list is missing or empty.
 */
export function userErrorsOf(action: CompiledAction, body: unknown): string | undefined {
  const spec = action.userErrors;
  if (spec === undefined) return undefined;
  const list = getPath(body, spec.path);
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list
    .map((entry) => {
      const reason = getPath(entry, spec.reason);
      const field = spec.field === undefined ? undefined : getPath(entry, spec.field);
      const where = Array.isArray(field) ? field.join('.') : typeof field === 'string' ? field : '';
      const text = typeof reason === 'string' && reason !== '' ? reason : JSON.stringify(entry);
      return where === '' ? text : `${where}: ${text}`;
    })
    .join('; ');
}
