// The registry of `switchboard` subcommands, in the order `--help` lists them.
import type { Command } from '../command';
import { migrateCommand } from './migrate';
import { validateCommand } from './validate';
import { syncCommand } from './sync';
import { pushCommand } from './push';
import { checkCommand } from './check';
import { workerCommand } from './worker';
import { serveCommand } from './serve';
import { clientsCommand } from './clients';
import { usersCommand } from './users';

export const COMMANDS: readonly Command[] = [
  migrateCommand,
  validateCommand,
  syncCommand,
  pushCommand,
  checkCommand,
  workerCommand,
  serveCommand,
  clientsCommand,
  usersCommand,
];
