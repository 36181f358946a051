// Faults between us and the API: rate limiting with Retry-After, bursts of 503, HTML 502 pages,
// reset connections, slow answers, bodies that stall or never end, invalid JSON and
// non-retryable statuses. A read either completes with every record exactly once or fails with a
// clear error; waits are bounded by short timeouts, never real 30-second stalls.
import { readStream } from '../../../core/http';
import { hubspotContacts, startHubSpot } from '../../../examples/mock-apis/hubspot';
import { faultAt, faults, type MockApi } from '../../../examples/mock-apis/server';
import { startShopifyRest as startShopify } from '../../../examples/mock-apis/shopify-rest';
import { shopifyCustomers } from '../../../examples/mock-apis/shopify-data';
import { startStripe, STRIPE_RATE_LIMITED, stripeCustomers } from '../../../examples/mock-apis/stripe';
import { client, hubspotDefinition, idsOf, readAll, recordsOf, shopifyDefinition, stripeDefinition, failure } from '../../helpers/http-connectors';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const TOKEN = 'pat-na1-0123456789';
const contacts = hubspotContacts(300);
const config = (url: string) => ({ base_url: url, access_token: TOKEN });

function expectAllOnce(records: unknown[]): void {
  expect(idsOf(records)).toEqual(contacts.map((c) => c.id));
}

