// `switchboard clients`: API clients of the management and CRM API. `create` prints the new
// client's secret once (it is stored hashed); `list` shows them; `disable` revokes one.
import type { Command, CliIO } from '../command';
import { SwitchboardError } from '../../core/errors';
import { openDatabase, resolveDatabaseTarget } from '../../core/store/db';
import { migrate } from '../../core/store/migrate';
import * as apiClients from '../../core/store/tables/api-clients';
import { ALL_SCOPES, SCOPES, isScope, type Scope } from '../../server/auth/scopes';

/** The lines that show a new client's credentials (the only time its secret is shown). */
export function credentialsText(client: apiClients.ApiClient, clientSecret: string, server = 'http://<server>'): string {
  return [
    `  name:          ${client.name}`,
    `  client_id:     ${client.clientId}`,
    `  client_secret: ${clientSecret}`,
    `  scopes:        ${client.scopes.join(' ')}`,
    '  The secret is shown only now: store it safely. Get a token with',
    `  curl -s -u '${client.clientId}:<client_secret>' -d grant_type=client_credentials ${server}/oauth/token`,
    '',
  ].join('\n');
}

function parseScopes(value: unknown): Scope[] {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SwitchboardError('SB_CONFIG_INVALID', `--scopes is required: a comma-separated list of ${ALL_SCOPES.join(', ')}, or "all"`);
  }
  if (value.trim() === 'all') return [...ALL_SCOPES];
  const scopes = [...new Set(value.split(/[,\s]+/).filter((s) => s !== ''))];
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new SwitchboardError('SB_CONFIG_INVALID', `unknown scope(s) ${unknown.join(', ')}; known: ${ALL_SCOPES.join(', ')}`);
  return scopes as Scope[];
}

function printList(io: CliIO, clients: readonly apiClients.ApiClient[]): void {
  if (clients.length === 0) {
    io.stdout.write('no API clients\n');
    return;
  }
  for (const c of clients) {
    const state = c.disabledAt === null ? 'enabled' : `disabled ${c.disabledAt}`;
    io.stdout.write(`${c.clientId}  ${c.name}  [${c.scopes.join(' ')}]  ${state}  last used ${c.lastUsedAt ?? 'never'}\n`);
  }
}

export const clientsCommand: Command = {
  name: 'clients',
  summary: 'create, list and disable API clients (OAuth2 client credentials)',
  usage: `Usage: switchboard clients create --name NAME --scopes SCOPE[,SCOPE...] [--json]
       switchboard clients list [--json]
       switchboard clients disable CLIENT_ID

create   makes a client and prints its client_id and client_secret; the secret is stored
         hashed and shown only this once
list     every client: id, name, scopes, state, last use (never secrets)
disable  revokes a client: its tokens stop working within 30 seconds

Scopes (or "all"):
${Object.entries(SCOPES)
  .map(([k, v]) => `  ${k.padEnd(18)} ${v}`)
  .join('\n')}

Options:
  --name NAME       a label for the client
  --scopes LIST     comma-separated scopes
  --json            print JSON`,
  options: { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } },
  async run({ positionals, values, global, io, config }) {
    const action = positionals[0];
    if (action !== 'create' && action !== 'list' && action !== 'disable') {
      throw new SwitchboardError('SB_CONFIG_INVALID', `expected "create", "list" or "disable", got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
    }
    const json = values['json'] === true;
    const knex = openDatabase(resolveDatabaseTarget(global.db ?? config.databaseUrl, io.cwd), { debug: config.debug });
    try {
      await migrate(knex);
      if (action === 'list') {
        const clients = await apiClients.list(knex);
        if (json) io.stdout.write(`${JSON.stringify(clients, null, 2)}\n`);
        else printList(io, clients);
        return 0;
      }
      if (action === 'disable') {
        const id = positionals[1];
        if (id === undefined) throw new SwitchboardError('SB_CONFIG_INVALID', 'clients disable needs the CLIENT_ID');
        if (!(await apiClients.disable(knex, id))) throw new SwitchboardError('SB_NOT_FOUND', `no API client "${id}"`);
        io.stdout.write(`disabled ${id}\n`);
        return 0;
      }
      const name = values['name'];
      if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw new SwitchboardError('SB_CONFIG_INVALID', '--name is required (at most 200 characters)');
      const { client, clientSecret } = await apiClients.create(knex, { name: name.trim(), scopes: parseScopes(values['scopes']) });
      if (json) io.stdout.write(`${JSON.stringify({ name: client.name, client_id: client.clientId, client_secret: clientSecret, scopes: client.scopes }, null, 2)}\n`);
      else io.stdout.write(`API client created:\n${credentialsText(client, clientSecret)}`);
      return 0;
    } finally {
      await knex.destroy();
    }
  },
};
