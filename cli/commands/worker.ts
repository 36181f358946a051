// `switchboard worker`: a BullMQ worker process (scale-out): takes runs from the shared queue
// and reconciles the run rows with it, until SIGTERM or SIGINT; then finishes the current page
// of each run, checkpoints, hands the runs back to the queue (another worker resumes them at
// once) and exits.
import { engineSource, untilStopSignal, type Command } from '../command';
import { SwitchboardError } from '../../core/errors';
import { Engine } from '../../core/engine';
import { createLogger } from '../../core/logger';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'process queued runs from Redis (BullMQ); run as many as you like',
  usage: `Usage: switchboard worker [--concurrency N] [--stalled-interval-ms MS]

Takes sync runs from the BullMQ queue in Redis (REDIS_URL, required) and runs them; any
number of worker processes, on any machines sharing the database and Redis, share the work.
Runs left behind by a worker that died are taken over and resume from their checkpoint. On
SIGTERM or SIGINT the worker finishes the current page of each run, checkpoints, hands the
runs back to the queue (another worker resumes them at once) and exits.

Environment: REDIS_URL, DATABASE_URL, SWITCHBOARD_SECRET_KEY, SWITCHBOARD_QUEUE_PREFIX,
SWITCHBOARD_RUN_ATTEMPTS, SWITCHBOARD_RUN_BACKOFF_MS, SWITCHBOARD_HEARTBEAT_MS,
SWITCHBOARD_STALE_AFTER_MS, SWITCHBOARD_RECONCILE_INTERVAL_MS, LOG_LEVEL.

Options:
  --concurrency N            runs at once in this process (default 2)
  --stalled-interval-ms MS   how soon a dead worker's runs are taken over (default 30000)`,
  options: { concurrency: { type: 'string' }, 'stalled-interval-ms': { type: 'string' } },
  async run(ctx) {
    const { values, io, config } = ctx;
    const redisUrl = config.redisUrl;
    if (redisUrl === undefined) throw new SwitchboardError('SB_CONFIG_INVALID', 'switchboard worker needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379)');
    const concurrency = Number(values['concurrency'] ?? 2);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new SwitchboardError('SB_CONFIG_INVALID', '--concurrency must be a whole number of at least 1');
    const stalled = values['stalled-interval-ms'] === undefined ? undefined : Number(values['stalled-interval-ms']);
    if (stalled !== undefined && !(stalled >= 100)) throw new SwitchboardError('SB_CONFIG_INVALID', '--stalled-interval-ms must be at least 100');
    const logger = createLogger({ level: config.logLevel });
    const engine = await Engine.open({
      ...engineSource(ctx),
      queue: 'bullmq',
      redisUrl,
      concurrency,
      ...(stalled === undefined ? {} : { stalledIntervalMs: stalled }),
      logger,
    });
    // What a stopped process left behind goes back to the queue now; then every interval.
    await engine.reconcile().catch((err: unknown) => logger.warn({ err }, 'reconciling runs at start failed; the next pass tries again'));
    const schedules = await engine.loadSchedules();
    // Signals are handled before "ready" is announced: whoever waits for it may stop us at once.
    const stopped = untilStopSignal();
    logger.info({ concurrency, schedules }, 'worker started');
    io.stdout.write(`worker ${process.pid} ready (concurrency ${concurrency})\n`);
    await stopped;
    logger.info('worker stopping: finishing current pages');
    await engine.close();
    io.stdout.write(`worker ${process.pid} stopped\n`);
    return 0;
  },
};
