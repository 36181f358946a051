// Building requests: URLs, queries, form bodies (Stripe's nested keys), headers; Retry-After and
// backoff; redaction of secrets; incremental param formats.
import { backoffDelay, encodeForm, encodeQuery, formatCursor, joinUrl, parseRetryAfter, Redactor, resolvePageUrl, retryPolicy, secretConfigValues } from '../../../core/http';
import { startMockServer, type MockApi } from '../../../examples/mock-apis/server';
import { startStripe, stripeCustomers } from '../../../examples/mock-apis/stripe';
import { client, connector, readAll, stripeDefinition } from '../../helpers/http-connectors';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('encoding', () => {
  it('form bodies nest objects in brackets and index arrays (Stripe)', () => {
    expect(encodeForm({ email: 'a@b.c', metadata: { plan: 'pro', 'team id': 7 }, items: [{ price: 'p_1' }, { price: 'p_2' }], expand: ['x'], skip: undefined, unset: null })).toBe(
      'email=a%40b.c&metadata%5Bplan%5D=pro&metadata%5Bteam%20id%5D=7&items%5B0%5D%5Bprice%5D=p_1&items%5B1%5D%5Bprice%5D=p_2&expand%5B0%5D=x&unset=',
    );
  });

  it('queries repeat array parameters and drop undefined', () => {
    expect(encodeQuery({ limit: 100, properties: ['email', 'phone'], after: undefined, archived: false, 'page[size]': 5 })).toBe('limit=100&properties=email&properties=phone&archived=false&page%5Bsize%5D=5');
  });

  it('joins paths to base URLs and resolves next-page URLs without rewriting them', () => {
    expect(joinUrl('https://api.x.com/v1/', '/customers')).toBe('https://api.x.com/v1/customers');
    expect(joinUrl('https://api.x.com/v1', 'customers')).toBe('https://api.x.com/v1/customers');
    expect(joinUrl('https://api.x.com/v1', 'https://other.x.com/a')).toBe('https://other.x.com/a');
    expect(resolvePageUrl('https://x.my.salesforce.com', '/services/data/v60.0/query/01g-2000')).toBe('https://x.my.salesforce.com/services/data/v60.0/query/01g-2000');
    expect(resolvePageUrl('https://api.x.com/v1', '/v1/items?after=a%2Fb')).toBe('https://api.x.com/v1/items?after=a%2Fb');
    expect(resolvePageUrl('https://api.x.com/v1', 'https://cdn.x.com/p?page_info=abc')).toBe('https://cdn.x.com/p?page_info=abc');
  });
});

describe('requests on the wire', () => {
  it('Stripe: a form-encoded POST with metadata[key], through an action', async () => {
    const customers = stripeCustomers(0);
    api = await startStripe({ customers, secretKey: 'sk_test_9' });
    const c = client(stripeDefinition(), { base_url: api.url, secret_key: 'sk_test_9' });
    const action = c.connector.actions.get('create_customer')!;
    const res = await c.send(action, c.context({ record: { email: 'new@x.com', name: 'New One', metadata: { crm_id: '42', tier: 'gold' } } }));
    expect(api.requests[0]!.body).toBe('email=new%40x.com&name=New%20One&metadata%5Bcrm_id%5D=42&metadata%5Btier%5D=gold');
    expect(api.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(res.body).toMatchObject({ email: 'new@x.com', metadata: { crm_id: '42', tier: 'gold' } });
  });

  it('headers: defaults, definition headers (templates), credentials; api_key in the query', async () => {
    api = await startMockServer(() => ({ body: { ok: true } }));
    const def = connector('h', {
      auth: { type: 'api_key', name: 'api_token', value: '{{config.key}}', in: 'query' },
      headers: { 'X-Tenant': '{{config.tenant}}', Accept: 'application/vnd.x+json' },
      check: { request: { path: '/me', query: { verbose: true }, headers: { 'X-Request': 'check' } } },
      streams: {},
    });
    const c = client(def, { base_url: `${api.url}/api/`, key: 'k y', tenant: 't1' });
    await c.send(c.connector.check!, c.context());
    const [req] = api.requests;
    expect(req!.url).toBe('/api/me?verbose=true&api_token=k%20y');
    expect(req!.headers).toMatchObject({ 'x-tenant': 't1', accept: 'application/vnd.x+json', 'x-request': 'check', 'user-agent': expect.stringMatching(/^switchboard\//) });
  });

  it('a next URL is requested byte for byte as the API gave it', async () => {
    api = await startMockServer((req) => ({ body: { items: [{ id: req.url }], next: req.query.has('p') ? null : '/items?p=a%2Fb%3D&z=%7E' } }));
    const def = connector('exact', { streams: { s: { request: { path: '/items', query: { limit: 1 } }, records: 'items', pagination: { type: 'next_url', url_path: 'next' } } } });
    const c = client(def, { base_url: api.url });
    await readAll(c, 's');
    expect(api.requests.map((r) => r.url)).toEqual(['/items?limit=1', '/items?p=a%2Fb%3D&z=%7E']);
  });
});

describe('retry timing', () => {
  it('parses Retry-After seconds, fractional seconds and HTTP dates', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('2.0', now)).toBe(2000);
    expect(parseRetryAfter('0.25', now)).toBe(250);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped at max_ms', () => {
    const policy = retryPolicy({ backoff: { initial_ms: 100, max_ms: 1000 } });
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(retryPolicy({ backoff: { initial_ms: 100, multiplier: 3, jitter: false } }), 3)).toBe(900);
  });
});

describe('redaction', () => {
  it('replaces secret config values (nested too) and their encoded forms', () => {
    const schema = { type: 'object' as const, properties: { key: { type: 'string', secret: true }, name: { type: 'string' }, oauth: { type: 'object', properties: { secret: { type: 'string', secret: true } } } } };
    const r = new Redactor(secretConfigValues(schema, { key: 'k/ey+1 2', name: 'visible', oauth: { secret: 'cl1ent-secret' } }));
    expect(r.redact('key=k%2Fey%2B1%202 raw=k/ey+1 2 form=k%2Fey%2B1+2 visible cl1ent-secret')).toBe('key=[REDACTED] raw=[REDACTED] form=[REDACTED] visible [REDACTED]');
  });
});

describe('incremental param formats', () => {
  it.each([
    ['2024-09-11T13:27:39.356Z', 'iso8601', '2024-09-11T13:27:39.356Z'],
    ['2023-02-08 05:30:20', 'iso8601', '2023-02-08T05:30:20.000Z'],
    ['2024-01-01T10:00:00-05:00', 'unix', 1704121200],
    [1704121200, 'unix_ms', 1704121200000],
    [1704121200000, 'date', '2024-01-01'],
    ['1704121200', 'iso8601', '2024-01-01T15:00:00.000Z'],
  ] as const)('%s as %s', (cursor, format, expected) => {
    expect(formatCursor(cursor, format)).toBe(expected);
  });

  it('refuses a cursor that is not a time', () => {
    expect(() => formatCursor('abc', 'unix')).toThrow(expect.objectContaining({ code: 'SB_CONFIG_INVALID' }));
  });
});
