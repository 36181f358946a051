// The worked examples of docs/connectors.md and docs/mappings.md about invalid pages, credential
// origins and truncated runs (scripts/docs-text.ts prints them): each validates, and the
// `missing_records` stream reads `"data": null` as an empty page as the docs say.
import { validateDocument } from '../../../core/definitions';
import type { ConnectorDefinition } from '../../../core/generated/connector';
import { startMockServer, type MockApi } from '../../../examples/mock-apis/server';
import { DOC_EXAMPLES } from '../../../scripts/docs-text';
import { client, readAll, recordsOf } from '../../helpers/http-connectors';

const connector = (extra: Record<string, unknown>): Record<string, unknown> => ({
  id: 'example',
  name: 'Example',
  config_schema: { type: 'object', properties: { subdomain: { type: 'string' }, base_url: { type: 'string' } } },
  base_url: '{{config.base_url}}',
  streams: { deals: DOC_EXAMPLES.missingRecordsStream },
  ...extra,
});

describe('doc examples', () => {
  it('validate as written', () => {
    expect(validateDocument('connector', JSON.stringify(connector({})), 'example.json')).toEqual([]);
    expect(validateDocument('connector', JSON.stringify(connector(DOC_EXAMPLES.allowedOrigins)), 'example.json')).toEqual([]);
    const hubspot = { id: 'hubspot', name: 'HubSpot', base_url: 'https://api.hubapi.com', streams: { contacts: { request: { path: '/contacts' }, records: 'results', primary_key: 'id' } } } as unknown as ConnectorDefinition;
    expect(validateDocument('mapping', JSON.stringify(DOC_EXAMPLES.sweepMapping), 'hubspot-contacts.json', { connectors: new Map([['hubspot', hubspot]]) })).toEqual([]);
  });

  it('missing_records: empty_page reads "data": null as the empty last page', async () => {
    const api: MockApi = await startMockServer((req) => ({ body: req.query.get('start') === '500' ? { success: true, data: null } : { success: true, data: Array.from({ length: 500 }, (_, i) => ({ id: i })) } }));
    try {
      const pages = await readAll(client(connector({}) as unknown as ConnectorDefinition, { base_url: api.url }), 'deals');
      expect(recordsOf(pages)).toHaveLength(500);
      expect(pages.at(-1)).toMatchObject({ records: [], done: true });
    } finally {
      await api.close();
    }
  });
});