describe('retried faults', () => {
  it('429 with a fractional Retry-After waits that long, then the read completes', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: faultAt([2], { status: 429, headers: { 'retry-after': '0.3' }, body: { status: 'error', errorType: 'RATE_LIMIT' } }) });
    const c = client(hubspotDefinition({ retry: { max_attempts: 3, backoff: { initial_ms: 1, max_ms: 5000 } } }), config(api.url));
    const pages = await readAll(c, 'contacts', { prefetch: false });
    expectAllOnce(recordsOf(pages));
    const [, limited, retried] = api.requests;
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(290);
    expect(pages[1]).toMatchObject({ requests: 2, retries: 1 });
    expect(c.stats).toEqual({ requests: 4, retries: 1 });
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    const when = () => new Date(Date.now() + 1500).toUTCString();
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: (i) => (i === 1 ? { status: 503, headers: { 'retry-after': when() } } : undefined) });
    const pages = await readAll(client(hubspotDefinition({ retry: { max_attempts: 2, backoff: { initial_ms: 1, max_ms: 5000 } } }), config(api.url)), 'contacts');
    expectAllOnce(recordsOf(pages));
    expect(api.requests[1]!.at - api.requests[0]!.at).toBeGreaterThanOrEqual(400);
  });

  it('Shopify 429 with Retry-After and the read goes on with the same link', async () => {
    const customers = shopifyCustomers(120);
    api = await startShopify({ customers, accessToken: 'shpat', faults: faultAt([2], { status: 429, headers: { 'retry-after': '0.1' }, body: { errors: 'Exceeded 2 calls per second for api client.' } }) });
    const pages = await readAll(client(shopifyDefinition(), { base_url: api.url, access_token: 'shpat' }), 'customers');
    expect(idsOf(recordsOf(pages))).toEqual(customers.map((c) => c.id));
    expect(api.requests[2]!.url).toBe(api.requests[1]!.url);
  });

  it('Stripe 429 without Retry-After backs off exponentially', async () => {
    const customers = stripeCustomers(150);
    api = await startStripe({ customers, secretKey: 'sk_test_1', faults: faultAt([1, 2, 3], STRIPE_RATE_LIMITED) });
    const c = client(stripeDefinition(), { base_url: api.url, secret_key: 'sk_test_1' });
    const pages = await readAll(c, 'customers');
    expect(idsOf(recordsOf(pages))).toEqual(customers.map((x) => x.id));
    expect(pages[0]).toMatchObject({ requests: 4, retries: 3 });
  });

  it('a burst of 503s is ridden out', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: faultAt([2, 3, 4, 5], { status: 503, body: { message: 'unavailable' } }) });
    const c = client(hubspotDefinition({ retry: { max_attempts: 6, backoff: { initial_ms: 2, max_ms: 20 } } }), config(api.url));
    expectAllOnce(recordsOf(await readAll(c, 'contacts')));
    expect(c.stats).toEqual({ requests: 7, retries: 4 });
  });

  it('connection resets (socket destroyed) are retried', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: faultAt([1, 3, 4], { reset: true }) });
    const c = client(hubspotDefinition(), config(api.url));
    expectAllOnce(recordsOf(await readAll(c, 'contacts')));
    expect(c.stats.retries).toBe(3);
  });

  it('an answer slower than timeout_ms is abandoned and retried', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: faultAt([2], { delayMs: 1500 }) });
    const c = client(hubspotDefinition({ timeout_ms: 300 }), config(api.url));
    const started = Date.now();
    expectAllOnce(recordsOf(await readAll(c, 'contacts', { prefetch: false })));
    expect(Date.now() - started).toBeLessThan(1400);
    expect(c.stats.retries).toBe(1);
  });

  it('an HTML 502 page from a proxy is retried like any 502, its text kept out of the records', async () => {
    const html = { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: faultAt([2, 3], html) });
    const c = client(hubspotDefinition(), config(api.url));
    expectAllOnce(recordsOf(await readAll(c, 'contacts', { prefetch: false })));
    expect(c.stats.retries).toBe(2);
  });

  it('an HTML 502 on every attempt fails with the status and the page in the message', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><h1>502 Bad Gateway</h1></html>' }) });
    const err = await failure(readAll(client(hubspotDefinition(), config(api.url)), 'contacts'));
    expect(err.code).toBe('SB_HTTP_RETRIES_EXHAUSTED');
    expect(err.message).toContain('answered 502');
    expect(err.message).toContain('502 Bad Gateway');
  });

  // A stall of any length (30 seconds seen in the wild) is bounded by timeout_ms, kept short here.
  it('a body that stalls after its first bytes is abandoned at timeout_ms and retried', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: faultAt([2], { stall: true }) });
    const c = client(hubspotDefinition({ timeout_ms: 300 }), config(api.url));
    expectAllOnce(recordsOf(await readAll(c, 'contacts', { prefetch: false })));
    expect(c.stats.retries).toBe(1);
  });

  it('a body that never ends is abandoned at timeout_ms and retried', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: faultAt([1, 3], { endless: true }) });
    const c = client(hubspotDefinition({ timeout_ms: 300 }), config(api.url));
    expectAllOnce(recordsOf(await readAll(c, 'contacts', { prefetch: false })));
    expect(c.stats.retries).toBe(2);
  });

  it('a body that never ends on every attempt is SB_HTTP_TIMEOUT', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: () => ({ endless: true }) });
    const err = await failure(readAll(client(hubspotDefinition({ timeout_ms: 200, retry: { max_attempts: 2, backoff: { initial_ms: 1, max_ms: 5 } } }), config(api.url)), 'contacts'));
    expect(err.code).toBe('SB_HTTP_TIMEOUT');
    expect(api.requests).toHaveLength(2);
  });

  it('rate-limit headers at zero remaining hold the next request until the reset', async () => {
    const hold = faultAt([1], { body: { results: [], paging: { next: { after: 'x' } } }, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0.4' } });
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: hold });
    const def = hubspotDefinition({ retry: { rate_limit_headers: { remaining: 'X-RateLimit-Remaining', reset: 'X-RateLimit-Reset' } } });
    const c = client(def, config(api.url));
    const check = c.connector.check!;
    await c.send(check, c.context());
    await c.send(check, c.context());
    expect(api.requests[1]!.at - api.requests[0]!.at).toBeGreaterThanOrEqual(380);
  });

  it.each([
    ['seconds from now', () => '0.4'],
    ['epoch seconds', () => String((Date.now() + 1400) / 1000)],
    ['epoch milliseconds', () => String(Date.now() + 400)],
  ])('a reset given as %s is told apart (reset_unit auto) and holds the next request', async (_kind, reset) => {
    const hold = faults((i) => (i === 1 ? { body: { results: [] }, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset() } } : undefined));
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: hold });
    const c = client(hubspotDefinition({ retry: { rate_limit_headers: { remaining: 'X-RateLimit-Remaining', reset: 'X-RateLimit-Reset' } } }), config(api.url));
    await c.send(c.connector.check!, c.context());
    await c.send(c.connector.check!, c.context());
    const gap = api.requests[1]!.at - api.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(300);
    expect(gap).toBeLessThan(2000);
  });

  it('a 429 without Retry-After waits until its reset header, and pauses the other requests of the connection', async () => {
    const limited = faultAt([1], { status: 429, body: { message: 'slow down' }, headers: { 'x-ratelimit-reset': '0.5' } });
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: limited });
    const def = hubspotDefinition({ rate_limit: { concurrency: 4 }, retry: { backoff: { initial_ms: 1, max_ms: 5000 }, rate_limit_headers: { reset: 'X-RateLimit-Reset' } } });
    const c = client(def, config(api.url));
    await c.send(c.connector.check!, c.context());
    const sent = api.requests[0]!.at;
    // The 429'd request and one sent meanwhile both wait for the reset.
    await Promise.all([c.send(c.connector.check!, c.context()), new Promise((r) => setTimeout(r, 50)).then(() => c.send(c.connector.check!, c.context()))]);
    expect(c.stats.retries).toBe(1);
    const after = api.requests.slice(2).map((r) => r.at - sent);
    expect(after).toHaveLength(2);
    for (const t of after) expect(t).toBeGreaterThanOrEqual(450);
    expect(c.cost.drain().budgets['api']?.waitMs).toBeGreaterThan(0);
  });
});

