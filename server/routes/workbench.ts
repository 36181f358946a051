// The workbench: "Test read" (the first pages of a stream through a stored connection, raw
// records, nothing written) and saving connector and mapping files, only when they validate,
// after which the server runs them (the loaded definitions are replaced; workers started
// elsewhere load them at their next start).
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import { validateDocument, withDefinition, type ConnectorDefinition, type DefinitionKind, type MappingDefinition, type Problem } from '../../core/definitions';
import { readStream } from '../../core/http';
import { registerTextJsonBodies } from '../body';
import { requires } from '../auth/scopes';
import { clientOf, loadConnection } from '../connections';
import { idParams, responses, type IdParams } from '../schemas/common';

interface ReadBody {
  stream: string;
  pages: number;
  mode: 'full' | 'incremental';
}

const MAX_RECORDS = 1000;

const readResult = {
  type: 'object',
  required: ['connection', 'stream', 'mode', 'records', 'pages', 'requests', 'more', 'duration_ms'],
  properties: {
    connection: { type: 'string' },
    stream: { type: 'string' },
    mode: { type: 'string', enum: ['full', 'incremental'] },
    records: { type: 'array', items: {}, description: `The records as the API returned them (at most ${MAX_RECORDS}).` },
    pages: { type: 'integer' },
    requests: { type: 'integer', description: 'HTTP requests sent, retries included.' },
    more: { type: 'boolean', description: 'Whether the stream has pages after these.' },
    duration_ms: { type: 'integer' },
  },
} as const;

const saveResult = {
  type: 'object',
  required: ['kind', 'id', 'file', 'created'],
  properties: {
    kind: { type: 'string', enum: ['connector', 'mapping'] },
    id: { type: 'string' },
    file: { type: 'string', description: 'The file written, relative to its folder\'s parent (`mappings/hubspot-contacts.json`).' },
    created: { type: 'boolean', description: 'False when the file replaced one.' },
  },
} as const;

/** Definition ids are file names: letters, digits, `_` and `-` only, so no path can escape its folder. */
const definitionParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$' } } } as const;

function invalid(kind: DefinitionKind, problems: Problem[]): SwitchboardError {
  return new SwitchboardError('SB_DEFINITION_INVALID', `the ${kind} has ${problems.length} problem(s): ${problems[0]?.message ?? ''}`, { details: { problems } });
}

export async function workbenchRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const tags = ['workbench'];

  app.post<{ Params: IdParams; Body: ReadBody }>(
    '/connections/:id/read',
    {
      schema: {
        tags,
        summary: 'Test read: the first pages of a stream through a connection',
        description: 'Reads with the connection\'s credentials, its rate limit and retries, as a run would, and answers the raw records. Nothing is written and no state moves. A failure of the API answers its error (secrets redacted).',
        security: requires('connections:admin'),
        params: idParams,
        body: {
          type: 'object',
          required: ['stream'],
          additionalProperties: false,
          properties: {
            stream: { type: 'string', minLength: 1, maxLength: 100 },
            pages: { type: 'integer', minimum: 1, maximum: 5, default: 1, description: 'Pages to read (1 to 5).' },
            mode: { type: 'string', enum: ['full', 'incremental'], default: 'full', description: 'Incremental reads from the stream\'s `incremental.start` (the connection\'s own state is not used).' },
          },
        },
        response: responses({ 200: readResult }),
      },
    },
    async (request) => {
      const started = Date.now();
      const c = await loadConnection(engine, request.params.id);
      const { client } = await clientOf(engine, c);
      const { stream, pages, mode } = request.body;
      const records: unknown[] = [];
      let read = 0;
      let requests = 0;
      let more = false;
      for await (const page of readStream(client, stream, { mode, prefetch: false })) {
        read += 1;
        requests += page.requests;
        records.push(...page.records.slice(0, MAX_RECORDS - records.length));
        more = !page.done;
        if (read >= pages || records.length >= MAX_RECORDS) break;
      }
      request.log.info({ connection: c.id, stream, pages: read }, 'test read');
      return { connection: c.name, stream, mode, records, pages: read, requests, more, duration_ms: Date.now() - started };
    },
  );

  // The posted text is written as it is (comments of layout kept), so it arrives as text.
  await app.register(async (scope) => {
    registerTextJsonBodies(scope);
    for (const kind of ['connector', 'mapping'] as const) {
      scope.put<{ Params: IdParams; Body: string }>(
        `/${kind}s/:id`,
        {
          schema: {
            tags,
            summary: `Save a ${kind} file`,
            description: `Validates the ${kind} as \`switchboard validate\` does (its id must equal the one in the path${kind === 'connector' ? '; the mappings of the connector must still validate against it' : '; against the loaded connectors'}), then writes \`${kind}s/<id>.json\` and serves it at once. 422 \`SB_DEFINITION_INVALID\` with \`details.problems\` (line, column) writes nothing; 409 when the server's definitions were not loaded from folders.`,
            security: requires('definitions:write'),
            params: definitionParams,
            body: { description: `The ${kind} document (JSON text, as in its file).` },
            response: responses({ 200: saveResult }),
          },
        },
        async (request) => {
          const dirs = engine.definitionDirs;
          if (dirs === undefined) throw new SwitchboardError('SB_CONFLICT', 'this server was given its definitions preloaded: there is no folder to save them in');
          const id = request.params.id;
          const file = `${id}.json`;
          const text = typeof request.body === 'string' ? request.body : '';
          const registry = engine.registry;
          const problems = validateDocument(kind, text, file, { connectors: registry.connectors });
          if (problems.length > 0) throw invalid(kind, problems);
          const def = JSON.parse(text) as ConnectorDefinition | MappingDefinition;
          const next = withDefinition(registry, kind, def);
          if (kind === 'connector') {
            // A connector change must not break the mappings that read it.
            const broken = [...next.mappings.values()]
              .filter((m) => m.connector === id)
              .flatMap((m) => validateDocument('mapping', JSON.stringify(m, null, 2), `mappings/${m.id}.json`, { connectors: next.connectors }));
            if (broken.length > 0) throw invalid(kind, broken);
          }
          const folder = kind === 'connector' ? dirs.connectors : dirs.mappings;
          const target = join(folder, file);
          const created = !(kind === 'connector' ? registry.connectors.has(id) : registry.mappings.has(id));
          const temp = `${target}.${process.pid}.tmp`;
          await writeFile(temp, text.endsWith('\n') ? text : `${text}\n`, 'utf8');
          await rename(temp, target);
          engine.registry = next;
          request.log.info({ kind, id, created }, 'definition saved');
          return { kind, id, file: `${kind}s/${file}`, created };
        },
      );
    }
  });
}
