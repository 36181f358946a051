// The CRM REST API: /crm/contacts, /crm/companies, /crm/deals, /crm/activities, each with
// create, get, update, soft delete and a cursor-paginated, filtered, sorted list. ETags come
// from `updated_at`; `If-None-Match` answers 304, `If-Match` guards writes (412). Every write
// goes through the repository with origin `api`, so it lands in the change outbox.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import * as crm from '../../core/store/crm';
import { dialectOf, inTransaction, type Db } from '../../core/store/db';
import { ENTITIES, ENTITY_NAMES, type EntityName } from '../../core/store/entities';
import type { Filter, SortField } from '../../core/store/crm-list';
import { toIso } from '../../core/store/values';
import { requires } from '../auth/scopes';
import { etagOf, ifMatchTags, noneMatchHolds } from '../etag';
import { RecordLoader } from '../record-loader';
import { EMPTY, idParams, responses, type IdParams, type PageQuery } from '../schemas/common';
import { listQuerySchema, listResponseSchema, schemaName } from '../schemas/entities';

type ListQuery = PageQuery & { sort: SortField; order: 'asc' | 'desc'; updated_since?: string } & Record<string, unknown>;

interface Conditional {
  'if-match'?: string;
  'if-none-match'?: string;
}

const ifMatchHeader = {
  type: 'object',
  properties: { 'if-match': { type: 'string', maxLength: 2000, description: 'Write only if the record still has this ETag (else 412); `*`: if it exists.' } },
} as const;

const ifNoneMatchHeader = {
  type: 'object',
  properties: { 'if-none-match': { type: 'string', maxLength: 2000, description: 'The ETag of the copy you hold: 304 without a body when it is still current.' } },
} as const;

function precondition(entity: string, id: string, updatedAt: string): SwitchboardError {
  return new SwitchboardError('SB_PRECONDITION_FAILED', `${entity}/${id} changed since it was read (its ETag is now ${etagOf(updatedAt)})`, { details: { entity, id, updated_at: updatedAt } });
}

/**
 * The `updated_at` a write must find for `If-Match`, or undefined for none. Several tags, or
 * tags that can never match, are settled by reading the record first (404 before 412); the
 * repository then rechecks the chosen value atomically.
 */
async function requiredVersion(db: Db, entity: EntityName, id: string, header: string | undefined): Promise<string | undefined> {
  const want = ifMatchTags(header);
  if (want === undefined || 'any' in want) return undefined;
  if (want.strong.length === 1) return toIso(want.strong[0]) ?? want.strong[0];
  const current = await crm.get(db, entity, id);
  if (!want.strong.includes(current.updated_at)) throw precondition(entity, id, current.updated_at);
  return current.updated_at;
}

function withTag(reply: FastifyReply, record: crm.EntityRecord): FastifyReply {
  return reply.header('etag', etagOf(record.updated_at));
}

function notFound(entity: EntityName, id: string): SwitchboardError {
  return new SwitchboardError('SB_DB_NOT_FOUND', `${entity}/${id} does not exist`, { details: { entity, id } });
}

function entityRoutes(app: FastifyInstance, entity: EntityName, loader: RecordLoader): void {
  const db = app.engine.db;
  const name = schemaName(entity);
  const singular = ENTITIES[entity].singular;
  const base = `/crm/${entity}`;
  const record = { $ref: `${name}#` };
  const tags = [`crm: ${entity}`];
  const read = requires('crm:read');
  const write = requires('crm:write');

  app.get<{ Querystring: ListQuery }>(
    base,
    {
      schema: {
        tags,
        summary: `List ${entity}`,
        description: 'Cursor pagination (`limit`, `cursor` -> `next_cursor`), sorting (`sort`, `order`), `updated_since`, and equality filters on any field or `custom.<key>`.',
        security: read,
        querystring: listQuerySchema(entity),
        response: responses({ 200: listResponseSchema(entity) }),
      },
    },
    async (request) => {
      const { limit, cursor, sort, order, updated_since: updatedSince, ...fields } = request.query;
      const filter: Filter = {};
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) filter[k] = v as Filter[string];
      if (updatedSince !== undefined) filter['updated_at'] = { gte: updatedSince };
      return crm.list(db, entity, { filter, sort, order, limit, ...(cursor === undefined ? {} : { cursor }) });
    },
  );

  app.get<{ Params: IdParams; Headers: Conditional }>(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Get a ${singular}`,
        description: 'Answers with an `ETag`; send it back in `If-None-Match` to get 304 when nothing changed.',
        security: read,
        params: idParams,
        headers: ifNoneMatchHeader,
        response: responses({ 200: record, 304: EMPTY }),
      },
    },
    async (request, reply) => {
      const found = await loader.find(entity, request.params.id);
      if (found === undefined) throw notFound(entity, request.params.id);
      withTag(reply, found);
      if (noneMatchHolds(request.headers['if-none-match'], found.updated_at)) return reply.code(304).send();
      return found;
    },
  );

  app.post<{ Body: crm.EntityInput }>(
    base,
    {
      schema: {
        tags,
        summary: `Create a ${singular}`,
        description: 'Answers 201 with the record, its `Location` and `ETag`. 409 when a given `id` exists, 422 for a reference to a missing record.',
        security: write,
        body: { $ref: `${name}Create#` },
        response: responses({ 201: record }),
      },
    },
    async (request, reply) => {
      const created = await crm.create(db, entity, request.body, { origin: 'api' });
      return withTag(reply, created).code(201).header('location', `${base}/${created.id}`).send(created);
    },
  );

  app.patch<{ Params: IdParams; Body: crm.EntityInput; Headers: Conditional }>(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Update a ${singular}`,
        description: 'Sets the given fields (null clears one; `custom` is merged key by key). With `If-Match`, 412 when the record changed since.',
        security: write,
        params: idParams,
        headers: ifMatchHeader,
        body: { $ref: `${name}Patch#` },
        response: responses({ 200: record }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ifUpdatedAt = await requiredVersion(db, entity, id, request.headers['if-match']);
      const updated = await crm.update(db, entity, id, request.body, { origin: 'api', ...(ifUpdatedAt === undefined ? {} : { ifUpdatedAt }) });
      return withTag(reply, updated).send(updated);
    },
  );

  app.delete<{ Params: IdParams; Headers: Conditional }>(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Delete a ${singular}`,
        description: 'Soft delete: the record disappears from the API (and a push run propagates the deletion). With `If-Match`, 412 when it changed since.',
        security: write,
        params: idParams,
        headers: ifMatchHeader,
        response: responses({ 204: EMPTY }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await inTransaction(db, async (trx) => {
        const ifUpdatedAt = await requiredVersion(trx, entity, id, request.headers['if-match']);
        if (ifUpdatedAt !== undefined) {
          // Read and delete under the row lock (SQLite has one writer, which is the same thing).
          const q = trx(entity).where('id', id).whereNull('deleted_at').first('updated_at');
          if (dialectOf(trx) === 'postgres') q.forUpdate();
          const row = (await q) as { updated_at: unknown } | undefined;
          const current = toIso(row?.updated_at);
          if (current !== null && current !== ifUpdatedAt) throw precondition(entity, id, current);
        }
        await crm.softDelete(trx, entity, id, { origin: 'api' });
      });
      return reply.code(204).send();
    },
  );
}

export async function crmRoutes(app: FastifyInstance): Promise<void> {
  const loader = new RecordLoader(app.engine.db);
  for (const entity of ENTITY_NAMES) entityRoutes(app, entity, loader);
}
