// Schedules of a connection: list, put (create or replace the one of its mapping and
// direction), delete. Cron expressions are checked before anything is stored.
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
}

const SCHEDULE = { $ref: 'Schedule#' } as const;

export async function scheduleRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const tags = ['schedules'];

  app.get<{ Params: IdParams }>(
    '/connections/:id/schedules',
    { schema: { tags, summary: 'List a connection\'s schedules', security: requires('connections:read'), params: idParams, response: responses({ 200: { type: 'array', items: SCHEDULE } }) } },
    async (request) => {
      const c = await loadConnection(engine, request.params.id);
      return (await schedules.list(engine.db, { connectionId: c.id })).map(scheduleView);
    },
  );

  app.put<{ Params: IdParams; Body: PutBody }>(
    '/connections/:id/schedules',
    {
      schema: {
        tags,
        summary: 'Create or replace a schedule',
        description: 'One schedule per connection, mapping (or all mappings: `mapping: null`) and direction; putting it again replaces it. 400 for an invalid cron expression or time zone.',
        security: requires('connections:admin'),
        params: idParams,
        body: {
          type: 'object',
          required: ['mapping', 'cron'],
          additionalProperties: false,
          properties: {
            mapping: { type: ['string', 'null'], maxLength: 100, description: 'The mapping to run; null: every mapping of the connector.' },
            cron: { type: 'string', minLength: 1, maxLength: 100, description: 'Cron expression: 5 fields, or 6 with seconds, e.g. `*/15 * * * *`.' },
            timezone: { type: 'string', minLength: 1, maxLength: 64, default: 'UTC', description: 'IANA time zone of the expression.' },
            direction: { type: 'string', enum: RUN_DIRECTIONS, default: 'pull' },
            mode: { type: 'string', enum: RUN_MODES, default: 'incremental' },
            enabled: { type: 'boolean', default: true },
          },
        },
        response: responses({ 200: SCHEDULE }),
      },
    },
    async (request) => {
      const c = await loadConnection(engine, request.params.id);
      const body = request.body;
      nextFireTime(body.cron, body.timezone);
      const schedule = await unprocessable(() =>
        engine.putSchedule({ connection: c.id, mapping: body.mapping, cron: body.cron, timezone: body.timezone, direction: body.direction, mode: body.mode, enabled: body.enabled }),
      );
      request.log.info({ connection: c.id, schedule: schedule.key }, 'schedule saved');
      return scheduleView(schedule);
    },
  );

  app.delete<{ Params: IdParams & { schedule: string } }>(
    '/connections/:id/schedules/:schedule',
    {
      schema: {
        tags,
        summary: 'Delete a schedule',
        security: requires('connections:admin'),
        params: { type: 'object', required: ['id', 'schedule'], properties: { id: idParams.properties.id, schedule: { type: 'string', minLength: 1, maxLength: 100, description: 'The schedule id.' } } },
        response: responses({ 204: EMPTY }),
      },
    },
    async (request, reply) => {
      const c = await loadConnection(engine, request.params.id);
      const found = (await schedules.list(engine.db, { connectionId: c.id })).find((s) => s.id === request.params.schedule);
      if (found === undefined) throw new SwitchboardError('SB_NOT_FOUND', `connection "${c.name}" has no schedule "${request.params.schedule}"`);
      await engine.removeSchedule(found.key);
      return reply.code(204).send();
    },
  );
}
