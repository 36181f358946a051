// The static auth types on the wire: none, api_key (header or query), basic, bearer.
import type { Auth } from '../../../core/generated/connector';
import { isSwitchboardError } from '../../../core/errors';
import { basicCredentials, startMockServer, type MockApi } from '../../../examples/mock-apis/server';
import { client, connector } from '../../helpers/http-connectors';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function sentWith(auth: Auth, config: Record<string, unknown>) {
  api = await startMockServer(() => ({ body: {} }));
  const c = client(connector('a', { auth, check: { request: { path: '/me' } }, streams: {} }), { base_url: api.url, ...config });
  await c.send(c.connector.check!, c.context());
  return api.requests[0]!;
}

describe('static auth', () => {
  it('none adds nothing', async () => {
    const req = await sentWith({ type: 'none' }, {});
    expect(req.headers['authorization']).toBeUndefined();
    expect(req.url).toBe('/me');
  });

  it('api_key in a header (Pipedrive x-api-token)', async () => {
    const req = await sentWith({ type: 'api_key', name: 'x-api-token', value: '{{config.token}}' }, { token: 'pd-1' });
    expect(req.headers['x-api-token']).toBe('pd-1');
  });

  it('api_key in the query (Pipedrive legacy api_token), number values as text', async () => {
    const req = await sentWith({ type: 'api_key', name: 'api_token', value: '{{config.token}}', in: 'query' }, { token: 12345 });
    expect(req.url).toBe('/me?api_token=12345');
  });

  it('basic (Zendesk {email}/token:{api_token}, Mailchimp anystring:KEY)', async () => {
    const req = await sentWith({ type: 'basic', username: '{{config.email}}/token', password: '{{config.token}}' }, { email: 'a@b.c', token: 'zd:1' });
    expect(basicCredentials(req)).toBe('a@b.c/token:zd:1');
  });

  it('bearer', async () => {
    const req = await sentWith({ type: 'bearer', token: '{{config.token}}' }, { token: 'sk_test_x' });
    expect(req.headers['authorization']).toBe('Bearer sk_test_x');
  });

  it('an unknown auth type is refused when the client is made', () => {
    expect(() => client(connector('a', { auth: { type: 'magic' } as unknown as Auth, streams: {} }), { base_url: 'http://127.0.0.1:1' })).toThrow(
      expect.objectContaining({ code: 'SB_DEFINITION_INVALID' }),
    );
    expect(isSwitchboardError(new Error('x'))).toBe(false);
  });
});
