// Over a real port (127.0.0.1:0): every route of the OpenAPI document answers real HTTP without
// a server error, errors in the error shape; plus what only a socket shows (HEAD, keep-alive,
// bodies sent as bytes, oversized headers).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DIALECTS } from '../helpers/db';
import { ALL_SCOPES } from '../../server/auth/scopes';
import { createTestServer, type TestServer } from './helpers';
import { openApiOf, operationsOf } from './routes';

type Json = Record<string, unknown>;

function request(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe.each(DIALECTS)('over a real port on %s', (dialect) => {
  let s: TestServer;
  let base: string;
  let token: string;

  beforeAll(async () => {
    s = await createTestServer(dialect, { rateLimit: false });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
    token = await s.token([...ALL_SCOPES]);
    await s.call(token, { method: 'POST', url: '/connections', payload: { name: 'c1', connector: 'demo', config: { base_url: 'http://127.0.0.1:9', api_key: 'k' } } });
  });
  afterAll(async () => s.close());

  it('answers every documented route without a server error', async () => {
    const contact = (await s.call(token, { method: 'POST', url: '/crm/contacts', payload: { email: 'real@example.com' } })).json() as Json;
    const fill = (param: string): string => (param === 'id' ? String(contact['id']) : param === 'connection' ? 'c1' : 'x0');
    const ops = operationsOf(await openApiOf(s.app), fill);
    for (const op of ops) {
      const url = op.path.startsWith('/connections/') || op.path.startsWith('/runs/') ? op.url.replace(String(contact['id']), 'c1') : op.url;
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(op.method);
      const res = await request(base, op.method, url, { authorization: `Bearer ${token}`, ...(hasBody ? { 'content-type': 'application/json' } : {}) }, hasBody ? '{}' : undefined);
      const where = `${op.method} ${op.path}`;
      expect({ where, serverError: res.status >= 500 }).toEqual({ where, serverError: false });
      if (res.status >= 400) expect(JSON.parse(res.text)).toMatchObject({ statusCode: res.status, code: expect.stringMatching(/^SB_/), error: expect.any(String), message: expect.any(String) });
    }
  });

  it('serves reads with keep-alive, HEAD, the docs, and bodies sent as bytes', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        http.get(`${base}/health`, { agent }, (res) => {
          ports.add(res.socket.localPort ?? 0);
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
    }
    agent.destroy();
    expect(ports.size).toBe(1);
    const head = await request(base, 'HEAD', '/crm/contacts', { authorization: `Bearer ${token}` });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const docs = await request(base, 'GET', '/docs/', {});
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('<html');
    const bad = await request(base, 'POST', '/crm/contacts', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, '{"email": "x@example.com",');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'SB_BAD_REQUEST' });
    const created = await request(base, 'POST', '/crm/contacts', { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ email: 'é@example.com' }));
    expect(created.status).toBe(201);
    expect(JSON.parse(created.text)).toMatchObject({ email: 'é@example.com' });
  });

  it('refuses oversized headers with 431 and stays up', async () => {
    const res = await request(base, 'GET', '/health', { 'x-big': 'h'.repeat(20_000) }).catch(() => ({ status: 431 }));
    expect(res.status).toBe(431);
    expect((await request(base, 'GET', '/health', {})).status).toBe(200);
  });
});
