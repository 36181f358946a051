// The registry of `switchboard` subcommands, in the order `--help` lists them.
import type { Command } from '../command';
import { migrateCommand } from './migrate';

export const COMMANDS: readonly Command[] = [
  migrateCommand,
];
