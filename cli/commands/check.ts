// `switchboard check CONNECTOR --config FILE [--connection NAME]`: sends the connector's check
// request with the settings in FILE and says whether the credentials work, or why not. The
// connection is stored like `sync` stores it, so OAuth2 tokens the check obtains (a rotated
// refresh token above all) are saved exactly as a run saves them, for the runs that follow.
import { engineSource, type Command } from '../command';
import { SwitchboardError } from '../../core/errors';
import { Engine } from '../../core/engine';
import { checkConnection } from '../../core/http';
import { silentLogger } from '../../core/logger';
import { readConfig } from './sync';

export const checkCommand: Command = {
  name: 'check',
  summary: "prove a connector's credentials with its check request",
  usage: `Usage: switchboard check CONNECTOR --config FILE [--connection NAME]

Sends the connector's check request (else the first page of its first stream) with the
connection settings in FILE (JSON) and prints whether the API accepted them, or why not.
The connection NAME (default: the connector's id) is created, or updated, with the settings
in FILE, as \`sync\` does: OAuth2 tokens the check obtains are stored with it (a refresh token
the API rotates stays usable by the next sync), and a new refresh token in FILE replaces the
stored one. Exits 0 when the API accepted the credentials, 1 when it did not.

Options:
  --config FILE        the connection's settings (JSON)
  --connection NAME    the connection to use or create (default: the connector id)`,
  options: { config: { type: 'string' }, connection: { type: 'string' } },
  async run(ctx) {
    const { positionals, values, io } = ctx;
    const id = positionals[0];
    if (id === undefined || positionals.length > 1) {
      throw new SwitchboardError('SB_CONFIG_INVALID', 'give exactly one connector id (e.g. `switchboard check hubspot --config hubspot.json`)');
    }
    const config = await readConfig(values['config'] as string | undefined, io.cwd);
    const engine = await Engine.open({ ...engineSource(ctx), queue: 'memory', concurrency: 0, logger: silentLogger() });
    try {
      const definition = engine.connector(id);
      const missing = (definition.config_schema?.required ?? []).filter((k) => config[k] === undefined || config[k] === null || config[k] === '');
      if (missing.length > 0) {
        io.stderr.write(`✗ ${id}: the config is missing ${missing.join(', ')}\n`);
        return 1;
      }
      const connection = await engine.ensureConnection((values['connection'] as string | undefined) ?? id, id, config);
      const result = await checkConnection(await engine.connectionClient(connection));
      const via = result.source === 'check' ? '' : ` (no check request; used stream "${result.source.slice('stream:'.length)}")`;
      if (result.ok) {
        io.stdout.write(`✓ ${id}: credentials accepted (${result.request} answered ${result.status} in ${result.durationMs} ms)${via}\n`);
        return 0;
      }
      io.stderr.write(`✗ ${id}: check failed${via}: ${result.reason ?? 'unknown reason'}\n`);
      return 1;
    } finally {
      await engine.close();
    }
  },
};
