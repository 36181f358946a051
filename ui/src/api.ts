// The console's only way to the server: the documented management API (endpoints.ts), with
// the session cookie (sent by the browser) and the session's CSRF token on every request that
// changes something. Errors come back as ApiError with the API's stable code and message.
import { urlOf, type Endpoint } from './endpoints';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message);
  }
}

let csrfToken = '';
let onUnauthorized: () => void = () => undefined;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when the session is gone (401 on any call but the sign-in itself). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | string[] | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** A body sent as it is (definitions, so line and column refer to the editor's text). */
  text?: string;
}

export async function call<T>(endpoint: Endpoint, options: CallOptions = {}): Promise<T> {
  const method = endpoint.slice(0, endpoint.indexOf(' '));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let body: string | undefined;
  if (options.text !== undefined) body = options.text;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(urlOf(endpoint, options.params, options.query), { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body }) });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const e = (data ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
    if (res.status === 401 && endpoint !== 'POST /session' && endpoint !== 'GET /session') onUnauthorized();
    throw new ApiError(res.status, e.code ?? 'SB_INTERNAL', e.message ?? `${method} failed with ${res.status}`, e.details);
  }
  return data as T;
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}
