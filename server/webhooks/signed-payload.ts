// What a webhook signature covers, as bytes: the connector's `signed_payload` template over the
// inbound request (`{{request.body}}` spliced in as the raw bytes received, never decoded).
import { compileTemplate, splitAtRequestBody, type CompiledTemplate } from '../../core/templates';

/** The inbound request as `signed_payload` templates see it (the `request` root). */
export interface WebhookRequest {
  method: string;
  /** Absolute, as the API addressed it: the server's public URL (or scheme and Host) + path and query. */
  url: string;
  /** Path and query as received. */
  path: string;
  /** Lower-case names; the first value of a repeated header. */
  headers: Record<string, string>;
  /** The signature's timestamp exactly as sent (its header, or its field of the signature header). */
  timestamp: string | undefined;
  body: Buffer;
}

export const DEFAULT_SIGNED_PAYLOAD = '{{request.body}}';

export type SignedPayload = (request: WebhookRequest) => Buffer;

/** Compiles a `signed_payload` once; the load-time checks have refused anything but `request` and a standalone body. */
export function compileSignedPayload(source: string = DEFAULT_SIGNED_PAYLOAD): SignedPayload {
  const parts: CompiledTemplate[] = splitAtRequestBody(source).map((part) => compileTemplate(part, { roots: ['request'] }));
  if (parts.length === 2 && parts[0]!.source === '' && parts[1]!.source === '') return (request) => request.body;
  return (request) => {
    // The body is not in the text parts' context: only the placeholders between them put it in.
    const context = { request: { method: request.method, url: request.url, path: request.path, headers: request.headers, timestamp: request.timestamp } };
    const chunks: Buffer[] = [];
    parts.forEach((part, i) => {
      if (i > 0) chunks.push(request.body);
      const text = part(context);
      if (text !== undefined && text !== null && text !== '') chunks.push(Buffer.from(String(text), 'utf8'));
    });
    return Buffer.concat(chunks);
  };
}
