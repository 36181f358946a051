// Webhook signature checks: an HMAC of the raw body compared with a header, or a shared token
// in a header; both compared in constant time. The secret is a template over the connection's
// config (e.g. `{{config.webhook_secret}}`), rendered in memory only.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookSignature } from '../../core/generated/connector';
import { compileTemplate } from '../../core/templates';

export type SignatureResult = { ok: true } | { ok: false; reason: string };

function render(template: string, config: Record<string, unknown>): string {
  const value = compileTemplate(template, { roots: ['config'] })({ config });
  return value === undefined || value === null ? '' : String(value);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifySignature(spec: WebhookSignature, config: Record<string, unknown>, headers: IncomingHttpHeaders, raw: Buffer): SignatureResult {
  const given = header(headers, spec.header);
  if (given === undefined || given === '') return { ok: false, reason: `the ${spec.header} header is missing` };
  if (spec.type === 'token') {
    const expected = render(spec.value, config);
    if (expected === '') return { ok: false, reason: 'the connection has no webhook token configured' };
    // Hash both sides so the comparison takes the same time whatever their lengths.
    const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
    return sameBytes(digest(given), digest(expected)) ? { ok: true } : { ok: false, reason: `the ${spec.header} token does not match` };
  }
  const secret = render(spec.secret, config);
  if (secret === '') return { ok: false, reason: 'the connection has no webhook secret configured' };
  const prefix = spec.prefix ?? '';
  if (!given.startsWith(prefix)) return { ok: false, reason: `the ${spec.header} header does not start with "${prefix}"` };
  const encoding = spec.encoding ?? 'hex';
  const text = given.slice(prefix.length).trim();
  const valid = encoding === 'hex' ? /^[0-9a-fA-F]+$/.test(text) : /^[A-Za-z0-9+/_-]+=*$/.test(text);
  if (!valid) return { ok: false, reason: `the ${spec.header} header is not ${encoding}` };
  const expected = createHmac(spec.algorithm ?? 'sha256', secret).update(raw).digest();
  return sameBytes(Buffer.from(text, encoding === 'hex' ? 'hex' : 'base64'), expected) ? { ok: true } : { ok: false, reason: `the ${spec.header} signature does not match the body` };
}
