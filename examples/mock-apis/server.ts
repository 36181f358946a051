// The common parts of the local mock APIs: a node:http server on 127.0.0.1 (port 0), a log of
// every request, JSON answers, injected faults (error statuses, resets, slow or broken
// answers), and helpers for offsets, opaque cursors and form bodies.
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Arrival time, epoch milliseconds with sub-millisecond precision. */
  at: number;
}

export interface MockResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON; a string is sent as it is. */
  body?: unknown;
  /**
   * A body sent piece by piece as it is produced (chunked), each piece written only once the
   * client has taken the ones before (so a client that stops reading stops the producer);
   * `body` is then ignored.
   */
  stream?: AsyncIterable<string>;
}

/**
 * What a fault does to one request instead of the normal answer: answer with another status,
 * reset the connection, answer late, answer with a body that is not JSON, stall after the
 * headers and part of the body (`stall`: nothing more is ever sent), or send a body that never
 * ends (`endless`: a chunk every 10 ms until the client goes away).
 */
export type FaultAction = MockResponse | { reset: true } | { delayMs: number } | { invalidJson: true } | { stall: true } | { endless: true };

/** Decides, per request (1-based index among all requests the mock received), whether a fault hits it. */
export type Faults = (index: number, req: LoggedRequest) => FaultAction | undefined;

/** Answers one request; `base` is the mock's own URL (for absolute links in answers). */
export type Handler = (req: LoggedRequest, base: string) => MockResponse | Promise<MockResponse>;

export interface MockApi {
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  url: string;
  /** Every request received, in arrival order. */
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export interface MockServerOptions {
  faults?: Faults | undefined;
  /** Called for each request before the handler; an answer here (e.g. a 401) replaces the handler's. */
  guard?: ((req: LoggedRequest) => MockResponse | undefined) | undefined;
  /** The port to listen on; default 0 (any free port). */
  port?: number | undefined;
  /** The loopback address to listen on; default 127.0.0.1 (127.0.0.2 makes another host). */
  host?: string | undefined;
}

/** Faults at given request indices (1-based). */
export function faultAt(indices: readonly number[], action: FaultAction): Faults {
  const set = new Set(indices);
  return (i) => (set.has(i) ? action : undefined);
}

/** Combines fault plans; the first that answers wins. */
export function faults(...plans: readonly Faults[]): Faults {
  return (i, req) => {
    for (const plan of plans) {
      const action = plan(i, req);
      if (action !== undefined) return action;
    }
    return undefined;
  };
}

function write(res: ServerResponse, answer: MockResponse): void {
  const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...answer.headers });
  res.end(body);
}

async function writeStream(res: ServerResponse, answer: MockResponse): Promise<void> {
  res.writeHead(answer.status ?? 200, { 'content-type': 'application/octet-stream', ...answer.headers });
  for await (const piece of answer.stream!) {
    if (res.destroyed) return;
    if (!res.write(piece)) await new Promise<void>((resolve) => {
      res.once('drain', resolve);
      res.once('close', resolve);
    });
  }
  res.end();
}

