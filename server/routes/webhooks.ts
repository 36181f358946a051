// Inbound webhooks: POST /webhooks/:connection. The connector's `webhooks.signature` is checked
// against the raw request (a connector without one needs a bearer token with `webhooks:write`),
// its timestamp against the tolerance window, and the delivery against the replay memory; then
// the records the delivery carries are ingested at once, or, when the connector does not say
// where records are, an incremental run of each mapping concerned is queued. A delivery that is
// not processed is forgotten again, so the API's retry is accepted.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import type { MappingDefinition } from '../../core/definitions';
import * as connections from '../../core/store/tables/connections';
import { getPath } from '../../core/util/path';
import { OAUTH2_SCHEME, WEBHOOK_SCHEME } from '../auth/scopes';
import type { Authenticator } from '../auth/hook';
import { jsonParser, registerRawBodies } from '../body';
import { loadConnection } from '../connections';
import { responses } from '../schemas/common';
import { runView } from '../schemas/engine';
import { ReplayMemory, deliveryExpiry, deliveryKeys } from '../webhooks/replay';
import { headerMap, webhookVerifier, type VerifiedDelivery } from '../webhooks/signature';

/** How long a provider should wait before delivering again when a run of the mapping is in progress. */
const RETRY_AFTER_SECONDS = 10;

interface Outcome {
  mapping: string;
  created: boolean;
  ingested: boolean;
  run: Record<string, unknown>;
}

const UNSIGNED: VerifiedDelivery = { signedPayload: undefined, signedAtMs: undefined };

/** The absolute URL the API called, as signatures over the URL (HubSpot v3) sign it. */
function calledUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  const base = publicUrl === undefined ? `${request.protocol}://${request.host}` : publicUrl.replace(/\/+$/, '');
  return `${base}${request.url}`;
}

export interface WebhookRouteOptions {
  auth: Authenticator;
  /** The server's public base URL (else the request's scheme and Host). */
  publicUrl: string | undefined;
}

