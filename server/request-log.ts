// One log line per answered request (fastify's own request logging is off): method, the URL
// with sensitive query values (OAuth `code` and `state`, tokens, keys) redacted, route, status,
// duration and the calling client. Bodies and headers are never logged.
import type { FastifyInstance } from 'fastify';

const SENSITIVE = /code|state|token|secret|password|passwd|key|signature|auth|session/i;
export const REDACTED = '[REDACTED]';

/** The URL as it may be logged. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url.slice(0, 2000);
  const params = new URLSearchParams(url.slice(q + 1));
  const kept: string[] = [];
  for (const [k, v] of params) kept.push(`${encodeURIComponent(k)}=${SENSITIVE.test(k) ? REDACTED : encodeURIComponent(v)}`);
  return `${url.slice(0, q)}?${kept.join('&')}`.slice(0, 2000);
}

export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: loggableUrl(request.url),
        route: request.routeOptions.url,
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(request.auth === null ? {} : { client: request.auth.cid }),
      },
      'request completed',
    );
  });
}
