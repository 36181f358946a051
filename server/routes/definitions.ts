// Connectors and mappings: list and read the loaded definitions, validate a posted one (the
// same problems the CLI's `validate` prints, with line and column in the posted text), and
// preview a mapping on sample records (mapped rows and per-record errors, nothing written, with
// the compiled mapping a run uses).
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import { validateDocument, type DefinitionKind, type MappingDefinition, type Problem } from '../../core/definitions';
import { previewMapping } from '../../core/mapping/preview';
import { MAX_JSON_DEPTH, deeperThan } from '../../core/util/json-depth';
import { registerTextJsonBodies } from '../body';
import { requires } from '../auth/scopes';
import { ANY_OBJECT, idParams, responses, type IdParams, type JsonSchema } from '../schemas/common';

const problemSchema = {
  type: 'object',
  required: ['file', 'line', 'column', 'pointer', 'message'],
  properties: {
    file: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    pointer: { type: 'string', description: 'JSON pointer of the value concerned.' },
    message: { type: 'string' },
    hint: { type: 'string' },
  },
} as const;

const validationResult = {
  type: 'object',
  required: ['valid', 'problems'],
  properties: { valid: { type: 'boolean' }, problems: { type: 'array', items: problemSchema } },
} as const;

const connectorSummary = {
  type: 'object',
  required: ['id', 'name', 'auth', 'streams', 'incremental', 'actions', 'webhooks'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    description: { type: 'string' },
    auth: { type: 'string', description: 'The auth type (`none`, `api_key`, `basic`, `bearer`, `oauth2`), with the grant for oauth2 (`oauth2:authorization_code`).' },
    streams: { type: 'array', items: { type: 'string' } },
    incremental: { type: 'array', items: { type: 'string' }, description: 'The streams that support incremental runs.' },
    actions: { type: 'array', items: { type: 'string' } },
    webhooks: { type: 'boolean', description: 'Whether the connector accepts webhooks.' },
  },
} as const;

const mappingSummary = {
  type: 'object',
  required: ['id', 'connector', 'stream', 'entity', 'push'],
  properties: {
    id: { type: 'string' },
    connector: { type: 'string' },
    stream: { type: 'string' },
    entity: { type: 'string' },
    push: { type: 'boolean', description: 'Whether the mapping pushes CRM changes back.' },
  },
} as const;

const previewBody = {
  type: 'object',
  required: ['records'],
  additionalProperties: false,
  properties: {
    records: { type: 'array', maxItems: 1000, items: {}, description: 'Sample source records, as the API returns them.' },
    config: { ...ANY_OBJECT, description: 'Settings the mapping templates see as `config` (never a stored connection\'s secrets).' },
  },
} as const;

const previewResult = {
  type: 'object',
  required: ['mapping', 'entity', 'rows', 'errors'],
  properties: {
    mapping: { type: 'string' },
    entity: { type: 'string' },
    rows: {
      type: 'array',
      description: 'The records that map, with what they would write.',
      items: {
        type: 'object',
        required: ['index', 'external_id', 'values', 'refs'],
        properties: {
          index: { type: 'integer', description: 'Position in `records`.' },
          external_id: { type: ['string', 'null'], description: 'The record\'s id at the source (its stream\'s `primary_key`).' },
          values: ANY_OBJECT,
          refs: {
            type: 'array',
            description: 'References, still as external ids (a sync resolves them through record links).',
            items: { type: 'object', required: ['field', 'entity', 'external_id'], properties: { field: { type: 'string' }, entity: { type: 'string' }, external_id: { type: 'string' } } },
          },
        },
      },
    },
    errors: {
      type: 'array',
      description: 'The records that do not map, with why.',
      items: {
        type: 'object',
        required: ['index', 'external_id', 'code', 'field', 'reason'],
        properties: { index: { type: 'integer' }, external_id: { type: ['string', 'null'] }, code: { type: 'string' }, field: { type: ['string', 'null'] }, reason: { type: 'string' } },
      },
    },
  },
} as const;

interface PreviewBody {
  records: unknown[];
  config?: Record<string, unknown>;
}

function preview(def: MappingDefinition, body: PreviewBody, primaryKey: string | undefined): Record<string, unknown> {
  const result = previewMapping(def, body.records, { config: body.config ?? {}, ...(primaryKey === undefined ? {} : { primaryKey }) });
  return {
    mapping: result.mapping,
    entity: result.entity,
    rows: result.rows.map((r) => ({ index: r.index, external_id: r.externalId, values: r.values, refs: r.refs.map((ref) => ({ field: ref.field, entity: ref.entity, external_id: ref.externalId })) })),
    errors: result.rejects.map((r) => ({ index: r.index, external_id: r.externalId, code: r.code, field: r.field, reason: r.reason })),
  };
}

/** The primary key of the mapping's stream, when its connector is loaded (records without one are rejected, as in a run). */
function primaryKeyOf(engine: FastifyInstance['engine'], def: MappingDefinition): string | undefined {
  return engine.registry.connectors.get(def.connector)?.streams?.[def.stream]?.primary_key;
}

function invalidDefinition(kind: DefinitionKind, problems: Problem[]): SwitchboardError {
  return new SwitchboardError('SB_DEFINITION_INVALID', `the ${kind} has ${problems.length} problem(s): ${problems[0]?.message ?? ''}`, { details: { problems } });
}

