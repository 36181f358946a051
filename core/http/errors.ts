// The one place an HTTP failure becomes a SwitchboardError: code by kind, the API's error body
// in the message, secrets redacted from message and details.
import { SwitchboardError, type ErrorCode } from '../errors';
import type { Redactor } from './redact';

export type HttpFailure =
  | { kind: 'status'; status: number; statusText: string; body: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'network'; message: string; cause?: unknown }
  | { kind: 'invalid'; reason: string; body?: string; details?: Record<string, unknown> };

export interface FailureContext {
  method: string;
  url: string;
  /** Attempts made, the failed one included. */
  attempts: number;
  /** A 401 that no credential renewal could fix. */
  unauthorized?: boolean;
  /** The kinds of every failed attempt, oldest first (tells "timed out every time" from a mix). */
  history?: readonly HttpFailure['kind'][];
  redactor: Redactor;
}

/** How much of an error body goes into a message. */
const BODY_LIMIT = 2000;

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_LIMIT ? `${flat.slice(0, BODY_LIMIT)}...` : flat;
}

function codeFor(failure: HttpFailure, ctx: FailureContext, retried: boolean): ErrorCode {
  const every = (kind: HttpFailure['kind']): boolean => (ctx.history ?? [failure.kind]).every((k) => k === kind);
  switch (failure.kind) {
    case 'invalid':
      return 'SB_HTTP_INVALID_RESPONSE';
    case 'status':
      if (ctx.unauthorized === true) return 'SB_AUTH_FAILED';
      return retried ? 'SB_HTTP_RETRIES_EXHAUSTED' : 'SB_HTTP_REQUEST_FAILED';
    case 'timeout':
      return every('timeout') ? 'SB_HTTP_TIMEOUT' : 'SB_HTTP_RETRIES_EXHAUSTED';
    case 'network':
      return every('network') ? 'SB_HTTP_NETWORK' : 'SB_HTTP_RETRIES_EXHAUSTED';
  }
}

/**
 * Turns a failed request into our error. `retried` says the failure was of a retryable kind
 * and the attempts ran out (as opposed to a status that is never retried).
 */
export function httpFailureError(failure: HttpFailure, ctx: FailureContext, retried = false): SwitchboardError {
  const r = (text: string): string => ctx.redactor.redact(text);
  const code = codeFor(failure, ctx, retried);
  const where = `${ctx.method} ${r(ctx.url)}`;
  const tries = ctx.attempts > 1 ? ` (after ${ctx.attempts} attempts)` : '';
  let message: string;
  const details: Record<string, unknown> = { method: ctx.method, url: r(ctx.url), attempts: ctx.attempts };
  switch (failure.kind) {
    case 'status': {
      const body = r(snippet(failure.body));
      const status = `${failure.status}${failure.statusText === '' ? '' : ` ${failure.statusText}`}`;
      message = `${where} answered ${status}${tries}${body === '' ? '' : `: ${body}`}`;
      details['status'] = failure.status;
      if (body !== '') details['body'] = body;
      break;
    }
    case 'timeout':
      message = `${where} got no response within ${failure.timeoutMs} ms${tries}`;
      break;
    case 'network':
      message = `${where} failed: ${r(failure.message)}${tries}`;
      break;
    case 'invalid': {
      message = `${where}: ${r(failure.reason)}${tries}`;
      if (failure.body !== undefined) details['body'] = r(snippet(failure.body).slice(0, 200));
      for (const [k, v] of Object.entries(failure.details ?? {})) details[k] = typeof v === 'string' ? r(v) : v;
      break;
    }
  }
  return new SwitchboardError(code, message, { details, ...(failure.kind === 'network' && failure.cause !== undefined ? { cause: failure.cause } : {}) });
}
