// The HTTP API as a fastify app: validation compilers, the error shape, bearer auth, per-client
// rate limits, metrics, the OpenAPI document, and one plugin per route group. Tests drive it
// with `app.inject()`; `switchboard serve` listens with it.
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import Redis from 'ioredis';
import type { Engine } from '../core/engine';
import { SwitchboardError } from '../core/errors';
import type { Logger } from '../core/logger';
import * as userSessions from '../core/store/tables/user-sessions';
import * as users from '../core/store/tables/users';
import { createAuthenticator, installAuth } from './auth/hook';
import { ConsoleSessions } from './auth/session';
import { consoleRoutes, defaultUiDir, UI_PREFIX } from './console';
import { DEFAULT_TOKEN_TTL_SECONDS, TokenSigner } from './auth/tokens';
import { registerJsonBodies } from './body';
import { frameworkErrorHandler, installErrorHandling } from './errors';
import { createMetrics } from './metrics';
import { DOCS_PREFIX, registerOpenApi } from './openapi';
import { fallbackRateLimitStore } from './rate-limit-store';
import { logRequests } from './request-log';
import { connectionOAuthRoutes } from './routes/connection-oauth';
import { connectionRoutes } from './routes/connections';
import { crmRoutes } from './routes/crm';
import { crmHistoryRoutes } from './routes/crm-history';
import { definitionRoutes } from './routes/definitions';
import { healthRoutes, type Pingable } from './routes/health';
import { oauthTokenRoutes } from './routes/oauth-token';
import { runRoutes } from './routes/runs';
import { scheduleRoutes } from './routes/schedules';
import { sessionRoutes } from './routes/session';
import { workbenchRoutes } from './routes/workbench';
import { webhookRoutes } from './routes/webhooks';
import { errorSchema } from './schemas/common';
import { ENGINE_SCHEMAS } from './schemas/engine';
import { allEntitySchemas } from './schemas/entities';
import { createValidators, validationMessage } from './validation';

declare module 'fastify' {
  interface FastifyInstance {
    engine: Engine;
    /** Every route registered (method and URL pattern), HEAD routes and the docs' own included. */
    routeList: Array<{ method: string; url: string }>;
  }
}

export interface BuildAppOptions {
  /** Where request and error logs go (default the engine's logger). */
  logger?: Logger;
  /** Lifetime of issued bearer tokens (default 900 s). */
  tokenTtlSeconds?: number;
  /** Requests per client (per address without a token) and window; false turns limits off. Default 6000 per minute. */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  /** Token requests per minute from one address (default 30). */
  tokenRequestsPerMinute?: number;
  /** The server's public base URL, e.g. `https://switchboard.example.com` (OAuth redirect URIs, the OpenAPI `servers`). */
  publicUrl?: string;
  /** Redis for /health and shared rate limits (default the engine's; none when unset). */
  redisUrl?: string;
  /** Key prefix of the rate-limit counters in Redis (default `switchboard:api-rate:`, after SWITCHBOARD_QUEUE_PREFIX). */
  rateLimitPrefix?: string;
  /** Largest accepted request body in bytes (default 2 MiB). */
  bodyLimit?: number;
  /** Trust X-Forwarded-* headers (behind a reverse proxy). Default false. */
  trustProxy?: boolean;
  /** Serve Swagger UI at /docs (default true). */
  docsUi?: boolean;
  /** The built console (default dist/ui of the package); false serves none. */
  uiDir?: string | false;
  /** Console sessions: idle and absolute expiry (default 2 h and 12 h). */
  sessions?: Partial<userSessions.SessionPolicy>;
  /** Console sign-in lockout (default 5 failures lock for 15 minutes). */
  lockout?: Partial<users.LockoutPolicy>;
  /** Sign-in attempts per minute from one address (default 30). */
  signInsPerMinute?: number;
}

export const DEFAULT_RATE_LIMIT = { max: 6000, timeWindowMs: 60_000 };

