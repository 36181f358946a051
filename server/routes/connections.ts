// Connections: create (config checked against the connector's config_schema), list, get,
// update, delete, and check (the connector's check request, with the stored credentials).
// Secret settings are write-only: answers only say whether each is set.
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import { checkConnection } from '../../core/http';
import * as connections from '../../core/store/tables/connections';
import * as schedules from '../../core/store/tables/schedules';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { requires } from '../auth/scopes';
import { clientOf, loadConnection, unprocessable, viewOf } from '../connections';
import { ANY_OBJECT, EMPTY, idParams, responses, type IdParams } from '../schemas/common';

const NAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,199}$', description: 'Unique name: letters, digits, spaces, `.`, `_`, `-`.' } as const;
const CONNECTION = { $ref: 'Connection#' } as const;

interface CreateBody {
  name: string;
  connector: string;
  config: Record<string, unknown>;
}

interface PatchBody {
  name?: string;
  status?: connections.ConnectionStatus;
  config?: Record<string, unknown>;
}

const checkResult = {
  type: 'object',
  required: ['ok', 'request', 'source', 'duration_ms'],
  properties: {
    ok: { type: 'boolean' },
    request: { type: 'string', description: 'What was sent, e.g. `GET /crm/v3/objects/contacts`.' },
    source: { type: 'string', description: '`check`, or `stream:<name>` when the connector has no check request.' },
    status: { type: 'integer', description: 'The API\'s answer status, when it answered.' },
    duration_ms: { type: 'integer' },
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, cause: { type: 'string' } } },
  },
} as const;

export async function connectionRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const tags = ['connections'];

  app.post<{ Body: CreateBody }>(
    '/connections',
    {
      schema: {
        tags,
        summary: 'Create a connection',
        description: 'The config is checked against the connector\'s `config_schema` (422 `SB_CONNECTION_CONFIG_INVALID`); secret settings are encrypted at rest. 409 when the name is taken.',
        security: requires('connections:admin'),
        body: {
          type: 'object',
          required: ['name', 'connector', 'config'],
          additionalProperties: false,
          properties: { name: NAME, connector: { type: 'string', maxLength: 100, description: 'A loaded connector id.' }, config: { ...ANY_OBJECT, description: 'The settings, secret ones included.' } },
        },
        response: responses({ 201: CONNECTION }),
      },
    },
    async (request, reply) => {
      const { name, connector, config } = request.body;
      await unprocessable(() => engine.connector(connector));
      const created = await engine.createConnection({ name, connectorId: connector, config });
      request.log.info({ connection: created.id, connector }, 'connection created');
      return reply.code(201).header('location', `/connections/${created.id}`).send(viewOf(engine, created));
    },
  );

  app.get('/connections', { schema: { tags, summary: 'List connections', security: requires('connections:read'), response: responses({ 200: { type: 'array', items: CONNECTION } }) } }, async () =>
    (await connections.list(engine.db, engine.box)).map((c) => viewOf(engine, c)),
  );

  app.get<{ Params: IdParams }>(
    '/connections/:id',
    { schema: { tags, summary: 'Get a connection (by id or name)', security: requires('connections:read'), params: idParams, response: responses({ 200: CONNECTION }) } },
    async (request) => viewOf(engine, await loadConnection(engine, request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: PatchBody }>(
    '/connections/:id',
    {
      schema: {
        tags,
        summary: 'Update a connection',
        description: '`config` is merged into the stored settings (null removes one) and the result checked against the connector\'s `config_schema`.',
        security: requires('connections:admin'),
        params: idParams,
        body: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: { name: NAME, status: { type: 'string', enum: ['active', 'disabled'] }, config: { ...ANY_OBJECT, description: 'Settings to change; null removes one.' } },
        },
        response: responses({ 200: CONNECTION }),
      },
    },
    async (request) => {
      const current = await loadConnection(engine, request.params.id);
      const { name, status, config } = request.body;
      const updated = await engine.updateConnection(current.id, { ...(name === undefined ? {} : { name }), ...(status === undefined ? {} : { status }), ...(config === undefined ? {} : { config }) });
      request.log.info({ connection: current.id }, 'connection updated');
      return viewOf(engine, updated);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/connections/:id',
    {
      schema: {
        tags,
        summary: 'Delete a connection',
        description: 'With its schedules, runs, state and record links (the CRM records stay). 409 while a run is queued or running: cancel it first.',
        security: requires('connections:admin'),
        params: idParams,
        response: responses({ 204: EMPTY }),
      },
    },
    async (request, reply) => {
      const current = await loadConnection(engine, request.params.id);
      const active = await syncRuns.list(engine.db, { connectionId: current.id, status: syncRuns.ACTIVE_STATUSES, limit: 1 });
      if (active.length > 0) throw new SwitchboardError('SB_CONFLICT', `connection "${current.name}" has a ${active[0]!.status} run (${active[0]!.id}); cancel it first`, { details: { run: active[0]!.id } });
      for (const s of await schedules.list(engine.db, { connectionId: current.id })) await engine.removeSchedule(s.key);
      await connections.remove(engine.db, current.id);
      request.log.info({ connection: current.id }, 'connection deleted');
      return reply.code(204).send();
    },
  );

  app.post<{ Params: IdParams }>(
    '/connections/:id/check',
    {
      schema: {
        tags,
        summary: 'Check a connection\'s credentials',
        description: 'Sends the connector\'s `check` request (else the first page of its first stream). 200 either way: `ok` says whether it worked, `error` why not (secrets redacted).',
        security: requires('connections:admin'),
        params: idParams,
        response: responses({ 200: checkResult }),
      },
    },
    async (request) => {
      const { client } = await clientOf(engine, await loadConnection(engine, request.params.id));
      const result = await checkConnection(client);
      return {
        ok: result.ok,
        request: result.request,
        source: result.source,
        ...(result.status === undefined ? {} : { status: result.status }),
        duration_ms: result.durationMs,
        ...(result.error === undefined ? {} : { error: { code: result.error.code, message: result.error.message, ...(typeof result.error.details?.['cause'] === 'string' ? { cause: result.error.details['cause'] } : {}) } }),
      };
    },
  );
}