export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  const engine = app.engine;
  const parse = jsonParser(app);
  const replays = new ReplayMemory(engine.db, engine.logger);
  registerRawBodies(app);

  app.post<{ Params: { connection: string } }>(
    '/webhooks/:connection',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Deliver a webhook to a connection',
        description:
          'Authenticated by the connector\'s `webhooks.signature` (an HMAC of the signed payload under any configured secret, or a shared token, in the header the connector names), or, for connectors without one, by a bearer token with `webhooks:write`. ' +
          '401 `SB_UNAUTHORIZED` for a missing or wrong signature; 401 `SB_WEBHOOK_STALE` for a valid one whose signed timestamp is outside the tolerance window; 409 `SB_WEBHOOK_REPLAYED` for a delivery already accepted (same signed payload or delivery id) within the replay window. Nothing is written in any of these cases. ' +
          'When the connector says where the delivery\'s records are (`webhooks.records`), they are written at once through every mapping of `webhooks.stream`; otherwise an incremental run of those mappings is queued. ' +
          `202 with one entry per mapping. 409 \`SB_CONFLICT\` with \`Retry-After\` when records arrive while a run of the mapping is running: deliver again later (that delivery is not remembered as received).`,
        security: [{ [WEBHOOK_SCHEME]: [] }, { [OAUTH2_SCHEME]: ['webhooks:write'] }],
        params: { type: 'object', required: ['connection'], properties: { connection: { type: 'string', minLength: 1, maxLength: 200, description: 'The connection id or name.' } } },
        body: { description: 'Whatever the API sends (kept as bytes for the signature check).' },
        response: responses({
          202: {
            type: 'object',
            required: ['results'],
            properties: {
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['mapping', 'created', 'ingested', 'run'],
                  properties: {
                    mapping: { type: 'string' },
                    created: { type: 'boolean', description: 'Whether a new run was made (false: one was already queued, which covers the change).' },
                    ingested: { type: 'boolean', description: 'Whether the delivered records were written.' },
                    run: { $ref: 'Run#' },
                  },
                },
              },
            },
          },
        }),
      },
    },
    async (request, reply) => {
      const connection = await loadConnection(engine, request.params.connection);
      const connector = engine.connector(connection.connectorId);
      const spec = connector.webhooks;
      if (spec === undefined) throw new SwitchboardError('SB_NOT_FOUND', `connector "${connector.id}" does not accept webhooks`);
      const raw = request.rawBody ?? Buffer.alloc(0);
      const headers = headerMap(request.headers);
      const now = Date.now();
      let delivery = UNSIGNED;
      if (spec.signature !== undefined) {
        const verifier = webhookVerifier(spec.signature);
        const config = await connections.loadConfig(engine.db, engine.box, connection.id);
        const result = verifier.verify({ method: request.method, url: calledUrl(request, options.publicUrl), path: request.url, headers, body: raw }, config, now);
        if (!result.ok) {
          request.log.warn({ connection: connection.id, code: result.code, reason: result.reason }, 'webhook refused');
          reply.header('www-authenticate', `Signature header="${verifier.header}"`);
          if (result.code === 'SB_WEBHOOK_STALE') throw new SwitchboardError('SB_WEBHOOK_STALE', `the webhook's signed timestamp is outside the tolerance window: ${result.reason}`);
          throw new SwitchboardError('SB_UNAUTHORIZED', 'the webhook signature is missing or does not match');
        }
        delivery = result.delivery;
      } else {
        await options.auth.authenticate(request, reply, ['webhooks:write']);
      }
      if (connection.status === 'disabled') throw new SwitchboardError('SB_CONFLICT', `connection "${connection.name}" is disabled`);

      const mappings: MappingDefinition[] = [...engine.registry.mappings.values()].filter((m) => m.connector === connector.id && (spec.stream === undefined || m.stream === spec.stream));
      let records: unknown[] | undefined;
      if (spec.records !== undefined) {
        const body = raw.length === 0 ? undefined : await parse(raw.toString('utf8'));
        const found = getPath(body, spec.records);
        if (!Array.isArray(found)) throw new SwitchboardError('SB_BAD_REQUEST', `body: no array of records at "${spec.records}"`);
        records = found;
      }

      // The insert that records the delivery is the replay check (one statement, every process).
      const keys = deliveryKeys(spec, delivery, headers);
      if (!(await replays.remember(connection.id, keys, deliveryExpiry(spec, delivery, now), new Date(now)))) {
        request.log.warn({ connection: connection.id }, 'webhook replay refused');
        throw new SwitchboardError('SB_WEBHOOK_REPLAYED', 'this delivery was already received: a webhook is accepted once');
      }
      const results: Outcome[] = [];
      let busy = false;
      try {
        if (records !== undefined) {
          for (const m of mappings) {
            // A run of its own, by the run executor (core/runs/kinds/ingest.ts).
            const { run, ingested } = await engine.ingest(connection.id, m.id, records);
            // A queued run reads what changed when it starts, so it covers the delivery; a running one may be past it.
            if (!ingested && run.status === 'running') busy = true;
            results.push({ mapping: m.id, created: ingested, ingested, run: runView(run) });
          }
        } else {
          for (const m of mappings) {
            const { run, created } = await engine.requestRun({ connection: connection.id, mapping: m.id, mode: 'incremental', direction: 'pull', trigger: 'webhook' });
            results.push({ mapping: m.id, created, ingested: false, run: runView(run) });
          }
        }
      } catch (err) {
        await forgetQuietly(connection.id, keys);
        throw err;
      }
      request.log.info({ connection: connection.id, mappings: results.length, ingested: results.filter((r) => r.ingested).length }, 'webhook received');
      if (busy) {
        // Not (wholly) processed: the API's delivery again must not count as a replay.
        await forgetQuietly(connection.id, keys);
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        throw new SwitchboardError('SB_CONFLICT', 'a run of a mapping of this webhook is running: deliver again later', { details: { results } });
      }
      return reply.code(202).send({ results });
    },
  );

  async function forgetQuietly(connectionId: string, keys: readonly string[]): Promise<void> {
    try {
      await replays.forget(connectionId, keys);
    } catch (err) {
      // The delivery stays remembered until it expires: its retry is refused as a replay until then.
      engine.logger.error({ err, connection: connectionId }, 'could not release a webhook delivery that was not processed');
    }
  }
}
