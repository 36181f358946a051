// Prometheus metrics (prom-client, one registry per app): HTTP request counts and durations by
// route pattern, the queue's job counts, and sync runs by status, read when scraped.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../core/engine';
import { SYNC_RUNS_TABLE } from '../core/store/tables/sync-runs';

export function createMetrics(app: FastifyInstance, engine: Engine): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({ name: 'switchboard_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status.', labelNames, registers: [registry] });
  const durations = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status.',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'switchboard_queue_jobs',
    help: 'Jobs of the sync queue, by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const m = await engine.queue.metrics();
      for (const [state, n] of Object.entries(m)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'switchboard_sync_runs',
    help: 'Sync runs in the database, by status.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = (await engine.db(SYNC_RUNS_TABLE).select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: unknown }>;
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
    requests.inc(labels);
    durations.observe(labels, reply.elapsedTime / 1000);
  });
  return registry;
}
