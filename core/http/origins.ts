// Where a connection's requests may go: the origin (scheme, host, port) of its rendered
// `base_url`, the base URL the OAuth2 token response gave (`base_url_from`), and the connector's
// `allowed_origins`. Any other destination (an absolute next-page URL, a `Link` header, a path
// that is a full URL) is refused before anything, credentials included, is sent.
import { SwitchboardError } from '../errors';
import type { Redactor } from './redact';

/** The origin of an absolute http(s) URL (`https://api.example.com`, default port left out), else undefined. */
export function originOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
}

export class OriginPolicy {
  readonly #origins: ReadonlySet<string>;

  /**
   * @param baseUrl the rendered `base_url`
   * @param allowed the rendered `allowed_origins` (blank entries are left out)
   */
  constructor(baseUrl: string, allowed: readonly unknown[], connectorId: string) {
    const origins = new Set<string>();
    const base = originOf(baseUrl);
    if (base !== undefined) origins.add(base);
    for (const entry of allowed) {
      if (entry === undefined || entry === null || entry === '') continue;
      const origin = typeof entry === 'string' ? originOf(entry) : undefined;
      if (origin === undefined) {
        throw new SwitchboardError('SB_CONNECTION_CONFIG_INVALID', `connector "${connectorId}": allowed_origins holds ${JSON.stringify(entry)}, which is not an http(s) origin such as https://api.example.com`);
      }
      origins.add(origin);
    }
    this.#origins = origins;
  }

  /** The declared origins, sorted (for messages). */
  get origins(): string[] {
    return [...this.#origins].sort();
  }

  /**
   * Refuses a request to an undeclared origin with SB_HTTP_ORIGIN_NOT_ALLOWED. `extra` is the
   * base URL the token response gave, if any. A URL that does not parse is left to the
   * transport, which cannot send it either.
   */
  check(method: string, url: string, extra: string | undefined, redactor: Redactor): void {
    const origin = originOf(url);
    if (origin === undefined || this.#origins.has(origin)) return;
    if (extra !== undefined && originOf(extra) === origin) return;
    const declared = [...this.origins, ...(extra === undefined ? [] : [originOf(extra) ?? extra])];
    throw new SwitchboardError(
      'SB_HTTP_ORIGIN_NOT_ALLOWED',
      redactor.redact(`${method} ${url} was not sent: ${origin} is not one of the connector's origins (${declared.join(', ') || 'none'}); credentials only go to base_url's origin, the OAuth2 base_url_from and allowed_origins`),
      { details: { method, url: redactor.redact(url), origin, allowed: declared } },
    );
  }
}
