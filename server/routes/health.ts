// GET /health (public): the database answers, and Redis too when REDIS_URL is set; 503 in the
// error shape, naming what failed, otherwise. GET /metrics: Prometheus text format.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { SwitchboardError, errorMessage, type ErrorCode } from '../../core/errors';
import { PUBLIC, requires } from '../auth/scopes';
import { responses } from '../schemas/common';

/** Something that answers PING (an ioredis client). */
export interface Pingable {
  ping(): Promise<string>;
}

const CHECK_TIMEOUT_MS = 2000;

async function probe(fn: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)))]);
    return 'ok';
  } catch (err) {
    return `failed: ${errorMessage(err).slice(0, 200)}`;
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, options: { redis: Pingable | undefined; metrics: Registry }): Promise<void> {
  const engine = app.engine;

  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and dependencies',
        description: '200 when the database (and Redis, when REDIS_URL is set) answer; 503 otherwise, `details.checks` saying which failed. Needs no token.',
        security: PUBLIC,
        response: responses({
          200: {
            type: 'object',
            required: ['status', 'checks'],
            properties: { status: { type: 'string', enum: ['ok'] }, queue: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } },
          },
        }),
      },
    },
    async () => {
      const checks: Record<string, string> = { database: await probe(() => engine.db.raw('select 1')) };
      if (options.redis !== undefined) checks['redis'] = await probe(() => options.redis!.ping());
      const failed = Object.entries(checks).filter(([, v]) => v !== 'ok');
      if (failed.length > 0) {
        const code: ErrorCode = checks['database'] !== 'ok' ? 'SB_DB_UNAVAILABLE' : 'SB_QUEUE_UNAVAILABLE';
        throw new SwitchboardError(code, `unhealthy: ${failed.map(([k]) => k).join(', ')} not reachable`, { details: { checks } });
      }
      return { status: 'ok', queue: engine.queue.kind, checks };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description: 'HTTP requests (`switchboard_http_requests_total`, `switchboard_http_request_duration_seconds`), queue jobs (`switchboard_queue_jobs`), runs by status (`switchboard_sync_runs`) and process metrics.',
        security: requires('metrics:read'),
        produces: ['text/plain'],
        response: responses({ 200: { type: 'string', description: 'Prometheus text exposition format.' } }),
      },
    },
    async (_request, reply) => reply.type(options.metrics.contentType).send(await options.metrics.metrics()),
  );
}
