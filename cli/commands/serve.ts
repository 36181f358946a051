// `switchboard serve`: the management and CRM API over HTTP, with the engine's queue (in
// process, or BullMQ when REDIS_URL is set) and its reconciler. Stops gracefully on SIGTERM or
// SIGINT: no new connections, requests in flight answered, runs back to the queue at a page
// boundary (another worker or server takes them from there at once).
import { engineSource, untilStopSignal, type Command } from '../command';
import { SwitchboardError } from '../../core/errors';
import { Engine } from '../../core/engine';
import { createLogger } from '../../core/logger';
import { buildApp } from '../../server/app';
import { ensureAdminClient } from '../../server/bootstrap';
import { credentialsText } from './clients';

function portOf(value: unknown): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SwitchboardError('SB_CONFIG_INVALID', `--port must be a port number (0 to 65535), got ${JSON.stringify(value)}`);
  return port;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the management and CRM API (and run queued syncs)',
  usage: `Usage: switchboard serve [--port N] [--host HOST]

Serves the API (OpenAPI at /openapi.json, browsable at /docs) and runs queued and scheduled
syncs: in this process, or through BullMQ when REDIS_URL is set. On first start, when no API
client exists, an "admin" client with every scope is created and its secret printed once.

Options:
  --port N      port to listen on (default PORT, else 8080; 0: any free port)
  --host HOST   address to listen on (default HOST, else 127.0.0.1; 0.0.0.0 for every interface)

Environment: SWITCHBOARD_PUBLIC_URL (the base URL clients and OAuth providers reach this server
at, behind a proxy), SWITCHBOARD_TRUST_PROXY=1 (trust X-Forwarded-* headers), REDIS_URL,
DATABASE_URL, SWITCHBOARD_SECRET_KEY, LOG_LEVEL.`,
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run(ctx) {
    const { values, io, config } = ctx;
    const port = portOf(values['port'] ?? config.port ?? 8080);
    const host = typeof values['host'] === 'string' ? values['host'] : (config.host ?? '127.0.0.1');
    const logger = createLogger({ level: config.logLevel });
    const engine = await Engine.open({ ...engineSource(ctx), logger });
    let app: Awaited<ReturnType<typeof buildApp>> | undefined;
    try {
      // What a stopped process left behind goes back to the queue now; then every interval.
      await engine.reconcile().catch((err: unknown) => logger.warn({ err }, 'reconciling runs at start failed; the next pass tries again'));
      const schedules = await engine.loadSchedules();
      const publicUrl = config.publicUrl;
      app = await buildApp(engine, {
        ...(publicUrl === undefined ? {} : { publicUrl }),
        redisUrl: config.redisUrl ?? '',
        trustProxy: config.trustProxy,
      });
      const admin = await ensureAdminClient(engine.db);
      const address = await app.listen({ port, host });
      // Credentials go to stdout, never to the log.
      if (admin !== undefined) io.stdout.write(`No API client existed: created one with every scope.\n${credentialsText(admin.client, admin.clientSecret, publicUrl ?? address)}`);
      // Signals are handled before the address is announced: whoever waits for that line may
      // send SIGTERM at once.
      const stopped = untilStopSignal();
      logger.info({ address, queue: engine.queue.kind, schedules }, 'serving');
      io.stdout.write(`listening on ${address} (API docs at ${address}/docs)\n`);
      await stopped;
      logger.info('shutting down: answering requests in flight, runs back to the queue');
      io.stdout.write('shutting down\n');
      return 0;
    } finally {
      await app?.close();
      await engine.close();
    }
  },
};