/** Starts a mock API on 127.0.0.1 (or `host`) with an ephemeral port. */
export async function startMockServer(handler: Handler, options: MockServerOptions = {}): Promise<MockApi> {
  const requests: LoggedRequest[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const at = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const parsed = new URL(url, 'http://mock.invalid');
      const logged: LoggedRequest = { method: req.method ?? 'GET', url, path: parsed.pathname, query: parsed.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at };
      requests.push(logged);
      void answer(logged, requests.length, res);
    });
  });
  const answer = async (req: LoggedRequest, index: number, res: ServerResponse): Promise<void> => {
    try {
      const fault = options.faults?.(index, req);
      if (fault !== undefined) {
        if ('reset' in fault) {
          res.socket?.destroy();
          return;
        }
        if ('stall' in fault || 'endless' in fault) {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.write('{"results": [{"id": "1", ');
          if ('endless' in fault) {
            const timer = setInterval(() => res.write('"padding": "0123456789abcdef", '), 10);
            res.on('close', () => clearInterval(timer));
          }
          return;
        }
        if ('invalidJson' in fault) {
          write(res, { body: '{"results": [ {"id": "1",' });
          return;
        }
        if ('delayMs' in fault) {
          await new Promise((r) => setTimeout(r, fault.delayMs));
          if (res.destroyed) return;
        } else {
          write(res, fault);
          return;
        }
      }
      const reply = options.guard?.(req) ?? (await handler(req, base));
      if (reply.stream !== undefined) await writeStream(res, reply);
      else write(res, reply);
    } catch (err) {
      write(res, { status: 500, body: { error: `mock failure: ${(err as Error).message}` } });
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON request body, or undefined when it is not JSON. */
export function jsonBody(req: LoggedRequest): unknown {
  try {
    return JSON.parse(req.body);
  } catch {
    return undefined;
  }
}

/** Parses a form body with bracketed keys (`metadata[plan]=pro`) into nested objects. */
export function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let node = out;
    parts.forEach((part, i) => {
      if (part === '__proto__' || part === 'constructor' || part === 'prototype') return;
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

/** An opaque, URL-safe cursor for a position (and optional filters). */
export function encodeCursor(data: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(data), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null): Record<string, unknown> | undefined {
  if (cursor === null || cursor === '') return undefined;
  try {
    const data: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A non-negative integer query parameter, else `fallback`, capped at `max`. */
export function intParam(query: URLSearchParams, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(query.get(name));
  return query.get(name) === null || !Number.isInteger(n) || n < 0 ? fallback : Math.min(n, max);
}

/** The bearer token of a request, if any. */
export function bearer(req: LoggedRequest): string | undefined {
  const header = req.headers['authorization'];
  return typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7) : undefined;
}

/** The `user:password` of a Basic authorization header, if any. */
export function basicCredentials(req: LoggedRequest): string | undefined {
  const header = req.headers['authorization'];
  return typeof header === 'string' && /^basic /i.test(header) ? Buffer.from(header.slice(6), 'base64').toString('utf8') : undefined;
}

/**
 * A sliding-window request counter, as APIs that allow N requests per rolling interval keep one
 * per key (HubSpot's ten-second budget, Zendesk's export limit).
 */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly intervalMs: number,
  ) {}

  /** Counts a request at `now` unless the window is full; returns what is left, or the wait (ms) until a slot frees. */
  take(key: string, now = Date.now()): { ok: true; remaining: number } | { ok: false; retryAfterMs: number } {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.intervalMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return { ok: false, retryAfterMs: recent[0]! + this.intervalMs - now };
    }
    recent.push(now);
    this.hits.set(key, recent);
    return { ok: true, remaining: this.limit - recent.length };
  }
}

/**
 * A leaky bucket (Shopify's REST limit): each request adds one unit, the bucket drains at
 * `leakPerSecond`, and a request that would overflow `size` is refused.
 */
export class LeakyBucket {
  private level = 0;
  private at = Date.now();

  constructor(
    readonly size: number,
    readonly leakPerSecond: number,
  ) {}

  /** Adds a request; returns the level after it, or the seconds (fractional) until one unit has drained. */
  add(now = Date.now()): { ok: true; level: number } | { ok: false; level: number; retryAfterSeconds: number } {
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.leakPerSecond);
    this.at = now;
    if (this.level + 1 > this.size) {
      return { ok: false, level: Math.ceil(this.level), retryAfterSeconds: (this.level + 1 - this.size) / this.leakPerSecond };
    }
    this.level += 1;
    return { ok: true, level: Math.ceil(this.level) };
  }
}

/** The current time as ISO-8601 UTC with milliseconds, for records the mocks change. */
export function isoNow(): string {
  return new Date().toISOString();
}
