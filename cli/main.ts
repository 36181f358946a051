// The `switchboard` command line: global options, help, and dispatch to cli/commands/.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { CliIO, Command, GlobalOptions } from './command';
import { COMMANDS } from './commands';
import { loadConfig, processEnvironment } from '../core/config';
import { isSwitchboardError } from '../core/errors';
import { packageVersion } from '../core/util/package-root';

const GLOBAL_OPTIONS = {
  'connectors-dir': { type: 'string' },
  'mappings-dir': { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GLOBAL_HELP = `Global options:
  --connectors-dir DIR   connector definitions (default: ./connectors)
  --mappings-dir DIR     mappings (default: ./mappings)
  --db URL|FILE          a postgres:// URL or a SQLite file (default: DATABASE_URL, else ./data/switchboard.db)
  -h, --help             show help`;

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: switchboard <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n${GLOBAL_HELP}\n\nRun \`switchboard <command> --help\` for a command's options.\n`;
}

function commandHelp(cmd: Command): string {
  return `${cmd.usage.trimEnd()}\n\n${GLOBAL_HELP}\n`;
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    io.stderr.write(`switchboard: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv.slice(1), options: { ...GLOBAL_OPTIONS, ...cmd.options }, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`switchboard ${cmd.name}: ${(err as Error).message}\n\n${commandHelp(cmd)}`);
    return 2;
  }
  if (parsed.values['help'] === true) {
    io.stdout.write(commandHelp(cmd));
    return 0;
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const global: GlobalOptions = {
    connectorsDir: resolve(io.cwd, str(parsed.values['connectors-dir']) ?? 'connectors'),
    mappingsDir: resolve(io.cwd, str(parsed.values['mappings-dir']) ?? 'mappings'),
    db: str(parsed.values['db']),
  };
  try {
    return await cmd.run({ positionals: parsed.positionals, values: parsed.values, global, io, config: loadConfig(io.env) });
  } catch (err) {
    if (isSwitchboardError(err)) {
      io.stderr.write(`switchboard ${cmd.name}: ${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function defaultIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: processEnvironment(), cwd: process.cwd() };
}
