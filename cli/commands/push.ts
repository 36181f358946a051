// `switchboard push MAPPING --config FILE`: one push run in this process, with the same
// progress line and summary as `sync`.
import type { Command } from '../command';
import { runMapping } from './sync';

export const pushCommand: Command = {
  name: 'push',
  summary: 'push pending CRM changes through a mapping in this process',
  usage: `Usage: switchboard push MAPPING --config FILE [--connection NAME] [--json]

Sends the CRM changes recorded since the last push (creates, updates and deletes made through
the API or the repository, never those a sync wrote) to the mapping's connector, through the
actions named in the mapping's "push" section, and links the records to the ids the API gives
them. The connection NAME (default: the connector's id) is created, or updated, with the
settings in FILE (JSON). A run interrupted (Ctrl-C, a crash) delivers what it had not finished
the next time, with the same idempotency keys; a record the API refuses is kept with its
reason (see the run's rejected records) and does not hold the others back.

Options:
  --config FILE        the connection's settings (JSON)
  --connection NAME    the connection to use or create (default: the connector id)
  --json               print the summary as JSON`,
  options: {
    config: { type: 'string' },
    connection: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: (ctx) => runMapping(ctx, 'push'),
};
