// `switchboard validate [PATH...]`: checks connector and mapping files and folders; one
// `file:line:col: message` line per problem (or JSON with --json); exit 1 when any.
import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from '../command';
import { formatProblem, loadDefinitions, type Problem } from '../../core/definitions';

function display(cwd: string, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check connector and mapping files (default: the connectors and mappings folders)',
  usage: `Usage: switchboard validate [PATH...] [--json]

Checks connector and mapping definitions: JSON syntax, the schemas, templates, and references
(a mapping's connector, stream, entity, fields and push actions). PATHs are files or folders;
by default the connectors and mappings folders. A file's kind is told by its "$schema", else
by its folder's name. Mappings are checked against the connectors given with them and those
in the connectors folder.

Prints one "file:line:col: message" line per problem; exits 0 when everything is valid, 1
otherwise.

Options:
  --json    print { valid, problems: [{ file, line, column, pointer, message, hint? }] }`,
  options: {
    json: { type: 'boolean' },
  },
  async run({ positionals, values, global, io }) {
    const paths = positionals.length > 0 ? positionals.map((p) => resolve(io.cwd, p)) : undefined;
    const { registry, problems } = await loadDefinitions({
      connectorsDir: global.connectorsDir,
      mappingsDir: global.mappingsDir,
      ...(paths === undefined ? {} : { paths }),
    });
    const shown: Problem[] = problems.map((p) => ({ ...p, file: display(io.cwd, p.file) }));
    const checked = registry.connectors.size + registry.mappings.size;
    if (values['json'] === true) {
      io.stdout.write(`${JSON.stringify({ valid: shown.length === 0, problems: shown }, null, 2)}\n`);
    } else if (shown.length === 0) {
      io.stdout.write(`${checked} definition(s) valid: ${registry.connectors.size} connector(s), ${registry.mappings.size} mapping(s)\n`);
    } else {
      for (const problem of shown) io.stdout.write(`${formatProblem(problem)}\n`);
      const files = new Set(shown.map((p) => p.file)).size;
      io.stderr.write(`${shown.length} problem(s) in ${files} file(s)\n`);
    }
    return shown.length === 0 ? 0 : 1;
  },
};