export async function definitionRoutes(app: FastifyInstance): Promise<void> {
  // Read at each request: saving a definition (workbench) replaces the engine's registry.
  const engine = app.engine;
  const read = requires('definitions:read');

  app.get('/connectors', { schema: { tags: ['definitions'], summary: 'List the loaded connectors', security: read, response: responses({ 200: { type: 'array', items: connectorSummary } }) } }, async () =>
    [...engine.registry.connectors.values()].map((c) => ({
      id: c.id,
      name: c.name,
      ...(c.version === undefined ? {} : { version: c.version }),
      ...(c.description === undefined ? {} : { description: c.description }),
      auth: c.auth === undefined ? 'none' : c.auth.type === 'oauth2' ? `oauth2:${c.auth.grant}` : c.auth.type,
      streams: Object.keys(c.streams ?? {}),
      incremental: Object.entries(c.streams ?? {}).filter(([, st]) => st.incremental !== undefined).map(([name]) => name),
      actions: Object.keys(c.actions ?? {}),
      webhooks: c.webhooks !== undefined,
    })),
  );

  app.get<{ Params: IdParams }>(
    '/connectors/:id',
    { schema: { tags: ['definitions'], summary: 'Get a connector definition', security: read, params: idParams, response: responses({ 200: { ...ANY_OBJECT, description: 'The definition, as loaded.' } }) } },
    async (request) => engine.registry.connector(request.params.id),
  );

  app.get('/mappings', { schema: { tags: ['definitions'], summary: 'List the loaded mappings', security: read, response: responses({ 200: { type: 'array', items: mappingSummary } }) } }, async () =>
    [...engine.registry.mappings.values()].map((m) => ({ id: m.id, connector: m.connector, stream: m.stream, entity: m.entity, push: m.push !== undefined })),
  );

  app.get<{ Params: IdParams }>(
    '/mappings/:id',
    { schema: { tags: ['definitions'], summary: 'Get a mapping definition', security: read, params: idParams, response: responses({ 200: { ...ANY_OBJECT, description: 'The definition, as loaded.' } }) } },
    async (request) => engine.registry.mapping(request.params.id),
  );

  app.post<{ Params: IdParams; Body: PreviewBody }>(
    '/mappings/:id/preview',
    {
      schema: {
        tags: ['definitions'],
        summary: 'Preview a loaded mapping on sample records',
        description: 'Maps each record as a sync would, writes nothing. References stay external ids.',
        security: read,
        params: idParams,
        body: previewBody,
        response: responses({ 200: previewResult }),
      },
    },
    async (request) => {
      const def = engine.registry.mapping(request.params.id);
      return preview(def, request.body, primaryKeyOf(engine, def));
    },
  );

  app.post<{ Body: PreviewBody & { definition: Record<string, unknown> } }>(
    '/mappings/preview',
    {
      schema: {
        tags: ['definitions'],
        summary: 'Preview a posted mapping on sample records',
        description: 'The mapping is validated first (422 `SB_DEFINITION_INVALID` with `details.problems`), against the loaded connectors.',
        security: read,
        body: { ...previewBody, required: ['definition', 'records'], properties: { ...previewBody.properties, definition: { ...ANY_OBJECT, description: 'A mapping definition.' } } },
        response: responses({ 200: previewResult }),
      },
    },
    async (request) => {
      const problems = validateDocument('mapping', JSON.stringify(request.body.definition, null, 2), 'definition', { connectors: engine.registry.connectors });
      if (problems.length > 0) throw invalidDefinition('mapping', problems);
      const def = request.body.definition as unknown as MappingDefinition;
      return preview(def, request.body, primaryKeyOf(engine, def));
    },
  );

  // Validation reads the posted text itself, so syntax errors come back as problems with
  // their line and column instead of a 400 from the JSON parser.
  await app.register(async (scope) => {
    registerTextJsonBodies(scope);
    for (const kind of ['connector', 'mapping'] as const) {
      const body: JsonSchema = { description: `The ${kind} document (JSON text, as in its file).` };
      scope.post<{ Body: string; Querystring: { file?: string } }>(
        `/${kind}s/validate`,
        {
          schema: {
            tags: ['definitions'],
            summary: `Validate a ${kind} definition`,
            description: `Every problem, as \`switchboard validate\` reports them (line, column, JSON pointer, hint).${kind === 'mapping' ? ' Checked against the loaded connectors.' : ''} Pass \`file\` (e.g. \`hubspot.json\`) to also check that the id equals the file name. A document nested deeper than ${MAX_JSON_DEPTH} levels is refused with 400 \`SB_BAD_REQUEST\` (its problem, with line and column, in \`details.problems\`).`,
            security: read,
            querystring: { type: 'object', additionalProperties: false, properties: { file: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,200}$' } } },
            body,
            response: responses({ 200: validationResult }),
          },
        },
        async (request) => {
          const text = typeof request.body === 'string' ? request.body : '';
          const problems = validateDocument(kind, text, request.query.file ?? 'body', { connectors: engine.registry.connectors });
          // Nesting no definition needs is refused like any other too-deep body, with where it starts.
          if (deeperThan(text) >= 0) {
            throw new SwitchboardError('SB_BAD_REQUEST', `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels (line ${problems[0]!.line}, column ${problems[0]!.column})`, { details: { problems } });
          }
          return { valid: problems.length === 0, problems };
        },
      );
    }
  });
}
