// /health (database, Redis when configured) and /metrics (HTTP, queue and run metrics).
import { createTestServer, type TestServer } from './helpers';

describe('health and metrics (sqlite)', () => {
  let s: TestServer;
  afterEach(async () => s?.close());

  it('reports healthy with the database, and Redis when it is configured and up', async () => {
    s = await createTestServer('sqlite', { redisUrl: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379' });
    const res = await s.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', queue: 'memory', checks: { database: 'ok', redis: 'ok' } });
  });

  it('answers 503 in the error shape, naming what failed, when Redis is unreachable or the database is gone', async () => {
    s = await createTestServer('sqlite', { redisUrl: 'redis://127.0.0.1:1' });
    const res = await s.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ statusCode: 503, code: 'SB_QUEUE_UNAVAILABLE', details: { checks: { database: 'ok', redis: expect.stringMatching(/^failed/) } } });
    await s.db.knex.destroy();
    const down = await s.app.inject({ method: 'GET', url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ code: 'SB_DB_UNAVAILABLE' });
  });

  it('exposes Prometheus metrics: requests by route and status, queue jobs, runs by status', async () => {
    s = await createTestServer('sqlite');
    const admin = await s.token(['connections:admin', 'runs:write', 'crm:read', 'metrics:read']);
    await s.call(admin, { method: 'POST', url: '/connections', payload: { name: 'm', connector: 'demo', config: { base_url: 'http://127.0.0.1:9', api_key: 'k' } } });
    await s.call(admin, { method: 'POST', url: '/connections/m/runs', payload: { mapping: 'demo-contacts' } });
    await s.call(admin, { method: 'GET', url: '/crm/contacts/does-not-exist' });
    const res = await s.call(admin, { method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('switchboard_http_requests_total{method="GET",route="/crm/contacts/:id",status_code="404"} 1');
    expect(res.body).toMatch(/switchboard_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/connections",status_code="201"\} \d/);
    expect(res.body).toContain('switchboard_queue_jobs{state="waiting"} 1');
    expect(res.body).toContain('switchboard_sync_runs{status="queued"} 1');
    expect(res.body).toContain('process_cpu_seconds_total');
    expect((await s.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });
});
