// A small HTTP proxy on 127.0.0.1 in front of a mock API: it forwards every request as it came
// and passes the answer back, except where a rule answers instead (a broken page, ...). Requests
// are numbered as pages: since the last `use`, the n-th distinct request (method, URL, body) is
// page n, and its retries are attempts 2, 3, ... of the same page.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** 1-based: which distinct request this is. */
  page: number;
  /** 1-based: how many times this same request arrived, this one included. */
  attempt: number;
}

/** What the proxy answers instead of forwarding. */
export interface ProxyAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON, or as it is when a string. */
  body: unknown;
}

export type ProxyRule = (req: ProxiedRequest) => ProxyAnswer | undefined;

export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Sets the rule (none: forward everything) and numbers pages from 1 again. */
  use(rule?: ProxyRule): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string, rule?: ProxyRule): Promise<FaultProxy> {
  const target = new URL(upstream);
  const pages = new Map<string, { page: number; attempts: number }>();
  const requests: ProxiedRequest[] = [];
  const agent = new http.Agent({ keepAlive: true });
  let current = rule;
  const proxy: FaultProxy = {
    url: '',
    requests,
    use(next) {
      current = next;
      pages.clear();
    },
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = `${req.method} ${req.url} ${body}`;
      let seen = pages.get(key);
      if (seen === undefined) pages.set(key, (seen = { page: pages.size + 1, attempts: 0 }));
      seen.attempts += 1;
      const logged: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, page: seen.page, attempt: seen.attempts };
      requests.push(logged);
      const answer = current?.(logged);
      if (answer !== undefined) {
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...answer.headers });
        res.end(text);
        return;
      }
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
