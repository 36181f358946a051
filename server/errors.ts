// One error shape for every answer that is not a success, `{ statusCode, code, error,
// message }`: our own errors as they are, fastify's (validation, body parsing, unknown routes,
// malformed URLs) translated, and anything unexpected as SB_INTERNAL without its internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SwitchboardError, isSwitchboardError, type ErrorCode } from '../core/errors';
import { isDriverError, translateDbError } from '../core/store/db-errors';

/** The code used for a 4xx status fastify or a plugin answered with. */
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  401: 'SB_UNAUTHORIZED',
  403: 'SB_FORBIDDEN',
  404: 'SB_NOT_FOUND',
  409: 'SB_CONFLICT',
  412: 'SB_PRECONDITION_FAILED',
  413: 'SB_BODY_TOO_LARGE',
  415: 'SB_UNSUPPORTED_MEDIA_TYPE',
  429: 'SB_RATE_LIMITED',
};

const FASTIFY_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body: larger than this server accepts',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'headers/content-type: not a type this route accepts; send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body: empty, but Content-Type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'body: not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'headers: Content-Length does not match the body',
  FST_ERR_BAD_URL: 'url: not a valid URL (malformed percent-encoding)',
  FST_ERR_MAX_PARAM_LENGTH: 'url: a path parameter is too long',
};

type FastifyLikeError = Partial<FastifyError> & { validation?: unknown; validationContext?: string };

/** Any thrown value as the SwitchboardError sent to the client. */
export function toApiError(err: unknown): SwitchboardError {
  if (isSwitchboardError(err)) return err;
  // A database failure that escaped a guard (a transaction's COMMIT) keeps its own code.
  if (isDriverError(err)) return translateDbError(err, 'handling the request');
  const e = (err ?? {}) as FastifyLikeError;
  if (e.validation !== undefined) {
    return new SwitchboardError('SB_BAD_REQUEST', e.message ?? 'the request does not match its schema', {
      details: { location: e.validationContext ?? 'request' },
    });
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const known = e.code === undefined ? undefined : FASTIFY_MESSAGES[e.code];
    const code = CODE_BY_STATUS[status] ?? 'SB_BAD_REQUEST';
    const options = code === 'SB_BAD_REQUEST' && status !== 400 ? { status } : {};
    return new SwitchboardError(code, known ?? (typeof e.message === 'string' && e.message !== '' ? e.message : 'bad request'), options);
  }
  return new SwitchboardError('SB_INTERNAL', 'an unexpected error occurred; the server log has the details', { cause: err });
}

export type ErrorBody = ReturnType<SwitchboardError['toJSON']>;

/** Seconds a client should wait after a 503 (the database or the queue did not answer), unless the error says. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Sends `err` in the error shape; 5xx are logged with their cause, 4xx at debug level. */
export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(err);
  if (apiError.statusCode >= 500) request.log.error({ err, code: apiError.code }, `request failed: ${apiError.message}`);
  else request.log.debug({ code: apiError.code }, apiError.message);
  if (apiError.statusCode === 503 && !reply.hasHeader('retry-after')) {
    const seconds = apiError.details?.['retry_after_seconds'];
    reply.header('retry-after', String(typeof seconds === 'number' ? seconds : DEFAULT_RETRY_AFTER_SECONDS));
  }
  return reply.code(apiError.statusCode).type('application/json; charset=utf-8').send(apiError.toJSON());
}

/** Installs the error, not-found and framework-error handling on the root instance. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(new SwitchboardError('SB_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`), request, reply),
  );
}

/** For fastify's `frameworkErrors` option: errors raised before routing (bad URLs). */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(err, request, reply);
}
