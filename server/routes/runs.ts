// Sync runs: ask for one (202: accepted, whether new or the run already queued or running for
// the same connection and mapping), list with filters and pagination, get with progress and
// counts, cancel, and read the records a run rejected (pages, or all as JSON lines).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import * as connections from '../../core/store/tables/connections';
import * as rejectedRecords from '../../core/store/tables/rejected-records';
import * as runCosts from '../../core/store/tables/run-costs';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { requires } from '../auth/scopes';
import { unprocessable } from '../connections';
import { idParams, pageFrom, pageOf, pageQuery, responses, rowsToFetch, type IdParams, type PageQuery } from '../schemas/common';
import { RUN_DIRECTIONS, RUN_MODES, RUN_STATUSES, rejectedView, runView } from '../schemas/engine';

const RUN = { $ref: 'Run#' } as const;

interface RunBody {
  mapping: string;
  mode: syncRuns.RunMode;
  direction: syncRuns.RunDirection;
}

interface RunListQuery extends PageQuery {
  connection?: string;
  mapping?: string;
  status?: syncRuns.RunStatus[];
  direction?: syncRuns.RunDirection;
}

/** Run ids are UUIDv7, time-ordered: a page's cursor is its last id. */
function checkCursor(cursor: string | undefined): string | undefined {
  if (cursor !== undefined && !/^[0-9a-f-]{36}$/.test(cursor)) throw new SwitchboardError('SB_DB_INVALID_CURSOR', 'the cursor is not one this list issued');
  return cursor;
}

