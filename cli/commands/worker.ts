// `switchboard worker`: a BullMQ worker process (scale-out): takes runs from the shared queue
// until SIGTERM or SIGINT, then finishes the current page of each run, checkpoints and exits.
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
runs back to the queue and exits.

Options:
  --concurrency N            runs at once in this process (default 2)
  --stalled-interval-ms MS   how soon a dead worker's runs are taken over (default 30000)`,
  options: { concurrency: { type: 'string' }, 'stalled-interval-ms': { type: 'string' } },
  async run({ values, global, io }) {
    const redisUrl = io.env['REDIS_URL'];
    if (redisUrl === undefined || redisUrl === '') throw new SwitchboardError('SB_CONFIG_INVALID', 'switchboard worker needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379)');
    const concurrency = Number(values['concurrency'] ?? 2);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new SwitchboardError('SB_CONFIG_INVALID', '--concurrency must be a whole number of at least 1');
    const stalled = values['stalled-interval-ms'] === undefined ? undefined : Number(values['stalled-interval-ms']);
    if (stalled !== undefined && !(stalled >= 100)) throw new SwitchboardError('SB_CONFIG_INVALID', '--stalled-interval-ms must be at least 100');
    const logger = createLogger();
    const engine = await Engine.open({
      ...engineSource(global, io),
      queue: 'bullmq',
      redisUrl,
      concurrency,
      ...(stalled === undefined ? {} : { stalledIntervalMs: stalled }),
      logger,
    });
    const recovered = await engine.recover();
    const schedules = await engine.loadSchedules();
    // Signals are handled before "ready" is announced: whoever waits for it may stop us at once.
    const stopped = untilStopSignal();
    logger.info({ concurrency, recovered: recovered.length, schedules }, 'worker started');
    io.stdout.write(`worker ${process.pid} ready (concurrency ${concurrency})\n`);
    await stopped;
    logger.info('worker stopping: finishing current pages');
    await engine.close();
    io.stdout.write(`worker ${process.pid} stopped\n`);
    return 0;
  },
};
