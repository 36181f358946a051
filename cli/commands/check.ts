// `switchboard check CONNECTOR --config FILE`: sends the connector's check request with the
// settings in FILE and says whether the credentials work, or why not.
import type { Command } from '../command';
import { MemoryTokenStore } from '../../core/auth';
import { loadRegistry } from '../../core/definitions';
import { SwitchboardError } from '../../core/errors';
import { checkConnection, ConnectorClient } from '../../core/http';
import { RateLimiters } from '../../core/ratelimit';
import { readConfig } from './sync';

export const checkCommand: Command = {
  name: 'check',
  summary: "prove a connector's credentials with its check request",
  usage: `Usage: switchboard check CONNECTOR --config FILE

Sends the connector's check request (else the first page of its first stream) with the
connection settings in FILE (JSON) and prints whether the API accepted them, or why not.
Exits 0 when it did, 1 when it did not.

Options:
  --config FILE   the connection's settings (JSON)`,
  options: { config: { type: 'string' } },
  async run({ positionals, values, global, io }) {
    const id = positionals[0];
    if (id === undefined || positionals.length > 1) {
      throw new SwitchboardError('SB_CONFIG_INVALID', 'give exactly one connector id (e.g. `switchboard check hubspot --config hubspot.json`)');
    }
    const config = await readConfig(values['config'] as string | undefined, io.cwd);
    const registry = await loadRegistry({ connectorsDir: global.connectorsDir, mappingsDir: global.mappingsDir });
    const definition = registry.connector(id);
    const missing = (definition.config_schema?.required ?? []).filter((k) => config[k] === undefined || config[k] === null || config[k] === '');
    if (missing.length > 0) {
      io.stderr.write(`✗ ${id}: the config is missing ${missing.join(', ')}\n`);
      return 1;
    }
    // One request: no need to share a budget with workers, nor to keep tokens.
    const tokenStore = new MemoryTokenStore();
    const client = new ConnectorClient({ connector: definition, config, connectionId: `${id}:check`, tokenStore, rateLimiters: new RateLimiters() });
    const result = await checkConnection(client);
    const via = result.source === 'check' ? '' : ` (no check request; used stream "${result.source.slice('stream:'.length)}")`;
    const refresh = (await tokenStore.load())?.refresh_token;
    if (refresh !== undefined && refresh !== config['refresh_token']) {
      io.stderr.write(`warning: ${id} rotated the OAuth refresh token during the check; the one in the config file may no longer work.\n`);
    }
    if (result.ok) {
      io.stdout.write(`✓ ${id}: credentials accepted (${result.request} answered ${result.status} in ${result.durationMs} ms)${via}\n`);
      return 0;
    }
    io.stderr.write(`✗ ${id}: check failed${via}: ${result.reason ?? 'unknown reason'}\n`);
    return 1;
  },
};
