// Connectors and mappings over the API: list, get, validate posted definitions (the CLI's
// problems, with lines and columns), and preview mappings on sample records.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;
const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');

describe('definitions API (sqlite)', () => {
  let s: TestServer;
  let t: string;
  beforeAll(async () => {
    s = await createTestServer('sqlite');
    t = await s.token(['definitions:read']);
  });
  afterAll(async () => s.close());

  it('lists and gets connectors and mappings; unknown ids are 404', async () => {
    const connectors = (await s.call(t, { method: 'GET', url: '/connectors' })).json() as Json[];
    expect(connectors.find((c) => c['id'] === 'demo')).toEqual({ id: 'demo', name: 'Demo API', auth: 'api_key', streams: ['people'], incremental: ['people'], actions: [], webhooks: true });
    expect(connectors.find((c) => c['id'] === 'oauthy')?.['auth']).toBe('oauth2:authorization_code');
    expect(((await s.call(t, { method: 'GET', url: '/connectors/demo' })).json() as Json)['base_url']).toBe('{{config.base_url}}');
    const missing = await s.call(t, { method: 'GET', url: '/connectors/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'SB_DEFINITION_NOT_FOUND' });
    const mappings = (await s.call(t, { method: 'GET', url: '/mappings' })).json() as Json[];
    expect(mappings).toContainEqual({ id: 'demo-contacts', connector: 'demo', stream: 'people', entity: 'contacts', push: false });
    expect(((await s.call(t, { method: 'GET', url: '/mappings/demo-contacts' })).json() as Json)['entity']).toBe('contacts');
  });

  it('validates a posted connector: valid, or every problem with line and column', async () => {
    const valid = await s.call(t, { method: 'POST', url: '/connectors/validate?file=hubspot.json', payload: fixture('valid/hubspot.json'), headers: { 'content-type': 'application/json' } });
    expect(valid.statusCode).toBe(200);
    expect(valid.json()).toEqual({ valid: true, problems: [] });
    const invalid = await s.call(t, { method: 'POST', url: '/connectors/validate', payload: fixture('invalid/auth-type-typo.json'), headers: { 'content-type': 'application/json' } });
    const body = invalid.json() as { valid: boolean; problems: Json[] };
    expect(body.valid).toBe(false);
    expect(body.problems[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number), pointer: expect.stringContaining('/auth'), message: expect.any(String) });
    const syntax = await s.call(t, { method: 'POST', url: '/connectors/validate', payload: '{\n  "id": "x",\n}', headers: { 'content-type': 'application/json' } });
    expect((syntax.json() as { valid: boolean; problems: Json[] }).problems[0]).toMatchObject({ line: 2, message: expect.stringContaining('comma') });
  });

  it('validates a posted mapping against the loaded connectors', async () => {
    const doc = JSON.stringify({ id: 'm', connector: 'demo', stream: 'peeple', entity: 'contacts', fields: { email: 'email' } }, null, 2);
    const res = (await s.call(t, { method: 'POST', url: '/mappings/validate', payload: doc, headers: { 'content-type': 'application/json' } })).json() as { valid: boolean; problems: Json[] };
    expect(res.valid).toBe(false);
    expect(res.problems.map((p) => p['message']).join('\n')).toContain('peeple');
  });

  // JSON nested 100,000 deep overflowed the stack of the position tracker: a 500.
  it.each([
    ['arrays', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['objects', '{"id":"x","a":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_001)],
    ['unclosed arrays', '['.repeat(100_000)],
  ])('JSON nested 100,000 deep (%s) sent to validate is a 400 naming where, never a 500', async (_kind, text) => {
    for (const url of ['/connectors/validate', '/mappings/validate']) {
      const res = await s.call(t, { method: 'POST', url, payload: text, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
      const body = res.json() as { code: string; message: string; details: { problems: Json[] } };
      expect(body.code).toBe('SB_BAD_REQUEST');
      expect(body.message).toMatch(/nested deeper than 64 levels \(line 1, column \d+\)/);
      expect(body.details.problems).toEqual([expect.objectContaining({ line: 1, pointer: '', message: expect.stringContaining('more than 64 levels deep') })]);
    }
  });

  it('previews a loaded mapping: mapped rows and per-record errors, nothing written', async () => {
    const res = await s.call(t, {
      method: 'POST',
      url: '/mappings/demo-contacts/preview',
      payload: { records: [{ id: 1, email: '  Ann@Example.COM ', name: 'Ann', tier: 'gold' }, { id: 2, name: 'No mail' }, 'not a record'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      mapping: 'demo-contacts',
      entity: 'contacts',
      rows: [{ index: 0, external_id: '1', values: { email: 'ann@example.com', first_name: 'Ann', custom: { tier: 'gold' } }, refs: [] }],
      // As in a run: a record without the stream's primary key is rejected before mapping.
      errors: [
        { index: 1, external_id: '2', code: 'SB_MAPPING_FAILED', field: 'email', reason: expect.stringContaining('required') },
        { index: 2, external_id: null, code: 'SB_MAPPING_FAILED', field: 'id', reason: 'the record has no primary key at "id"' },
      ],
    });
    expect(await s.db.knex('contacts').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('previews a posted mapping, refusing an invalid one with its problems', async () => {
    const definition = { id: 'adhoc', connector: 'ping', stream: 'items', entity: 'companies', fields: { name: { path: 'title', transform: ['uppercase'] }, domain: { ref: { entity: 'contacts', path: 'x' } } } };
    const bad = await s.call(t, { method: 'POST', url: '/mappings/preview', payload: { definition, records: [] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'SB_DEFINITION_INVALID', details: { problems: expect.any(Array) } });
    const good = await s.call(t, { method: 'POST', url: '/mappings/preview', payload: { definition: { ...definition, fields: { name: { path: 'title', transform: ['uppercase'] } } }, records: [{ id: 'i1', title: 'acme' }] } });
    expect(good.statusCode).toBe(200);
    expect((good.json() as { rows: Json[] }).rows[0]).toMatchObject({ values: { name: 'ACME' } });
    expect((await s.call(t, { method: 'POST', url: '/mappings/demo-contacts/preview', payload: { records: 'x' } })).statusCode).toBe(400);
    expect((await s.call(t, { method: 'POST', url: '/mappings/demo-contacts/preview', payload: { records: new Array(1001).fill({}) } })).statusCode).toBe(400);
  });
});
