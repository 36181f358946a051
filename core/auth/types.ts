// What every auth type provides to the requester, and what it needs from it.
import type { RetryPolicy } from '../http/retry';
import type { Redactor } from '../http/redact';
import type { TokenStore } from './token-store';

/** Credentials to put on one request. Treat as immutable: sessions hand out the same object until it changes. */
export interface AuthCredentials {
  /** Headers to set (they override the definition's headers of the same name). */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters to add (an `api_key` with `in: query`). */
  readonly query: Readonly<Record<string, string>>;
  /** A base URL that replaces the definition's `base_url` (oauth2 `base_url_from`). */
  readonly baseUrl?: string | undefined;
}

/** The auth of one connection: current credentials, and renewal after a 401. */
export interface AuthSession {
  /** Credentials for the next request; an OAuth2 session fetches or refreshes its token here when it is missing or about to expire. */
  current(): Promise<AuthCredentials>;
  /**
   * Called once after a request sent with `used` was answered 401. Resolves true when new
   * credentials were obtained (the request is then retried once), false when nothing can be
   * renewed (static credentials); rejects with SB_AUTH_FAILED when renewal itself is refused.
   */
  renew(used: AuthCredentials): Promise<boolean>;
}

/** What an auth type gets besides its rendered definition. */
export interface AuthContext {
  /** Where OAuth2 tokens live (shared by every worker of the connection when database-backed). */
  tokenStore: TokenStore;
  /** Every secret the session learns (tokens) is added here, so messages and logs never show it. */
  redactor: Redactor;
  /** Timeout of token requests, in ms. */
  timeoutMs: number;
  /** Retries of token requests (network errors, 429 and 5xx). */
  retry: RetryPolicy;
}

/** An auth type: turns its rendered definition (templates already applied to `config`) into a session. */
export type AuthFactory<Spec> = (spec: Spec, ctx: AuthContext) => AuthSession;

/** A session whose credentials never change (none, api_key, basic, bearer): a 401 is final. */
export function staticSession(credentials: AuthCredentials): AuthSession {
  const ready = Promise.resolve(credentials);
  return {
    current: () => ready,
    renew: () => Promise.resolve(false),
  };
}

/** A rendered template value as a string (a template that is exactly one `{{expr}}` may render a number). */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}
