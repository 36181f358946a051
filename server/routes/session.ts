// Console sign-in: POST /session checks a user's password (bcrypt; repeated failures lock the
// user for a while) and sets the session cookie; GET /session says who is signed in, with the
// scopes of their role and the CSRF token; DELETE /session signs out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import * as userSessions from '../../core/store/tables/user-sessions';
import * as users from '../../core/store/tables/users';
import { scopesOfRole } from '../auth/roles';
import { PUBLIC, SESSION_SCHEME } from '../auth/scopes';
import type { ConsoleSessions } from '../auth/session';
import { EMPTY, responses } from '../schemas/common';

export interface SessionRouteOptions {
  sessions: ConsoleSessions;
  lockout: users.LockoutPolicy;
  /** Sign-in attempts per minute from one address. */
  perMinute: number;
}

const sessionView = {
  type: 'object',
  required: ['user', 'scopes', 'csrf_token', 'expires_at'],
  properties: {
    user: {
      type: 'object',
      required: ['id', 'username', 'role'],
      properties: { id: { type: 'string' }, username: { type: 'string' }, role: { type: 'string', enum: users.USER_ROLES } },
    },
    scopes: { type: 'array', items: { type: 'string' }, description: 'What the role grants: the same scopes as bearer tokens carry.' },
    csrf_token: { type: 'string', description: 'Send it as the `x-csrf-token` header on every request that is not GET or HEAD.' },
    expires_at: { type: 'string', format: 'date-time', description: 'When the session ends if unused until then (each use moves it, up to its absolute end).' },
  },
} as const;

const SESSION_ONLY = [{ [SESSION_SCHEME]: [] }];

function view(sessions: ConsoleSessions, token: string, user: users.User, expiresAt: string): Record<string, unknown> {
  return { user: { id: user.id, username: user.username, role: user.role }, scopes: scopesOfRole(user.role), csrf_token: sessions.csrfToken(token), expires_at: expiresAt };
}

/** The request's session, or 401. */
async function current(sessions: ConsoleSessions, request: FastifyRequest, reply: FastifyReply): Promise<{ token: string; user: users.User; expiresAt: string }> {
  const token = sessions.tokenOf(request);
  if (token === undefined) throw new SwitchboardError('SB_UNAUTHORIZED', 'not signed in: POST /session with a username and password');
  const identity = await sessions.authenticate(request, reply, token, []);
  return { token, user: identity.user, expiresAt: identity.expiresAt };
}

export async function sessionRoutes(app: FastifyInstance, options: SessionRouteOptions): Promise<void> {
  const { sessions } = options;
  const db = app.engine.db;
  const tags = ['session'];

  app.post<{ Body: { username: string; password: string } }>(
    '/session',
    {
      config: { rateLimit: { max: options.perMinute, timeWindow: 60_000 } },
      schema: {
        tags,
        summary: 'Sign in to the console',
        description: `Checks the password of a user made with \`switchboard users create\` and sets the session cookie (httpOnly, SameSite=Strict, Secure over HTTPS). 401 \`SB_LOGIN_FAILED\` for a wrong username or password; after ${options.lockout.maxFailedAttempts} failures in a row the user is locked for ${Math.round(options.lockout.lockMs / 60_000)} minutes (423 \`SB_ACCOUNT_LOCKED\` with \`Retry-After\`).`,
        security: PUBLIC,
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 1000 } },
        },
        response: responses({ 200: sessionView }),
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const result = await users.signIn(db, username, password, options.lockout);
      if (!result.ok) {
        request.log.info({ username, reason: result.reason }, 'console sign-in refused');
        if (result.reason === 'locked') {
          const seconds = Math.max(1, Math.ceil((Date.parse(result.lockedUntil) - Date.now()) / 1000));
          reply.header('retry-after', String(seconds));
          throw new SwitchboardError('SB_ACCOUNT_LOCKED', `user "${username}" is locked after repeated failed sign-ins; try again in ${seconds} s`, { details: { locked_until: result.lockedUntil } });
        }
        throw new SwitchboardError('SB_LOGIN_FAILED', 'wrong username or password');
      }
      // Sessions past their absolute end are deleted here: sign-ins are rare, reads are not.
      await userSessions.purgeExpired(db);
      const { token, expiresAt } = await userSessions.create(db, result.user.id, sessions.policy);
      sessions.setCookie(reply, token, request);
      request.log.info({ user: result.user.username }, 'console sign-in');
      return reply.header('cache-control', 'no-store').send(view(sessions, token, result.user, expiresAt));
    },
  );

  app.get(
    '/session',
    { schema: { tags, summary: 'The signed-in user, their scopes and CSRF token', description: '401 when not signed in or the session expired.', security: SESSION_ONLY, response: responses({ 200: sessionView }) } },
    async (request, reply) => {
      const s = await current(sessions, request, reply);
      return reply.header('cache-control', 'no-store').send(view(sessions, s.token, s.user, s.expiresAt));
    },
  );

  app.delete(
    '/session',
    { schema: { tags, summary: 'Sign out', description: 'Ends the session (needs the `x-csrf-token` header) and clears the cookie.', security: SESSION_ONLY, response: responses({ 204: EMPTY }) } },
    async (request, reply) => {
      const s = await current(sessions, request, reply);
      await userSessions.remove(db, s.token);
      sessions.clearCookie(reply, request);
      request.log.info({ user: s.user.username }, 'console sign-out');
      return reply.code(204).send();
    },
  );
}
