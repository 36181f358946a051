// Request bodies: JSON parsed with fastify's prototype-poisoning checks after a depth check
// (deeply nested input must not exhaust the stack later, when it is copied or stringified),
// and raw bodies kept as bytes where a signature is computed over them (webhooks).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SwitchboardError } from '../core/errors';
import { MAX_JSON_DEPTH, deeperThan } from '../core/util/json-depth';

/** Deeper JSON than this is refused with 400: no legitimate request nests further. */
export { MAX_JSON_DEPTH };

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, on routes that keep it (webhooks). */
    rawBody: Buffer | undefined;
  }
}

/** Whether JSON text nests arrays and objects deeper than `max` (strings are skipped). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  return deeperThan(text, max) >= 0;
}

function tooDeep(): SwitchboardError {
  return new SwitchboardError('SB_BAD_REQUEST', `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
}

type JsonParse = (text: string) => Promise<unknown>;

/** fastify's JSON parser (proto and constructor poisoning refused) behind the depth check. */
export function jsonParser(app: FastifyInstance): JsonParse {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (text) =>
    new Promise((resolve, reject) => {
      if (jsonTooDeep(text)) {
        reject(tooDeep());
        return;
      }
      parse({} as FastifyRequest, text, (err: Error | null, value?: unknown) => (err === null ? resolve(value) : reject(err)));
    });
}

/** Replaces the app's JSON parser with the depth-checked one; JSON is the only body type (415 otherwise). */
export function registerJsonBodies(app: FastifyInstance): void {
  const parse = jsonParser(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, async (_req: FastifyRequest, body: string | Buffer) => parse(String(body)));
}

/** In this scope, every body is kept as bytes in `request.rawBody`; the handler parses it. */
export function registerRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, async (req: FastifyRequest, body: string | Buffer) => {
    req.rawBody = Buffer.isBuffer(body) ? body : Buffer.from(body);
    return undefined;
  });
}

/** In this scope, JSON bodies arrive as their text (the definition validators report syntax errors themselves). */
export function registerTextJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, async (_req: FastifyRequest, body: string | Buffer) => String(body));
}