describe('failures', () => {
  it('a timeout on every attempt is SB_HTTP_TIMEOUT', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: () => ({ delayMs: 1000 }) });
    const err = await failure(readAll(client(hubspotDefinition({ timeout_ms: 100, retry: { max_attempts: 2, backoff: { initial_ms: 1, max_ms: 5 } } }), config(api.url)), 'contacts'));
    expect(err.code).toBe('SB_HTTP_TIMEOUT');
    expect(err.message).toMatch(/no response within 100 ms \(after 2 attempts\)/);
  });

  it('503 until max_attempts is SB_HTTP_RETRIES_EXHAUSTED with the body', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: () => ({ status: 503, body: { message: 'down for maintenance' } }) });
    const err = await failure(readAll(client(hubspotDefinition(), config(api.url)), 'contacts'));
    expect(err.code).toBe('SB_HTTP_RETRIES_EXHAUSTED');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('answered 503');
    expect(err.message).toContain('down for maintenance');
    expect(api.requests).toHaveLength(5);
  });

  it('resets on every attempt are SB_HTTP_NETWORK', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: () => ({ reset: true }) });
    const err = await failure(readAll(client(hubspotDefinition(), config(api.url)), 'contacts'));
    expect(err.code).toBe('SB_HTTP_NETWORK');
  });

  it('a page whose body is not JSON is retried like a 5xx; every time, SB_HTTP_INVALID_RESPONSE', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: faultAt([2], { invalidJson: true }) });
    const c = client(hubspotDefinition(), config(api.url));
    expectAllOnce(recordsOf(await readAll(c, 'contacts', { prefetch: false })));
    expect(c.stats).toEqual({ requests: 4, retries: 1 });

    await api.close();
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: (i) => (i >= 2 ? { invalidJson: true } : undefined) });
    const pages: unknown[] = [];
    const err = await failure(
      (async () => {
        for await (const p of readStream(client(hubspotDefinition(), config(api!.url)), 'contacts')) pages.push(p);
      })(),
    );
    expect(err.code).toBe('SB_HTTP_INVALID_RESPONSE');
    expect(err.message).toMatch(/not valid JSON.*\(after 5 attempts\)/);
    expect(pages).toHaveLength(1);
    expect(api.requests).toHaveLength(6);
  });

  it('an action answered with a body that is not JSON is not sent again', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: () => ({ invalidJson: true }) });
    const c = client(hubspotDefinition(), config(api.url));
    const err = await failure(c.send(c.connector.check!, c.context()));
    expect(err.code).toBe('SB_HTTP_INVALID_RESPONSE');
    expect(api.requests).toHaveLength(1);
  });

  it('records missing at the records path is SB_HTTP_INVALID_RESPONSE', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN });
    const def = hubspotDefinition();
    def.streams!['contacts']!.records = 'items';
    const err = await failure(readAll(client(def, config(api.url)), 'contacts'));
    expect(err.code).toBe('SB_HTTP_INVALID_RESPONSE');
    expect(err.message).toContain('"items"');
  });

  it.each([400, 403, 404])('%i fails fast with the API error body, secrets redacted', async (status) => {
    api = await startHubSpot({
      objects: { contacts },
      token: TOKEN,
      faults: () => ({ status, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: `token ${TOKEN} over limit` }] }),
    });
    const c = client(hubspotDefinition({ auth: { type: 'api_key', name: 'hapikey', value: '{{config.access_token}}', in: 'query' } }), config(api.url));
    const err = await failure(readAll(c, 'contacts'));
    expect(err.code).toBe('SB_HTTP_REQUEST_FAILED');
    expect(api.requests).toHaveLength(1);
    expect(err.message).toContain(`answered ${status}`);
    expect(err.message).toContain('REQUEST_LIMIT_EXCEEDED');
    expect(err.message).toContain('[REDACTED]');
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain(TOKEN);
  });

  it('401 with a static token is SB_AUTH_FAILED, not retried', async () => {
    api = await startHubSpot({ objects: { contacts }, token: 'another-token' });
    const err = await failure(readAll(client(hubspotDefinition(), config(api.url)), 'contacts'));
    expect(err.code).toBe('SB_AUTH_FAILED');
    expect(err.message).toContain('INVALID_AUTHENTICATION');
    expect(api.requests).toHaveLength(1);
  });

  it('aborting a read stops it between attempts', async () => {
    api = await startHubSpot({ objects: { contacts }, token: TOKEN, faults: () => ({ status: 503 }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 50);
    const c = client(hubspotDefinition({ retry: { max_attempts: 10, backoff: { initial_ms: 1000, max_ms: 1000, jitter: false } } }), config(api.url));
    const started = Date.now();
    await expect(readAll(c, 'contacts', { signal: controller.signal })).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('merged fault plans', () => {
  it('several fault kinds in one read still give every record once', async () => {
    api = await startHubSpot({
      objects: { contacts },
      token: TOKEN,
      faults: faults(faultAt([1], { reset: true }), faultAt([3], { status: 502 }), faultAt([4], { delayMs: 800 }), faultAt([6], { status: 429, headers: { 'retry-after': '0' } })),
    });
    const c = client(hubspotDefinition({ timeout_ms: 300 }), config(api.url));
    expectAllOnce(recordsOf(await readAll(c, 'contacts')));
    expect(c.stats.retries).toBe(4);
  });
});
