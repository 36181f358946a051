// `switchboard sync MAPPING --config FILE`: one pull run in this process, with a progress bar
// on a terminal and a one-line summary (or the summary object with --json).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { engineSource, type Command, type CommandContext } from '../command';
import { SwitchboardError, errorMessage } from '../../core/errors';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { abandonment, releaseLost } from '../../core/runs';
import * as runCosts from '../../core/store/tables/run-costs';
import * as syncRuns from '../../core/store/tables/sync-runs';
import { runSummary, formatCostLine, formatSummaryLine, formatProgress } from '../summary';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'run one pull sync of a mapping in this process',
  usage: `Usage: switchboard sync MAPPING --config FILE [--connection NAME] [--full] [--json]

Reads the mapping's stream from its connector and writes the records into the CRM store
(the database is brought up to date first). The connection NAME (default: the connector's
id) is created, or updated, with the settings in FILE (JSON). Runs are incremental when the
stream has an incremental cursor, unless --full. Failed attempts are tried again by the run
retry policy (SWITCHBOARD_RUN_ATTEMPTS, SWITCHBOARD_RUN_BACKOFF_MS); a database that does not
answer is waited for. A run interrupted (Ctrl-C, a crash) resumes from its last committed page
the next time it is asked for.

Options:
  --config FILE        the connection's settings (JSON)
  --connection NAME    the connection to use or create (default: the connector id)
  --full               read everything, and apply deletions of records gone from the source
  --json               print the summary as JSON`,
  options: {
    config: { type: 'string' },
    connection: { type: 'string' },
    full: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  run: (ctx) => runMapping(ctx, 'pull'),
};

export async function readConfig(file: string | undefined, cwd: string): Promise<Record<string, unknown>> {
  if (file === undefined) throw new SwitchboardError('SB_CONFIG_INVALID', '--config FILE is required (the connection settings, as JSON)');
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `cannot read the config file ${file}: ${errorMessage(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `the config file ${file} is not valid JSON: ${errorMessage(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SwitchboardError('SB_CONFIG_INVALID', `the config file ${file} must hold a JSON object`);
  return value as Record<string, unknown>;
}

/** Shared by `sync` and `push`: one run of the mapping in this process, by the run executor. */
export async function runMapping(ctx: CommandContext, direction: syncRuns.RunDirection): Promise<number> {
  const { positionals, values, io } = ctx;
  const mappingId = positionals[0];
  if (mappingId === undefined || positionals.length > 1) throw new SwitchboardError('SB_CONFIG_INVALID', `give exactly one mapping id (e.g. \`switchboard ${direction === 'pull' ? 'sync' : 'push'} hubspot-contacts --config hubspot.json\`)`);
  const config = await readConfig(values['config'] as string | undefined, io.cwd);
  const json = values['json'] === true;
  // This process runs the run itself: a queue that runs nothing, and no reconciler.
  const engine = await Engine.open({ ...engineSource(ctx), queue: 'memory', concurrency: 0, logger: silentLogger() });
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const mapping = engine.registry.mapping(mappingId);
    const connection = await engine.ensureConnection((values['connection'] as string | undefined) ?? mapping.connector, mapping.connector, config);
    let { run } = await engine.requestRun({ connection: connection.id, mapping: mappingId, direction, mode: values['full'] === true ? 'full' : 'incremental', trigger: 'cli', enqueue: false });
    if (run.status === 'running') {
      // Left running by a process that is gone: take it back and resume from its checkpoint.
      const why = abandonment(run, { state: 'missing' }, new Date(Date.now() - engine.config.runs.staleAfterMs).toISOString());
      const released = why === undefined ? undefined : await releaseLost(engine.db, engine.runs.policy, run, why);
      if (released?.status !== 'queued') throw new SwitchboardError('SB_CONFLICT', `run ${run.id} of ${mappingId} is already running (worker ${run.worker ?? '?'}); cancel it or wait for it`);
      if (!json) io.stderr.write(`resuming run ${run.id}, left unfinished by ${run.worker ?? 'a stopped process'}\n`);
      run = released;
    }
    const tty = io.stderr.isTTY === true && !json;
    const finished = await engine.runs.drive(run.id, {
      signal: stop.signal,
      ...(tty ? { onPage: (p) => io.stderr.write(`\r${formatProgress(p)}`), onRetry: (r) => io.stderr.write(`\n${r.error?.message ?? 'failed'}; trying again\n`) } : {}),
    });
    if (tty) io.stderr.write('\r\u001b[2K');
    const cost = await runCosts.get(engine.db, run.id);
    const summary = runSummary(finished, cost);
    const waits = formatCostLine(cost);
    io.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${formatSummaryLine(mappingId, finished)}\n${waits === '' ? '' : `  ${waits}\n`}`);
    return finished.status === 'succeeded' ? 0 : finished.status === 'queued' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
}