export async function runRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const tags = ['runs'];

  app.post<{ Params: IdParams; Body: RunBody }>(
    '/connections/:id/runs',
    {
      schema: {
        tags,
        summary: 'Start a sync run',
        description:
          '202 Accepted with the run and `Location: /runs/<id>`. At most one run per connection and mapping is queued or running: when one already is, it is returned with `created: false` (and the header `Run-Created: false`) instead of a new one. ' +
          '503 `SB_QUEUE_UNAVAILABLE` with `Retry-After` when the queue (Redis) does not answer in time: the run is recorded `queued` all the same (`details.run`) and enqueued by the reconciler once Redis answers; asking again returns it.',
        security: requires('runs:write'),
        params: idParams,
        body: {
          type: 'object',
          required: ['mapping'],
          additionalProperties: false,
          properties: {
            mapping: { type: 'string', minLength: 1, maxLength: 100, description: 'A mapping of the connection\'s connector.' },
            mode: { type: 'string', enum: RUN_MODES, default: 'incremental', description: 'Full re-reads everything (and detects deletions); incremental reads what changed since the last run.' },
            direction: { type: 'string', enum: RUN_DIRECTIONS, default: 'pull', description: '`push` sends CRM changes through the mapping\'s `push` section; `both` pulls, then pushes.' },
          },
        },
        response: responses({ 202: { type: 'object', required: ['created', 'run'], properties: { created: { type: 'boolean', description: 'False when the run was already queued or running.' }, run: RUN } } }),
      },
    },
    async (request, reply) => {
      // The engine finds the connection by id or name, and refuses a disabled one (409).
      const { mapping, mode, direction } = request.body;
      const { run, created } = await unprocessable(() => engine.requestRun({ connection: request.params.id, mapping, mode, direction, trigger: 'api' }));
      request.log.info({ run: run.id, connection: run.connectionId, mapping, created }, 'run requested');
      return reply.code(202).header('location', `/runs/${run.id}`).header('run-created', String(created)).send({ created, run: runView(run) });
    },
  );

  app.get<{ Querystring: RunListQuery }>(
    '/runs',
    {
      schema: {
        tags,
        summary: 'List runs, newest first',
        security: requires('runs:read'),
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            connection: { type: 'string', minLength: 1, maxLength: 200, description: 'A connection id or name.' },
            mapping: { type: 'string', minLength: 1, maxLength: 100 },
            status: { type: 'array', maxItems: 5, items: { type: 'string', enum: RUN_STATUSES }, description: 'Repeat to allow several.' },
            direction: { type: 'string', enum: RUN_DIRECTIONS },
          },
        },
        response: responses({ 200: pageOf(RUN, 'A page of runs.') }),
      },
    },
    async (request) => {
      const q = request.query;
      let connectionId: string | undefined;
      if (q.connection !== undefined) {
        const row = await connections.findRow(engine.db, q.connection);
        if (row === undefined) return { items: [], next_cursor: null };
        connectionId = row.id;
      }
      const before = checkCursor(q.cursor);
      const runs = await syncRuns.list(engine.db, {
        limit: rowsToFetch(q.limit),
        ...(connectionId === undefined ? {} : { connectionId }),
        ...(q.mapping === undefined ? {} : { mappingId: q.mapping }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.direction === undefined ? {} : { direction: q.direction }),
        ...(before === undefined ? {} : { before }),
      });
      return pageFrom(runs, q.limit, (r) => r.id, (r) => runView(r));
    },
  );

  app.get<{ Params: IdParams }>(
    '/runs/:id',
    { schema: { tags, summary: 'Get a run: status, progress, counts and the cost of its requests', security: requires('runs:read'), params: idParams, response: responses({ 200: RUN }) } },
    async (request) => {
      const run = await syncRuns.get(engine.db, request.params.id);
      return runView(run, await runCosts.get(engine.db, run.id));
    },
  );

  app.post<{ Params: IdParams }>(
    '/runs/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a run',
        description: 'A queued run is canceled at once (200); a running one stops at its next page boundary (202, `cancel_requested: true`). 409 when the run already ended.',
        security: requires('runs:write'),
        params: idParams,
        response: responses({ 200: RUN, 202: RUN }),
      },
    },
    async (request, reply) => {
      const run = await engine.cancelRun(request.params.id);
      request.log.info({ run: run.id, status: run.status }, 'run cancel requested');
      return reply.code(run.status === 'canceled' ? 200 : 202).send(runView(run));
    },
  );

  app.get<{ Params: IdParams; Querystring: PageQuery }>(
    '/runs/:id/rejected',
    {
      schema: {
        tags,
        summary: 'The records a run rejected',
        security: requires('runs:read'),
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: pageQuery },
        response: responses({ 200: pageOf({ $ref: 'RejectedRecord#' }, 'A page of rejected records, oldest first.') }),
      },
    },
    async (request) => {
      const run = await syncRuns.get(engine.db, request.params.id);
      const { limit, cursor } = request.query;
      if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new SwitchboardError('SB_DB_INVALID_CURSOR', 'the cursor is not one this list issued');
      const rows = await rejectedRecords.listByRun(engine.db, run.id, { limit: rowsToFetch(limit), ...(cursor === undefined ? {} : { after: Number(cursor) }) });
      return pageFrom(rows, limit, (r) => String(r.id), rejectedView);
    },
  );

  app.get<{ Params: IdParams }>(
    '/runs/:id/rejected.jsonl',
    {
      schema: {
        tags,
        summary: 'Download a run\'s rejected records as JSON lines',
        description: 'Every rejected record of the run, oldest first, one JSON object per line (`application/x-ndjson`, as an attachment): the same fields as `GET /runs/{id}/rejected`, the source record included.',
        security: requires('runs:read'),
        params: idParams,
        produces: ['application/x-ndjson'],
        response: responses({ 200: { type: 'string', description: 'One RejectedRecord per line.' } }),
      },
    },
    async (request, reply) => {
      const run = await syncRuns.get(engine.db, request.params.id);
      const db = engine.db;
      // Pages of the table, one at a time: a run with many rejects is never held in memory.
      async function* lines(): AsyncGenerator<string> {
        let after: number | undefined;
        for (;;) {
          const rows = await rejectedRecords.listByRun(db, run.id, { limit: 1000, ...(after === undefined ? {} : { after }) });
          if (rows.length > 0) yield `${rows.map((r) => JSON.stringify(rejectedView(r))).join('\n')}\n`;
          if (rows.length < 1000) return;
          after = rows[rows.length - 1]!.id;
        }
      }
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="run-${run.id}-rejected.jsonl"`)
        .send(Readable.from(lines()));
    },
  );
}
