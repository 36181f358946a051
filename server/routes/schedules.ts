// Schedules of a connection: list (with their next fire times in their own time zones), add
// (several per mapping and direction: an incremental run every 15 minutes and a full run every
// night), put (create or replace the one default schedule of a mapping and direction), change,
// delete. Cron expressions and time zones are checked before anything is stored.
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import { nextFireTime } from '../../core/queue/memory';
import * as schedules from '../../core/store/tables/schedules';
import type { RunDirection, RunMode } from '../../core/store/tables/sync-runs';
import { requires } from '../auth/scopes';
import { loadConnection, unprocessable } from '../connections';
import { EMPTY, idParams, responses, type IdParams } from '../schemas/common';
import { RUN_DIRECTIONS, RUN_MODES, scheduleView } from '../schemas/engine';

interface PutBody {
  mapping: string | null;
  cron: string;
  timezone: string;
  direction: RunDirection;
  mode: RunMode;
  enabled: boolean;
  name?: string | null;
}

type PatchBody = schedules.SchedulePatch;

const SCHEDULE = { $ref: 'Schedule#' } as const;

const fields = {
  name: { type: ['string', 'null'], minLength: 1, maxLength: 100, description: 'A label, e.g. `nightly full`.' },
  cron: { type: 'string', minLength: 1, maxLength: 100, description: 'Cron expression: 5 fields, or 6 with seconds, e.g. `*/15 * * * *`.' },
  timezone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone of the expression, e.g. `Europe/Paris`.' },
  mode: { type: 'string', enum: RUN_MODES },
  enabled: { type: 'boolean' },
} as const;

const scheduleBody = {
  type: 'object',
  required: ['mapping', 'cron'],
  additionalProperties: false,
  properties: {
    mapping: { type: ['string', 'null'], maxLength: 100, description: 'The mapping to run; null: every mapping of the connector.' },
    ...fields,
    timezone: { ...fields.timezone, default: 'UTC' },
    direction: { type: 'string', enum: RUN_DIRECTIONS, default: 'pull' },
    mode: { ...fields.mode, default: 'incremental' },
    enabled: { ...fields.enabled, default: true },
  },
} as const;

const scheduleParams = {
  type: 'object',
  required: ['id', 'schedule'],
  properties: { id: idParams.properties.id, schedule: { type: 'string', minLength: 1, maxLength: 100, description: 'The schedule id.' } },
} as const;

export async function scheduleRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const tags = ['schedules'];

  /** The connection's schedule of that id, or 404. */
  async function scheduleOf(connection: string, id: string): Promise<{ connectionName: string; schedule: schedules.Schedule }> {
    const c = await loadConnection(engine, connection);
    const found = (await schedules.list(engine.db, { connectionId: c.id })).find((s) => s.id === id);
    if (found === undefined) throw new SwitchboardError('SB_NOT_FOUND', `connection "${c.name}" has no schedule "${id}"`);
    return { connectionName: c.name, schedule: found };
  }

  function input(connectionId: string, body: PutBody): Parameters<typeof engine.putSchedule>[0] {
    nextFireTime(body.cron, body.timezone);
    return { connection: connectionId, mapping: body.mapping, cron: body.cron, timezone: body.timezone, direction: body.direction, mode: body.mode, enabled: body.enabled, ...(body.name === undefined ? {} : { name: body.name }) };
  }

  app.get<{ Params: IdParams }>(
    '/connections/:id/schedules',
    { schema: { tags, summary: 'List a connection\'s schedules, with their next fire times', security: requires('connections:read'), params: idParams, response: responses({ 200: { type: 'array', items: SCHEDULE } }) } },
    async (request) => {
      const c = await loadConnection(engine, request.params.id);
      const now = new Date();
      return (await schedules.list(engine.db, { connectionId: c.id })).map((s) => scheduleView(s, now));
    },
  );

  app.post<{ Params: IdParams; Body: PutBody }>(
    '/connections/:id/schedules',
    {
      schema: {
        tags,
        summary: 'Add a schedule',
        description: 'A new schedule beside the others, even of the same mapping and direction (an incremental run every 15 minutes and a full run every night). 400 for an invalid cron expression or time zone.',
        security: requires('connections:admin'),
        params: idParams,
        body: scheduleBody,
        response: responses({ 201: SCHEDULE }),
      },
    },
    async (request, reply) => {
      const c = await loadConnection(engine, request.params.id);
      const schedule = await unprocessable(() => engine.addSchedule(input(c.id, request.body)));
      request.log.info({ connection: c.id, schedule: schedule.key }, 'schedule added');
      return reply.code(201).send(scheduleView(schedule));
    },
  );

  app.put<{ Params: IdParams; Body: PutBody }>(
    '/connections/:id/schedules',
    {
      schema: {
        tags,
        summary: 'Create or replace the default schedule of a mapping and direction',
        description: 'One default schedule per connection, mapping (or all mappings: `mapping: null`) and direction; putting it again replaces it. Schedules added with POST are left alone. 400 for an invalid cron expression or time zone.',
        security: requires('connections:admin'),
        params: idParams,
        body: scheduleBody,
        response: responses({ 200: SCHEDULE }),
      },
    },
    async (request) => {
      const c = await loadConnection(engine, request.params.id);
      const schedule = await unprocessable(() => engine.putSchedule(input(c.id, request.body)));
      request.log.info({ connection: c.id, schedule: schedule.key }, 'schedule saved');
      return scheduleView(schedule);
    },
  );

  app.patch<{ Params: IdParams & { schedule: string }; Body: PatchBody }>(
    '/connections/:id/schedules/:schedule',
    {
      schema: {
        tags,
        summary: 'Change a schedule',
        description: 'Its name, cron expression, time zone, mode, or enabled state (a disabled schedule fires nothing). The mapping and direction stay.',
        security: requires('connections:admin'),
        params: scheduleParams,
        body: { type: 'object', minProperties: 1, additionalProperties: false, properties: fields },
        response: responses({ 200: SCHEDULE }),
      },
    },
    async (request) => {
      const { schedule } = await scheduleOf(request.params.id, request.params.schedule);
      const body = request.body;
      nextFireTime(body.cron ?? schedule.cron, body.timezone ?? schedule.timezone);
      const updated = await engine.updateSchedule(schedule.id, body);
      request.log.info({ schedule: updated.key }, 'schedule changed');
      return scheduleView(updated);
    },
  );

  app.delete<{ Params: IdParams & { schedule: string } }>(
    '/connections/:id/schedules/:schedule',
    { schema: { tags, summary: 'Delete a schedule', security: requires('connections:admin'), params: scheduleParams, response: responses({ 204: EMPTY }) } },
    async (request, reply) => {
      const { schedule } = await scheduleOf(request.params.id, request.params.schedule);
      await engine.removeSchedule(schedule.key);
      return reply.code(204).send();
    },
  );
}
