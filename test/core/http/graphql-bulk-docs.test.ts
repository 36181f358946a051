// The GraphQL and bulk-job examples of docs/connectors.md (scripts/docs-text.ts prints them),
// replayed: each validates, the GraphQL stream pages through its variables and its mutation's
// userErrors reject the record; the bulk stream creates, polls and downloads a job in two parts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDocument } from '../../../core/definitions';
import type { ConnectorDefinition } from '../../../core/generated/connector';
import { ConnectorClient } from '../../../core/http';
import { readRecords } from '../../../core/http/read';
import { compileAction } from '../../../core/sync/push-plan';
import { sendOnce } from '../../../core/sync/push-send';
import { jsonBody, startMockServer } from '../../../examples/mock-apis/server';
import { DOC_EXAMPLES } from '../../../scripts/docs-text';

const connector = (extra: Record<string, unknown>): ConnectorDefinition =>
  ({ id: 'example', name: 'Example', config_schema: { type: 'object', properties: { base_url: { type: 'string' } } }, base_url: '{{config.base_url}}', ...extra }) as unknown as ConnectorDefinition;

const read = async (client: ConnectorClient, stream: string) => {
  const records: unknown[] = [];
  for await (const page of readRecords(client, stream, { mode: 'full', state: {} })) records.push(...page.records);
  return records;
};

describe('the GraphQL and bulk examples of docs/connectors.md', () => {
  it('validate as written, and the docs show them', () => {
    expect(validateDocument('connector', JSON.stringify(connector(DOC_EXAMPLES.graphql)), 'example.json')).toEqual([]);
    expect(validateDocument('connector', JSON.stringify(connector({ streams: { people: DOC_EXAMPLES.bulkStream } })), 'example.json')).toEqual([]);
    const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'connectors.md'), 'utf8');
    expect(docs).toContain(JSON.stringify(DOC_EXAMPLES.graphql, null, 2));
    expect(docs).toContain(JSON.stringify(DOC_EXAMPLES.bulkStream, null, 2));
  });

  it('GraphQL: pages through variables.after, and a userError rejects the record', async () => {
    const api = await startMockServer((req) => {
      const body = jsonBody(req) as { query: string; variables: Record<string, unknown> };
      if (body.query.startsWith('mutation')) return { body: { data: { personCreate: { person: null, userErrors: [{ field: ['input', 'name'], message: 'is taken' }] } } } };
      const second = body.variables['after'] === 'c1';
      const cost = { requestedQueryCost: 52, throttleStatus: { currentlyAvailable: 1000, restoreRate: 50 } };
      return { body: { data: { people: { nodes: [{ id: second ? '2' : '1', name: 'x', updatedAt: '2024-01-01T00:00:00Z' }], pageInfo: { hasNextPage: !second, endCursor: second ? 'c2' : 'c1' } } }, extensions: { cost } } };
    });
    try {
      const definition = connector(DOC_EXAMPLES.graphql);
      const client = new ConnectorClient({ connector: definition, config: { base_url: api.url } });
      expect(await read(client, 'people')).toEqual([expect.objectContaining({ id: '1' }), expect.objectContaining({ id: '2' })]);
      expect(api.requests.map((r) => (jsonBody(r) as { variables: Record<string, unknown> }).variables)).toEqual([{ first: 50 }, { first: 50, after: 'c1' }]);
      const action = compileAction(definition, 'create_person');
      const results = await sendOnce(client, action, [{ crmId: 'c', kind: 'create', action: 'create_person', payload: { name: 'Ada' }, externalId: null, first: 1, last: 1, hash: 'h' } as never], 'key');
      expect(results).toEqual([{ ok: false, code: 'SB_HTTP_ITEM_REJECTED', reason: 'input.name: is taken' }]);
    } finally {
      await api.close();
    }
  });

  it('bulk: creates the job, polls it until done, reads its parts by X-Next-Part, frees it', async () => {
    let polls = 0;
    const api = await startMockServer((req) => {
      if (req.method === 'POST' && req.path === '/exports') return { body: { id: 'job1', status: 'queued' } };
      if (req.method === 'GET' && req.path === '/exports/job1') return { body: { id: 'job1', status: ++polls >= 2 ? 'done' : 'running' } };
      if (req.method === 'DELETE' && req.path === '/exports/job1') return { status: 204 };
      if (req.path === '/exports/job1/results') {
        const part = req.query.get('part');
        return part === null ? { headers: { 'x-next-part': 'p2' }, body: '{"id":"1"}\n{"id":"2"}\n' } : { headers: { 'x-next-part': 'none' }, body: '{"id":"3"}\n' };
      }
      return { status: 404, body: {} };
    });
    try {
      const client = new ConnectorClient({ connector: connector({ streams: { people: DOC_EXAMPLES.bulkStream } }), config: { base_url: api.url } });
      expect(await read(client, 'people')).toEqual([{ id: '1' }, { id: '2' }, { id: '3' }]);
      expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /exports', 'GET /exports/job1', 'GET /exports/job1', 'GET /exports/job1/results', 'GET /exports/job1/results?part=p2', 'DELETE /exports/job1']);
    } finally {
      await api.close();
    }
  });
});