/** Every route must say who may call it: a forgotten `security` fails at startup, not in production. */
function requireSecurity(app: FastifyInstance): void {
  const routes: FastifyInstance['routeList'] = [];
  app.decorate('routeList', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url });
    if (route.url.startsWith(DOCS_PREFIX) || route.url.startsWith(UI_PREFIX)) return;
    if (!Array.isArray(route.schema?.security)) throw new Error(`route ${String(route.method)} ${route.url} declares no schema.security`);
  });
}

function redisClient(url: string | undefined): Redis | undefined {
  if (url === undefined || url === '') return undefined;
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2000 });
}

export async function buildApp(engine: Engine, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const validators = createValidators();
  const app = fastify({
    loggerInstance: (options.logger ?? engine.logger) as FastifyBaseLogger,
    // One line per request is written by request-log.ts, with sensitive query values redacted.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    requestTimeout: 30_000,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    trustProxy: options.trustProxy ?? false,
    frameworkErrors: frameworkErrorHandler,
    schemaErrorFormatter: (errors, dataVar) => new Error(validationMessage(errors, dataVar)),
  });
  app.setValidatorCompiler(({ schema, httpPart }) => validators.compile(httpPart, schema));
  app.decorate('engine', engine);
  installErrorHandling(app);
  registerJsonBodies(app);
  for (const schema of [errorSchema, ...allEntitySchemas(), ...ENGINE_SCHEMAS]) {
    app.addSchema(schema);
    validators.addSchema(schema as typeof schema & { $id: string });
  }
  requireSecurity(app);

  const signer = new TokenSigner(engine.box.deriveKey('api-tokens'), options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS);
  const sessions = new ConsoleSessions(engine.db, engine.box.deriveKey('console-csrf'), { ...userSessions.DEFAULT_SESSION_POLICY, ...options.sessions });
  const auth = createAuthenticator(signer, engine.db, sessions);
  installAuth(app, auth);
  logRequests(app);
  const metrics = createMetrics(app, engine);
  const redis = redisClient(options.redisUrl ?? engine.redisUrl);
  app.addHook('onClose', async () => redis?.disconnect());

  await registerOpenApi(app, options.publicUrl, options.docsUi ?? true);
  const limits = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  if (limits !== false) {
    await app.register(rateLimit, {
      global: true,
      max: limits.max,
      timeWindow: limits.timeWindowMs,
      // Runs after the auth hook (route hooks follow the app's): authenticated callers are
      // limited per client, the rest per address.
      keyGenerator: (request) => (request.auth === null ? `ip:${request.ip}` : `client:${request.auth.cid}`),
      errorResponseBuilder: (_request, ctx) => new SwitchboardError('SB_RATE_LIMITED', `too many requests: retry in ${ctx.after}`, { status: ctx.statusCode }),
      // With Redis, counters are shared by every process, and kept in this one while Redis is
      // unreachable (never skipped: the store does not fail). Without Redis, in this process.
      skipOnError: false,
      ...(redis === undefined
        ? {}
        : { store: fallbackRateLimitStore({ redis, prefix: options.rateLimitPrefix ?? `${engine.config.queuePrefix}:api-rate:`, logger: options.logger ?? engine.logger }) }),
    });
  }

  await app.register(oauthTokenRoutes, { signer, perMinute: options.tokenRequestsPerMinute ?? 30 });
  await app.register(sessionRoutes, { sessions, lockout: { ...users.DEFAULT_LOCKOUT, ...options.lockout }, perMinute: options.signInsPerMinute ?? 30 });
  await app.register(healthRoutes, { redis: redis as Pingable | undefined, metrics });
  await app.register(definitionRoutes);
  await app.register(connectionRoutes);
  await app.register(connectionOAuthRoutes, { publicUrl: options.publicUrl });
  await app.register(scheduleRoutes);
  await app.register(runRoutes);
  await app.register(webhookRoutes, { auth, publicUrl: options.publicUrl });
  await app.register(crmRoutes);
  await app.register(crmHistoryRoutes);
  await app.register(workbenchRoutes);
  const uiDir = options.uiDir ?? defaultUiDir();
  if (uiDir !== false) await app.register(consoleRoutes, { dir: uiDir });
  return app;
}
