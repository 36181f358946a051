// Console sessions: a signed-in user's httpOnly, SameSite=Strict cookie, looked up in the
// database on each request (so signing out, disabling the user or expiry ends it at once), and
// the CSRF token every state-changing request of a session must repeat in a header. The token
// is an HMAC of the session token, so it is never stored and cannot be guessed from the page.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { SwitchboardError } from '../../core/errors';
import * as userSessions from '../../core/store/tables/user-sessions';
import type { User } from '../../core/store/tables/users';
import { scopesOfRole } from './roles';
import type { Scope } from './scopes';
import type { TokenClaims } from './tokens';

export const SESSION_COOKIE = 'sb_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Methods that change nothing: they need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionIdentity {
  claims: TokenClaims;
  user: User;
  expiresAt: string;
}

/** The session token in a Cookie header (RFC 6265 section 5.4), when there is a well-formed one. */
export function sessionCookieOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{20,100}$/.test(value)) return value;
  }
  return undefined;
}

/**
 * The Set-Cookie of the session: httpOnly (no script reads it), SameSite=Strict (no other site's
 * page sends it), Secure over HTTPS, for the whole server, ending with the browser session
 * (the server ends it sooner: idle and absolute expiry).
 */
function cookieHeader(value: string, secure: boolean, maxAge?: number): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : []), ...(maxAge === undefined ? [] : [`Max-Age=${maxAge}`])].join('; ');
}

export class ConsoleSessions {
  readonly #db: Knex;
  readonly #csrfKey: Buffer;
  readonly policy: userSessions.SessionPolicy;

  constructor(db: Knex, csrfKey: Buffer, policy: userSessions.SessionPolicy) {
    this.#db = db;
    this.#csrfKey = csrfKey;
    this.policy = policy;
  }

  csrfToken(sessionToken: string): string {
    return createHmac('sha256', this.#csrfKey).update(sessionToken).digest('base64url');
  }

  /** The session cookie's token, if the request has one. */
  tokenOf(request: FastifyRequest): string | undefined {
    return sessionCookieOf(request.headers.cookie);
  }

  setCookie(reply: FastifyReply, token: string, request: FastifyRequest): void {
    reply.header('set-cookie', cookieHeader(token, request.protocol === 'https'));
  }

  clearCookie(reply: FastifyReply, request: FastifyRequest): void {
    reply.header('set-cookie', cookieHeader('', request.protocol === 'https', 0));
  }

  /** The live session behind the cookie; undefined when it expired, ended or never was. */
  async find(token: string): Promise<userSessions.Session | undefined> {
    return userSessions.find(this.#db, token, this.policy);
  }

  /**
   * Authenticates a request by its session cookie: 401 when the session is gone, 403 when a
   * state-changing request lacks the CSRF token or the role lacks a scope.
   */
  async authenticate(request: FastifyRequest, reply: FastifyReply, token: string, scopes: readonly Scope[]): Promise<SessionIdentity> {
    const session = await this.find(token);
    if (session === undefined) {
      this.clearCookie(reply, request);
      throw new SwitchboardError('SB_UNAUTHORIZED', 'the console session has expired or ended: sign in again');
    }
    if (!SAFE_METHODS.has(request.method) && !this.#csrfMatches(request.headers[CSRF_HEADER], token)) {
      throw new SwitchboardError('SB_CSRF_FAILED', `a ${request.method} request of a console session needs the ${CSRF_HEADER} header given at sign-in (GET /session shows it again)`);
    }
    const granted = scopesOfRole(session.user.role);
    const missing = scopes.filter((s) => !granted.includes(s));
    if (missing.length > 0) {
      throw new SwitchboardError('SB_FORBIDDEN', `this route needs the scope ${missing.join(' ')}; the role ${session.user.role} of user "${session.user.username}" does not grant it`, {
        details: { required: scopes, granted, role: session.user.role },
      });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = { cid: `user:${session.user.username}`, scp: granted, iat: now, exp: Math.floor(Date.parse(session.expiresAt) / 1000), jti: '' };
    return { claims, user: session.user, expiresAt: session.expiresAt };
  }

  #csrfMatches(header: string | string[] | undefined, token: string): boolean {
    if (typeof header !== 'string') return false;
    const given = Buffer.from(header);
    const expected = Buffer.from(this.csrfToken(token));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
