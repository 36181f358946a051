// Every operation the console may call (ui/src/endpoints.ts) is in the OpenAPI document, with
// the same method and path: the console uses the documented API only.
import { ENDPOINTS, ENTITIES, urlOf } from '../../ui/src/endpoints';
import { createTestServer, type TestServer } from '../server/helpers';

describe('the console\'s API calls', () => {
  let s: TestServer;
  let paths: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    s = await createTestServer('sqlite', { uiDir: false });
    paths = ((await s.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: typeof paths }).paths;
  });
  afterAll(async () => s.close());

  it('are all operations of /docs/json', () => {
    const missing: string[] = [];
    for (const endpoint of ENDPOINTS) {
      const [method, template] = endpoint.split(' ') as [string, string];
      // `/crm/{entity}` is one documented path per entity.
      const concrete = template.includes('{entity}') ? ENTITIES.map((e) => template.replace('{entity}', e)) : [template];
      for (const path of concrete) if (paths[path]?.[method.toLowerCase()] === undefined) missing.push(`${method} ${path}`);
    }
    expect(missing).toEqual([]);
  });

  it('fill in and encode their parameters', () => {
    expect(urlOf('GET /connections/{id}', { id: 'a b/c' })).toBe('/connections/a%20b%2Fc');
    expect(urlOf('GET /runs', {}, { status: ['queued', 'running'], mapping: '', connection: undefined })).toBe('/runs?status=queued&status=running');
    expect(() => urlOf('GET /runs/{id}')).toThrow('no value for {id}');
  });
});
