// Where a CRM record comes from and what happened to it: its links to external ids, one per
// connection that synced or pushed it, and its change history from the change outbox (every
// write that did not come from a sync: the API, the CLI, the repository).
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import { ENTITY_NAMES, type EntityName } from '../../core/store/entities';
import * as changeOutbox from '../../core/store/tables/change-outbox';
import * as recordLinks from '../../core/store/tables/record-links';
import { requires } from '../auth/scopes';
import { idParams, pageFrom, pageOf, pageQuery, responses, rowsToFetch, type IdParams, type PageQuery } from '../schemas/common';

const linkSchema = {
  type: 'object',
  required: ['connection_id', 'connection', 'connector', 'external_id', 'synced_at', 'updated_at'],
  properties: {
    connection_id: { type: 'string' },
    connection: { type: 'string', description: 'The connection\'s name.' },
    connector: { type: 'string' },
    external_id: { type: 'string', description: 'The record\'s id in the connected API.' },
    synced_at: { type: ['string', 'null'], format: 'date-time', description: 'When a pull last wrote it.' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

const changeSchema = {
  type: 'object',
  required: ['id', 'operation', 'changes', 'origin', 'created_at'],
  properties: {
    id: { type: 'integer', description: 'The change\'s position in the outbox (commit order).' },
    operation: { type: 'string', enum: ['create', 'update', 'delete'] },
    changes: { type: 'object', additionalProperties: true, description: 'create: the record\'s fields; update: the fields the write set; delete: {}.' },
    origin: { type: 'string', description: '`api`, `cli` or `repository`.' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

function historyRoutes(app: FastifyInstance, entity: EntityName): void {
  const tags = [`crm: ${entity}`];
  app.get<{ Params: IdParams }>(
    `/crm/${entity}/:id/links`,
    {
      schema: { tags, summary: `The ${entity} record's external ids, per connection`, security: requires('crm:read'), params: idParams, response: responses({ 200: { type: 'array', items: linkSchema } }) },
    },
    async (request) =>
      (await recordLinks.listForRecord(app.engine.db, entity, request.params.id)).map((l) => ({
        connection_id: l.connectionId,
        connection: l.connectionName,
        connector: l.connectorId,
        external_id: l.externalId,
        synced_at: l.syncedAt,
        updated_at: l.updatedAt,
      })),
  );

  app.get<{ Params: IdParams; Querystring: PageQuery }>(
    `/crm/${entity}/:id/history`,
    {
      schema: {
        tags,
        summary: `The ${entity} record's changes, newest first`,
        description: 'From the change outbox: writes through the API, the CLI and the repository (a sync\'s writes are not in it: the record links say what synced it). Deleted records keep their history.',
        security: requires('crm:read'),
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: pageQuery },
        response: responses({ 200: pageOf(changeSchema, 'A page of changes.') }),
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new SwitchboardError('SB_DB_INVALID_CURSOR', 'the cursor is not one this list issued');
      const rows = await changeOutbox.listForRecord(app.engine.db, entity, request.params.id, { limit: rowsToFetch(limit), ...(cursor === undefined ? {} : { before: Number(cursor) }) });
      return pageFrom(rows, limit, (c) => String(c.id), (c) => ({ id: c.id, operation: c.operation, changes: c.changes, origin: c.origin, created_at: c.createdAt }));
    },
  );
}

export async function crmHistoryRoutes(app: FastifyInstance): Promise<void> {
  for (const entity of ENTITY_NAMES) historyRoutes(app, entity);
}
