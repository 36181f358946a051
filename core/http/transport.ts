// One HTTP exchange over node:http(s) with keep-alive agents: send, read the whole body
// (decompressed), enforce the attempt's timeout, classify failures as timeout or network.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

export interface HttpRequest {
  method: string;
  /** Absolute http(s) URL, sent exactly as given. */
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The body as text (UTF-8, decompressed). */
  text: string;
}

export type TransportFailure = 'timeout' | 'network' | 'aborted';

/** A request that got no complete response: no connection, a reset, a timeout or an abort. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

// Keep-alive agents shared by every connection: reusing sockets is most of the per-request
// cost saved. Idle sockets are dropped after 4 s, before servers' usual 5 s keep-alive
// timeout closes them under us (a reset on a reused socket is retried anyway).
const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, timeout: 4000, scheduling: 'lifo' as const };
const httpAgent = new http.Agent(agentOptions);
const httpsAgent = new https.Agent(agentOptions);

function decode(res: IncomingMessage): NodeJS.ReadableStream {
  switch ((res.headers['content-encoding'] ?? '').toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(zlib.createGunzip());
    case 'deflate':
      return res.pipe(zlib.createInflate());
    case 'br':
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

/**
 * The path and query as written in the URL string, not as the URL parser normalizes them:
 * next-page URLs are requested exactly as the API gave them. Falls back to the parsed form
 * when the raw text holds characters HTTP does not allow.
 */
function rawPath(text: string, parsed: URL): string {
  const authority = text.indexOf('//') + 2;
  const rest = text.slice(authority);
  const end = rest.search(/[/?#]/);
  let path = end < 0 ? '/' : rest.slice(end);
  if (path.startsWith('?')) path = `/${path}`;
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  if (path.startsWith('/') && !/[^\x21-\x7e]/.test(path)) return path;
  return `${parsed.pathname}${parsed.search}`;
}

/** A response whose body is still arriving: read `body` (decompressed) as a stream. */
export interface OpenResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: NodeJS.ReadableStream;
  /** Ends the exchange early (the socket is dropped, not reused). */
  destroy(): void;
}

/** The request on its way (not yet ended), or why it cannot be sent: an unusable URL, an aborted signal. */
function begin(req: HttpRequest, signal: AbortSignal | undefined): http.ClientRequest | Error {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch (err) {
    return new TypeError(`invalid URL: ${req.url}`, { cause: err });
  }
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return new TypeError(`unsupported URL protocol: ${url.protocol}`);
  if (signal?.aborted === true) return new TransportError('aborted', 'request aborted', { cause: signal.reason });
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  return (secure ? https : http).request({
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port,
    path: rawPath(req.url, url),
    method: req.method,
    headers,
    agent: secure ? httpsAgent : httpAgent,
  });
}

/**
 * Sends one request and resolves as soon as the response's headers arrive, leaving the body to
 * the caller (bulk downloads, parsed as they stream in and never held whole). `timeoutMs` bounds
 * the wait for the headers; the reader bounds its own waits for the body. The body stream emits
 * an error if the connection breaks or the signal aborts the read.
 */
export function open(req: HttpRequest, timeoutMs: number, signal?: AbortSignal): Promise<OpenResponse> {
  return new Promise<OpenResponse>((resolve, reject) => {
    const start = begin(req, signal);
    if (start instanceof Error) {
      reject(start);
      return;
    }
    let answered = false;
    const request = start;
    const fail = (err: TransportError): void => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      request.destroy();
      reject(err);
    };
    const onAbort = (): void => {
      if (!answered) fail(new TransportError('aborted', 'request aborted', { cause: signal?.reason }));
      else request.destroy(new TransportError('aborted', 'request aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => fail(new TransportError('timeout', `no response headers within ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err) => fail(new TransportError('network', err.message, { cause: err })));
    request.on('close', () => signal?.removeEventListener('abort', onAbort));
    request.on('response', (res) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      const body = decode(res);
      res.on('aborted', () => (body as NodeJS.ReadableStream & { destroy?(e: Error): void }).destroy?.(new TransportError('network', 'response aborted')));
      if (body !== res) res.on('error', (err) => (body as NodeJS.ReadableStream & { destroy?(e: Error): void }).destroy?.(err));
      resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body, destroy: () => request.destroy() });
    });
    request.end(req.body);
  });
}

/** The rest of a body as text (an error answer of a streamed request: small, read whole). */
export async function readText(body: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends one request; resolves with any complete response (whatever its status). */
export function send(req: HttpRequest, timeoutMs: number, signal?: AbortSignal): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const start = begin(req, signal);
    if (start instanceof Error) {
      reject(start);
      return;
    }
    let settled = false;
    const fail = (err: TransportError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(new TransportError('aborted', 'request aborted', { cause: signal?.reason }));
    const request = start;
    const timer = setTimeout(() => fail(new TransportError('timeout', `no complete response within ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err) => fail(new TransportError('network', err.message, { cause: err })));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      const body = decode(res);
      body.on('data', (chunk: Buffer) => chunks.push(chunk));
      body.on('error', (err: Error) => fail(new TransportError('network', err.message, { cause: err })));
      res.on('aborted', () => fail(new TransportError('network', 'response aborted')));
      body.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    request.end(req.body);
  });
}
