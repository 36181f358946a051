// The signature verifier on its own: timestamps in each format, signed payloads over raw bytes,
// key=value signature headers with many candidates, secrets and tokens being rotated.
import { createHmac } from 'node:crypto';
import { validateDocument } from '../../core/definitions';
import type { WebhookSignature } from '../../core/generated/connector';
import { WEBHOOK_EXAMPLES } from '../../scripts/docs-text';
import { webhookVerifier, type InboundRequest } from '../../server/webhooks/signature';
import { parseTimestamp, checkFreshness } from '../../server/webhooks/timestamp';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const request = (headers: Record<string, string>, body: Buffer | string = '{}'): InboundRequest => ({
  method: 'POST',
  url: 'https://switchboard.example.com/webhooks/x?a=1',
  path: '/webhooks/x?a=1',
  headers,
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});
const hmac = (secret: string, payload: Buffer | string, encoding: 'hex' | 'base64' = 'hex'): string => createHmac('sha256', secret).update(payload).digest(encoding);

describe('webhook timestamps', () => {
  it('reads epoch seconds, epoch milliseconds and ISO-8601, and nothing else', () => {
    expect(parseTimestamp('1796126400', 'unix')).toBe(1796126400_000);
    expect(parseTimestamp('1796126400123', 'unix_ms')).toBe(1796126400123);
    expect(parseTimestamp('2021-07-25T10:00:00Z', 'iso8601')).toBe(Date.parse('2021-07-25T10:00:00Z'));
    expect(parseTimestamp('2021-07-25T12:00:00+02:00', 'iso8601')).toBe(Date.parse('2021-07-25T10:00:00Z'));
    for (const bad of ['', '-1', '1e9', '17961264.5', '0x6b', ' ', '1796126400 OR 1']) expect(parseTimestamp(bad, 'unix')).toBeUndefined();
    for (const bad of ['2021-07-25', '2021-07-25 10:00:00', 'yesterday', '1796126400']) expect(parseTimestamp(bad, 'iso8601')).toBeUndefined();
  });

  it('refuses timestamps outside the window either way, saying how far off they are', () => {
    const spec = { format: 'unix', tolerance_seconds: 300 } as const;
    expect(checkFreshness(String(NOW / 1000 - 300), spec, NOW)).toEqual({ fresh: true, signedAtMs: NOW - 300_000 });
    expect(checkFreshness(String(NOW / 1000 - 301), spec, NOW)).toEqual({ fresh: false, reason: expect.stringContaining('301 s old') });
    expect(checkFreshness(String(NOW / 1000 + 301), spec, NOW)).toEqual({ fresh: false, reason: expect.stringContaining("301 s ahead of the server's clock") });
  });
});

