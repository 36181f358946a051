// Webhook signature checks, as the connector's `webhooks.signature` declares them: an HMAC over
// the signed payload (a template of the request: body, timestamp, method, URL), read from a
// header that holds one digest or `key=value` fields, under any of the secrets being rotated,
// with the signed timestamp inside its tolerance window; or a shared token in a header. Digests
// and tokens are compared in constant time; secrets are rendered from the connection's config in
// memory only.
//
// The vendors' schemes this expresses, as they document them (see connectors/*.json):
// - Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>]`, HMAC-SHA256 of `${t}.${body}`, every
//   v1 a candidate, 300 s tolerance (stripe-node src/Webhooks.ts: parseHeader, makeHMACContent,
//   DEFAULT_TOLERANCE; https://docs.stripe.com/webhooks/signature).
// - Zendesk: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(TIMESTAMP + BODY)), the ISO-8601
//   timestamp in `X-Zendesk-Webhook-Signature-Timestamp`
//   (https://developer.zendesk.com/documentation/webhooks/verifying/).
// - HubSpot v3: `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(method + URI + body + timestamp)),
//   the epoch-ms timestamp in `X-HubSpot-Request-Timestamp`, older than 5 minutes refused
//   (https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests;
//   hubspot-api-nodejs src/utils/signature.ts, MAX_ALLOWED_TIMESTAMP = 300000).
// - Shopify: `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(raw body)), no timestamp
//   (https://shopify.dev/docs/apps/build/webhooks/verify-deliveries).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookSignature, WebhookSignatureHmac, WebhookSignatureToken } from '../../core/generated/connector';
import { compileTemplate, type CompiledTemplate } from '../../core/templates';
import { compileSignedPayload, type SignedPayload, type WebhookRequest } from './signed-payload';
import { checkFreshness } from './timestamp';

/** What verification established about a delivery, for the replay check. */
export interface VerifiedDelivery {
  /** The bytes the HMAC covers (undefined for token checks, which sign nothing). */
  signedPayload: Buffer | undefined;
  /** When the delivery was signed, if its signature carries a timestamp. */
  signedAtMs: number | undefined;
}

export type VerifyResult =
  | { ok: true; delivery: VerifiedDelivery }
  /** SB_UNAUTHORIZED: no valid signature; SB_WEBHOOK_STALE: a valid one, outside the tolerance window. */
  | { ok: false; code: 'SB_UNAUTHORIZED' | 'SB_WEBHOOK_STALE'; reason: string };

export type InboundRequest = Omit<WebhookRequest, 'timestamp'>;

export interface WebhookVerifier {
  /** The header named in `WWW-Authenticate` when a delivery is refused. */
  readonly header: string;
  verify(request: InboundRequest, config: Record<string, unknown>, nowMs?: number): VerifyResult;
}

/** More candidate signatures than this in one header are ignored (a header of 10,000 `v1=` costs nothing). */
const MAX_CANDIDATES = 8;

const refuse = (reason: string, code: 'SB_UNAUTHORIZED' | 'SB_WEBHOOK_STALE' = 'SB_UNAUTHORIZED'): VerifyResult => ({ ok: false, code, reason });

/** Header values by lower-case name (the first of repeated ones), on an object without a prototype. */
export function headerMap(headers: IncomingHttpHeaders): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  return out;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The templates of `one` or `many`, compiled over `config`. */
function compileSecrets(one: string | undefined, many: readonly string[] | undefined): CompiledTemplate[] {
  return [...(one === undefined ? [] : [one]), ...(many ?? [])].map((t) => compileTemplate(t, { roots: ['config'] }));
}

function renderAll(templates: readonly CompiledTemplate[], config: Record<string, unknown>): string[] {
  return templates.map((t) => t({ config })).filter((v) => v !== undefined && v !== null && v !== '').map(String);
}

/** `k=v` fields of a signature header (Stripe's `t=...,v1=...`); a value may itself hold `=`. */
function parseFields(value: string, separator: string): Array<[string, string]> {
  return value.split(separator).flatMap((item): Array<[string, string]> => {
    const at = item.indexOf('=');
    return at < 0 ? [] : [[item.slice(0, at).trim(), item.slice(at + 1).trim()]];
  });
}

