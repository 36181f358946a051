// What every `switchboard` subcommand looks like. Each lives in cli/commands/<name>.ts and is
// registered in cli/commands/index.ts.
import type { ParseArgsConfig } from 'node:util';
import type { Environment, SwitchboardConfig } from '../core/config';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The variables the configuration is read from (core/config.ts), once, by main. */
  env: Environment;
  cwd: string;
  /** Standard input (default the process's): passwords are read from it, never from arguments. */
  stdin?: NodeJS.ReadableStream;
}

/** Options every command accepts (FORMAT.md, "Global options"). */
export interface GlobalOptions {
  connectorsDir: string;
  mappingsDir: string;
  /** A `postgres://` URL or a SQLite file path; undefined means DATABASE_URL or the default. */
  db: string | undefined;
}

/** Where an Engine's database and definitions are, from the global options and the configuration. */
export function engineSource(ctx: Pick<CommandContext, 'global' | 'io' | 'config'>): { db?: string; config: SwitchboardConfig; cwd: string; connectorsDir: string; mappingsDir: string } {
  const { global, io, config } = ctx;
  return { ...(global.db === undefined ? {} : { db: global.db }), config, cwd: io.cwd, connectorsDir: global.connectorsDir, mappingsDir: global.mappingsDir };
}

export interface CommandContext {
  /** Positional arguments after the command name. */
  positionals: string[];
  /** Parsed options (the command's own and the global ones). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  global: GlobalOptions;
  io: CliIO;
  /** The configuration, read from `io.env` once. */
  config: SwitchboardConfig;
}

export interface Command {
  name: string;
  /** One line for `switchboard --help`. */
  summary: string;
  /** Usage line(s) and option list for `switchboard <name> --help`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Resolves to the process exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/**
 * Resolves at the first SIGTERM or SIGINT. The handlers are installed at the call, so call it
 * before announcing readiness: a supervisor that waits for that line may signal at once.
 */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
