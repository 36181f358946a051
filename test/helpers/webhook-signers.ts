// Webhook deliveries signed exactly as each vendor documents it, for tests of the shipped
// connectors' `webhooks` sections. Written from the vendors' own material, not from our code:
// - Stripe: stripe-node src/Webhooks.ts (`makeHMACContent` = `${timestamp}.${payload}`, HMAC-SHA256
//   hex, header `t=<unix>,v1=<sig>`; while a secret is rolled Stripe sends one v1 per secret) and
//   https://docs.stripe.com/webhooks/signature.
// - Zendesk: https://developer.zendesk.com/documentation/webhooks/verifying/ —
//   base64(HMACSHA256(TIMESTAMP + BODY)) in X-Zendesk-Webhook-Signature, the timestamp (ISO-8601,
//   e.g. 2021-07-25T10:00:00Z) in X-Zendesk-Webhook-Signature-Timestamp; X-Zendesk-Webhook-Id and
//   X-Zendesk-Webhook-Invocation-Id name the webhook and the invocation.
// - HubSpot v3: https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests
//   and hubspot-api-nodejs src/utils/signature.ts — base64(HMAC-SHA256(clientSecret, method + uri +
//   body + timestamp)) in X-HubSpot-Signature-v3, epoch milliseconds in X-HubSpot-Request-Timestamp.
// - Shopify: https://shopify.dev/docs/apps/build/webhooks/verify-deliveries — base64 HMAC-SHA256 of
//   the raw body under the app's client secret in X-Shopify-Hmac-Sha256; X-Shopify-Webhook-Id
//   identifies a delivery (the same on retries).
// - Pipedrive: https://pipedrive.readme.io/docs/guide-for-webhooks — no signature; the webhook's
//   http_auth_user / http_auth_password arrive as HTTP Basic credentials.
import { createHmac, randomUUID } from 'node:crypto';

type Headers = Record<string, string>;

const hmac = (secret: string, payload: string | Buffer): Buffer => createHmac('sha256', secret).update(payload).digest();

/** Stripe-Signature for `body`; several secrets give several v1 fields, as while a secret is rolled. */
export function stripeHeaders(body: string, secrets: readonly string[], timestampSeconds = Math.floor(Date.now() / 1000)): Headers {
  const v1 = secrets.map((s) => `v1=${hmac(s, `${timestampSeconds}.${body}`).toString('hex')}`);
  // Test-mode deliveries also carry a v0 signature, which verification ignores.
  return { 'stripe-signature': [`t=${timestampSeconds}`, ...v1, 'v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39'].join(','), 'content-type': 'application/json; charset=utf-8' };
}

/** Zendesk's ISO-8601 timestamp, to the second, as in its documentation's example. */
export function zendeskTimestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function zendeskHeaders(body: string, secret: string, timestamp = zendeskTimestamp(), invocationId = randomUUID()): Headers {
  return {
    'x-zendesk-webhook-signature': hmac(secret, timestamp + body).toString('base64'),
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-zendesk-webhook-id': '01GCX0BGN0SEGRPZ4JH7VYVWNA',
    'x-zendesk-webhook-invocation-id': invocationId,
    'content-type': 'application/json',
  };
}

/** `uri` is the full URL HubSpot was configured to call. */
export function hubspotHeaders(method: string, uri: string, body: string, secret: string, timestampMs = Date.now()): Headers {
  return {
    'x-hubspot-signature-v3': hmac(secret, `${method}${uri}${body}${timestampMs}`).toString('base64'),
    'x-hubspot-request-timestamp': String(timestampMs),
    'content-type': 'application/json',
  };
}

export function shopifyHeaders(body: string, secret: string, webhookId = randomUUID()): Headers {
  return {
    'x-shopify-hmac-sha256': hmac(secret, body).toString('base64'),
    'x-shopify-webhook-id': webhookId,
    'x-shopify-topic': 'customers/update',
    'x-shopify-shop-domain': 'example.myshopify.com',
    'content-type': 'application/json',
  };
}

export function pipedriveHeaders(user: string, password: string): Headers {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`, 'content-type': 'application/json' };
}