describe('HMAC signatures', () => {
  const stripeLike: WebhookSignature = {
    type: 'hmac',
    header: 'Stripe-Signature',
    secrets: ['{{config.current}}', '{{config.previous}}'],
    fields: { signature: 'v1' },
    signed_payload: '{{request.timestamp}}.{{request.body}}',
    timestamp: { field: 't', format: 'unix' },
  };

  it('signs raw bytes as received, invalid UTF-8 included', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const spec: WebhookSignature = { type: 'hmac', header: 'X-Sig', secret: '{{config.current}}', signed_payload: 'v0:{{request.method}}:{{request.body}}:{{request.path}}' };
    const payload = Buffer.concat([Buffer.from('v0:POST:'), body, Buffer.from(':/webhooks/x?a=1')]);
    const verifier = webhookVerifier(spec);
    expect(verifier.verify(request({ 'x-sig': hmac('k', payload) }, body), { current: 'k' }, NOW)).toMatchObject({ ok: true, delivery: { signedPayload: payload } });
    // The same bytes decoded and re-encoded as UTF-8 would differ: a signature over them must not pass.
    expect(verifier.verify(request({ 'x-sig': hmac('k', Buffer.from(`v0:POST:${body.toString('utf8')}:/webhooks/x?a=1`)) }, body), { current: 'k' }, NOW)).toMatchObject({ ok: false });
  });

  it('accepts any v1 candidate under any configured secret, and ignores fields of other schemes', () => {
    const t = String(NOW / 1000);
    const verifier = webhookVerifier(stripeLike);
    const v1 = (secret: string): string => `v1=${hmac(secret, `${t}.{}`)}`;
    expect(verifier.verify(request({ 'stripe-signature': `t=${t},${v1('old')}` }), { current: 'new', previous: 'old' }, NOW)).toMatchObject({ ok: true, delivery: { signedAtMs: NOW } });
    expect(verifier.verify(request({ 'stripe-signature': `t=${t}, v0=${hmac('new', `${t}.{}`)}` }), { current: 'new' }, NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('no hex signature') });
    // Empty secrets are skipped, never used as a key.
    expect(verifier.verify(request({ 'stripe-signature': `t=${t},${v1('')}` }), { current: '', previous: '' }, NOW)).toMatchObject({ ok: false, reason: 'the connection has no webhook secret configured' });
    // Only the first 8 candidates count: a header stuffed with guesses costs nothing.
    const stuffed = [`t=${t}`, ...Array.from({ length: 8 }, () => 'v1=00'), v1('new')].join(',');
    expect(verifier.verify(request({ 'stripe-signature': stuffed }), { current: 'new' }, NOW)).toMatchObject({ ok: false });
  });

  it('checks the timestamp only once the signature holds, and needs it present', () => {
    const verifier = webhookVerifier(stripeLike);
    const old = String(NOW / 1000 - 3600);
    expect(verifier.verify(request({ 'stripe-signature': `t=${old},v1=${hmac('new', `${old}.{}`)}` }), { current: 'new' }, NOW)).toMatchObject({ ok: false, code: 'SB_WEBHOOK_STALE' });
    expect(verifier.verify(request({ 'stripe-signature': `t=${old},v1=${hmac('guess', `${old}.{}`)}` }), { current: 'new' }, NOW)).toMatchObject({ ok: false, code: 'SB_UNAUTHORIZED' });
    expect(verifier.verify(request({ 'stripe-signature': `v1=${hmac('new', '.{}')}` }), { current: 'new' }, NOW)).toMatchObject({ ok: false, code: 'SB_UNAUTHORIZED', reason: expect.stringContaining('timestamp') });
  });
});

describe('token signatures', () => {
  it('accepts the current or the previous token, and never an empty one', () => {
    const verifier = webhookVerifier({ type: 'token', header: 'Authorization', values: ['{{#if config.a}}Basic {{base64 config.a}}{{/if}}', '{{config.b}}'] });
    expect(verifier.verify(request({ authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }), { a: 'u:p' }).ok).toBe(true);
    expect(verifier.verify(request({ authorization: 'old-token' }), { a: 'u:p', b: 'old-token' }).ok).toBe(true);
    expect(verifier.verify(request({ authorization: 'Basic ' }), {})).toMatchObject({ ok: false, reason: 'the connection has no webhook token configured' });
  });
});

describe('the examples of docs/connectors.md that no shipped connector carries', () => {
  const inline = WEBHOOK_EXAMPLES.filter((e) => e.webhooks !== undefined);

  it.each(inline.map((e) => [e.title, e] as const))('%s: validates, and verifies a delivery signed as its text says', (_title, example) => {
    const connector = {
      id: 'example',
      name: 'Example',
      base_url: 'https://api.example.com',
      config_schema: { type: 'object', properties: { webhook_secret: { type: 'string', secret: true } } },
      streams: { items: { request: { path: '/items' }, records: 'items', primary_key: 'id' } },
      webhooks: example.webhooks,
    };
    expect(validateDocument('connector', JSON.stringify(connector, null, 2), 'example.json')).toEqual([]);
    const signature = (example.webhooks as { signature: WebhookSignature }).signature;
    const body = '{"action":"opened"}';
    const verifier = webhookVerifier(signature);
    expect(verifier.verify(request({ 'x-hub-signature-256': `sha256=${hmac('s3cret', body)}` }, body), { webhook_secret: 's3cret' }, NOW).ok).toBe(true);
    expect(verifier.verify(request({ 'x-hub-signature-256': `sha256=${hmac('s3cret', `${body} `)}` }, body), { webhook_secret: 's3cret' }, NOW).ok).toBe(false);
  });
});
