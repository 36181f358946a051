// Bearer tokens of the API: short-lived, self-contained and signed (HMAC-SHA256 under a key
// derived from the secret key), so checking one costs no database query and any server process
// sharing the secret key accepts it. `sbt1.<claims, base64url JSON>.<signature, base64url>`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isScope, type Scope } from './scopes';

const PREFIX = 'sbt1';

/** Default token lifetime: 15 minutes (RFC 6749's `expires_in`). */
export const DEFAULT_TOKEN_TTL_SECONDS = 900;

export interface TokenClaims {
  /** The API client's `client_id`. */
  cid: string;
  scp: Scope[];
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch. */
  exp: number;
  /** A random id, so two tokens issued in the same second differ. */
  jti: string;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad signature' | 'expired' };

export class TokenSigner {
  readonly #key: Buffer;
  readonly ttlSeconds: number;

  constructor(key: Buffer, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS) {
    this.#key = key;
    this.ttlSeconds = ttlSeconds;
  }

  issue(clientId: string, scopes: readonly Scope[], now = Date.now()): { token: string; claims: TokenClaims } {
    const iat = Math.floor(now / 1000);
    const claims: TokenClaims = { cid: clientId, scp: [...scopes], iat, exp: iat + this.ttlSeconds, jti: randomBytes(9).toString('base64url') };
    const body = `${PREFIX}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
    return { token: `${body}.${this.#sign(body).toString('base64url')}`, claims };
  }

  verify(token: string, now = Date.now()): VerifyResult {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX || token.length > 4096) return { ok: false, reason: 'malformed' };
    const body = `${parts[0]}.${parts[1]}`;
    const given = Buffer.from(parts[2]!, 'base64url');
    const expected = this.#sign(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
    const claims = parseClaims(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (claims === undefined) return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= now) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  #sign(body: string): Buffer {
    return createHmac('sha256', this.#key).update(body).digest();
  }

  toJSON(): string {
    return '[TokenSigner]';
  }
}

function parseClaims(text: string): TokenClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const c = value as Record<string, unknown>;
  if (typeof c['cid'] !== 'string' || typeof c['iat'] !== 'number' || typeof c['exp'] !== 'number' || typeof c['jti'] !== 'string') return undefined;
  if (!Array.isArray(c['scp']) || !c['scp'].every((s) => typeof s === 'string' && isScope(s))) return undefined;
  return { cid: c['cid'], scp: c['scp'] as Scope[], iat: c['iat'], exp: c['exp'], jti: c['jti'] };
}
