// The shipped connectors' webhooks, on both databases, with deliveries signed exactly as each
// vendor documents it (test/helpers/webhook-signers.ts names the documents): a genuine delivery
// is accepted and asks for incremental runs; an altered body, a wrong secret or a stale timestamp
// is refused with 401 and nothing is queued; while a secret is rotated, either verifies.
import { join } from 'node:path';
import { loadRegistry } from '../../core/definitions';
import { DIALECTS } from '../helpers/db';
import { hubspotHeaders, pipedriveHeaders, shopifyHeaders, stripeHeaders, zendeskHeaders, zendeskTimestamp } from '../helpers/webhook-signers';
import { createTestServer, type TestServer } from './helpers';

type Json = Record<string, unknown>;
type Headers = Record<string, string>;

const ROOT = join(__dirname, '..', '..');
const PUBLIC_URL = 'https://switchboard.example.com';
const NEW = 'whsec_planted_new_9f3b1c';
const OLD = 'whsec_planted_old_77aa02';
const WRONG = 'whsec_guessed_000000';

interface Vendor {
  connector: string;
  config: Json;
  /** A delivery of `body` signed with `secret`, `ageSeconds` old. */
  sign(body: string, secret: string, ageSeconds?: number): Headers;
  /** The rotation case: a delivery signed with the previous secret only. */
  rotated?: (body: string) => Headers;
  /** Whether the vendor signs a timestamp. */
  timed: boolean;
  /** Whether the body is signed (Pipedrive sends only HTTP Basic credentials). */
  signsBody: boolean;
}

const VENDORS: Vendor[] = [
  {
    connector: 'stripe',
    config: { secret_key: 'sk_test_x', webhook_secret: NEW, webhook_secret_previous: OLD },
    sign: (body, secret, age = 0) => stripeHeaders(body, [secret], Math.floor(Date.now() / 1000) - age),
    // Stripe signs with both secrets while the old one has not expired: either v1 may match.
    rotated: (body) => stripeHeaders(body, [WRONG, OLD]),
    timed: true,
    signsBody: true,
  },
  {
    connector: 'zendesk',
    config: { subdomain: 'acme', email: 'agent@example.com', api_token: 'tok', webhook_secret: NEW, webhook_secret_previous: OLD },
    sign: (body, secret, age = 0) => zendeskHeaders(body, secret, zendeskTimestamp(Date.now() - age * 1000)),
    timed: true,
    signsBody: true,
  },
  {
    connector: 'hubspot',
    config: { access_token: 'pat-na1-x', webhook_secret: NEW, webhook_secret_previous: OLD },
    sign: (body, secret, age = 0) => hubspotHeaders('POST', `${PUBLIC_URL}/webhooks/hubspot`, body, secret, Date.now() - age * 1000),
    timed: true,
    signsBody: true,
  },
  {
    connector: 'shopify',
    config: { shop: 'example', access_token: 'shpat_x', webhook_secret: NEW, webhook_secret_previous: OLD },
    sign: (body, secret) => shopifyHeaders(body, secret),
    timed: false,
    signsBody: true,
  },
  {
    connector: 'pipedrive',
    config: { company_domain: 'acme', api_token: 'tok', webhook_user: 'hooks', webhook_password: NEW },
    sign: (_body, secret) => pipedriveHeaders('hooks', secret),
    timed: false,
    signsBody: false,
  },
];

const bodyOf = (vendor: string, n: number): string => JSON.stringify({ vendor, event: 'contact.updated', id: `evt_${n}`, sent: Date.now() });

describe.each(DIALECTS)('webhooks signed as the vendors sign them, on %s', (dialect) => {
  let s: TestServer;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    const registry = await loadRegistry({ connectorsDir: join(ROOT, 'connectors'), mappingsDir: join(ROOT, 'mappings') });
    s = await createTestServer(dialect, { publicUrl: PUBLIC_URL }, { registry });
    const admin = await s.token(['connections:admin']);
    for (const v of VENDORS) {
      const res = await s.call(admin, { method: 'POST', url: '/connections', payload: { name: v.connector, connector: v.connector, config: v.config } });
      expect(res.statusCode).toBe(201);
      ids.set(v.connector, String((res.json() as Json)['id']));
    }
  });
  afterAll(async () => s.close());

  const deliver = (connection: string, body: string, headers: Headers) => s.app.inject({ method: 'POST', url: `/webhooks/${connection}`, payload: body, headers });
  const runsOf = async (connector: string): Promise<number> => Number(((await s.db.knex('sync_runs').where('connection_id', ids.get(connector)!).count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n);

  it.each(VENDORS.map((v) => [v.connector, v] as const))('%s: altered body (where signed), wrong secret and stale deliveries get 401 and queue nothing', async (name, v) => {
    const body = bodyOf(name, 1);
    const refusals: Array<[string, string, Headers, string]> = [
      ['wrong secret', body, v.sign(body, WRONG), 'SB_UNAUTHORIZED'],
      ['no signature', body, { 'content-type': 'application/json' }, 'SB_UNAUTHORIZED'],
    ];
    if (v.signsBody) refusals.push(['altered body', body.replace('contact.updated', 'contact.deleted'), v.sign(body, NEW), 'SB_UNAUTHORIZED']);
    if (v.timed) {
      refusals.push(['stale (six minutes old)', body, v.sign(body, NEW, 360), 'SB_WEBHOOK_STALE']);
      refusals.push(['from six minutes ahead', body, v.sign(body, NEW, -360), 'SB_WEBHOOK_STALE']);
    }
    for (const [what, sent, headers, code] of refusals) {
      const res = await deliver(name, sent, headers);
      expect({ what, status: res.statusCode, code: (res.json() as Json)['code'] }).toEqual({ what, status: 401, code });
      expect(res.headers['www-authenticate']).toMatch(/^Signature header="/);
      expect(res.body).not.toContain(NEW);
    }
    expect(await runsOf(name)).toBe(0);
    expect(s.logs()).not.toContain(NEW);
  });

  it.each(VENDORS.map((v) => [v.connector, v] as const))('%s: a delivery signed as documented is accepted and queues incremental runs', async (name, v) => {
    const body = bodyOf(name, 2);
    const res = await deliver(name, body, v.sign(body, NEW, 30));
    expect(res.statusCode).toBe(202);
    const results = (res.json() as { results: Json[] }).results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r).toMatchObject({ ingested: false, run: { trigger: 'webhook', mode: 'incremental', direction: 'pull' } });
    expect(await runsOf(name)).toBe(results.length);
  });

  it.each(VENDORS.filter((v) => v.connector !== 'pipedrive').map((v) => [v.connector, v] as const))('%s: while a secret is rotated, a delivery signed with the previous one is accepted too', async (name, v) => {
    const body = bodyOf(name, 3);
    const res = await deliver(name, body, v.rotated?.(body) ?? v.sign(body, OLD));
    expect(res.statusCode).toBe(202);
  });

  it('hubspot: the signature covers the URL HubSpot called, so the same delivery to another URL is refused', async () => {
    const body = bodyOf('hubspot', 4);
    const res = await deliver('hubspot', body, hubspotHeaders('POST', `https://elsewhere.example.com/webhooks/hubspot`, body, NEW));
    expect(res.statusCode).toBe(401);
  });
});