function decodeDigest(text: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  if (encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
  return /^[A-Za-z0-9+/_-]+=*$/.test(text) ? Buffer.from(text, 'base64') : undefined;
}

function hmacVerifier(spec: WebhookSignatureHmac): WebhookVerifier {
  const secrets = compileSecrets(spec.secret, spec.secrets);
  const payloadOf: SignedPayload = compileSignedPayload(spec.signed_payload);
  const headerName = spec.header.toLowerCase();
  const encoding = spec.encoding ?? 'hex';
  const prefix = spec.prefix ?? '';
  const timestamp = spec.timestamp;

  return {
    header: spec.header,
    verify(request, config, nowMs = Date.now()) {
      const value = request.headers[headerName];
      if (value === undefined || value.trim() === '') return refuse(`the ${spec.header} header is missing`);
      const fields = spec.fields === undefined ? undefined : parseFields(value, spec.fields.separator ?? ',');
      const texts = fields === undefined ? [value.trim()] : fields.filter(([k]) => k === spec.fields!.signature).map(([, v]) => v);
      const candidates = texts
        .slice(0, MAX_CANDIDATES)
        .flatMap((t) => (t.startsWith(prefix) ? [decodeDigest(t.slice(prefix.length).trim(), encoding)] : []))
        .filter((d): d is Buffer => d !== undefined);
      if (candidates.length === 0) return refuse(`the ${spec.header} header holds no ${encoding} signature${prefix === '' ? '' : ` after "${prefix}"`}`);

      let sentAt: string | undefined;
      if (timestamp !== undefined) {
        sentAt = timestamp.header !== undefined ? request.headers[timestamp.header.toLowerCase()] : fields?.find(([k]) => k === timestamp.field)?.[1];
        if (sentAt === undefined || sentAt === '') return refuse(`the timestamp (${timestamp.header !== undefined ? `${timestamp.header} header` : `"${timestamp.field ?? ''}" field of ${spec.header}`}) is missing`);
      }
      const keys = renderAll(secrets, config);
      if (keys.length === 0) return refuse('the connection has no webhook secret configured');
      const payload = payloadOf({ ...request, timestamp: sentAt });
      // Any secret (one being rotated out, or in) and any candidate (one per secret the API signs with).
      const matched = keys.some((key) => {
        const expected = createHmac(spec.algorithm ?? 'sha256', key).update(payload).digest();
        return candidates.some((c) => sameBytes(c, expected));
      });
      if (!matched) return refuse(`the ${spec.header} signature does not match the signed payload under any configured secret`);
      // Freshness only after the signature: a stale answer then says the delivery was genuine.
      let signedAtMs: number | undefined;
      if (timestamp !== undefined && sentAt !== undefined) {
        const fresh = checkFreshness(sentAt, timestamp, nowMs);
        if (!fresh.fresh) return refuse(fresh.reason, 'SB_WEBHOOK_STALE');
        signedAtMs = fresh.signedAtMs;
      }
      return { ok: true, delivery: { signedPayload: payload, signedAtMs } };
    },
  };
}

function tokenVerifier(spec: WebhookSignatureToken): WebhookVerifier {
  const values = compileSecrets(spec.value, spec.values);
  const headerName = spec.header.toLowerCase();
  // Hash both sides so the comparison takes the same time whatever their lengths.
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return {
    header: spec.header,
    verify(request, config) {
      const given = request.headers[headerName];
      if (given === undefined || given === '') return refuse(`the ${spec.header} header is missing`);
      const expected = renderAll(values, config);
      if (expected.length === 0) return refuse('the connection has no webhook token configured');
      const sent = digest(given);
      if (!expected.some((e) => sameBytes(sent, digest(e)))) return refuse(`the ${spec.header} token does not match`);
      return { ok: true, delivery: { signedPayload: undefined, signedAtMs: undefined } };
    },
  };
}

const verifiers = new WeakMap<WebhookSignature, WebhookVerifier>();

/** The verifier of a connector's signature spec, compiled once per loaded definition. */
export function webhookVerifier(spec: WebhookSignature): WebhookVerifier {
  let verifier = verifiers.get(spec);
  if (verifier === undefined) {
    verifier = spec.type === 'hmac' ? hmacVerifier(spec) : tokenVerifier(spec);
    verifiers.set(spec, verifier);
  }
  return verifier;
}
