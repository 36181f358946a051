// `switchboard validate`: exit codes, the `file:line:col: message` lines, --json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../core/config';
import type { CliIO, CommandContext } from '../../cli/command';
import { validateCommand } from '../../cli/commands/validate';

const FIXTURES = join(__dirname, '..', 'fixtures');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs the command as cli/main.ts would, from the fixtures folder. */
async function validate(args: string[], dirs: { connectors?: string; mappings?: string } = {}): Promise<Run> {
  const out = capture();
  const err = capture();
  const io: CliIO = { stdout: out.stream, stderr: err.stream, env: {}, cwd: FIXTURES };
  const ctx: CommandContext = {
    positionals: args.filter((a) => !a.startsWith('--')),
    values: { json: args.includes('--json') },
    global: { connectorsDir: join(FIXTURES, dirs.connectors ?? 'connectors'), mappingsDir: join(FIXTURES, dirs.mappings ?? 'mappings'), db: undefined },
    io,
    config: loadConfig({}),
  };
  const code = await validateCommand.run(ctx);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('switchboard validate', () => {
  it('exits 0 and says so when every definition is valid', async () => {
    const run = await validate(['valid']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('17 definition(s) valid: 8 connector(s), 9 mapping(s)\n');
  });

  it('checks the connectors and mappings folders by default', async () => {
    const run = await validate([], { connectors: 'valid', mappings: 'valid' });
    expect(run.code).toBe(0);
  });

  it('prints one file:line:col: message line per problem, files relative to the working directory, and exits 1', async () => {
    const run = await validate(['invalid/trailing-comma.json', 'invalid/cursor-param-typo.json', 'invalid/template-unknown-root.json']);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'invalid/cursor-param-typo.json:11:64: unknown property "cursor_parm" — did you mean "cursor_param"?',
      'invalid/template-unknown-root.json:6:43: unknown root "confg" — did you mean "config"?',
      'invalid/trailing-comma.json:5:40: JSON syntax error: trailing comma: JSON allows no comma before "}"',
    ]);
    expect(run.stderr).toBe('3 problem(s) in 3 file(s)\n');
  });

  it('adds the hint in parentheses', async () => {
    const run = await validate(['invalid/auth-type-typo.json']);
    expect(run.stdout).toBe('invalid/auth-type-typo.json:6:21: unknown auth type "bearr" — did you mean "bearer"? (types: none, api_key, basic, bearer, oauth2)\n');
  });

  it('checks a mapping against the connectors folder when only the mapping is given', async () => {
    expect((await validate(['valid/hubspot-contacts.json'], { connectors: 'valid' })).code).toBe(0);
    const alone = await validate(['valid/hubspot-contacts.json'], { connectors: 'no-such-folder' });
    expect(alone.code).toBe(1);
    expect(alone.stdout).toContain('valid/hubspot-contacts.json:4:16: unknown connector "hubspot"');
  });

  it('reports a path that does not exist', async () => {
    const run = await validate(['nope.json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('nope.json:1:1: no such file or folder\n');
  });

  it('prints JSON for machines with --json', async () => {
    const bad = await validate(['invalid/map-unknown-field.json', '--json'], { connectors: 'valid' });
    expect(bad.code).toBe(1);
    const parsed = JSON.parse(bad.stdout) as { valid: boolean; problems: unknown[] };
    expect(parsed).toEqual({
      valid: false,
      problems: [
        {
          file: 'invalid/map-unknown-field.json',
          line: 8,
          column: 5,
          pointer: '/fields/emial',
          message: 'contacts has no field "emial" — did you mean "email"?',
          hint: 'fields of contacts: first_name, last_name, email, phone, title, company_id, lifecycle_stage, owner; or custom.<name> for anything else',
        },
      ],
    });
    const good = await validate(['valid', '--json']);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toEqual({ valid: true, problems: [] });
  });

  // JSON nested 100,000 deep overflowed the stack of the position tracker.
  it('reports files nested 100,000 deep with their line and column instead of crashing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-deep-'));
    try {
      mkdirSync(join(dir, 'connectors'));
      mkdirSync(join(dir, 'mappings'));
      writeFileSync(join(dir, 'connectors', 'deep.json'), '{\n  "id": "deep",\n  "a": ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n}');
      writeFileSync(join(dir, 'mappings', 'deep.json'), '{"id":"deep","fields":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_001));
      const run = await validate([join(dir, 'connectors', 'deep.json'), join(dir, 'mappings', 'deep.json')]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('2 problem(s) in 2 file(s)\n');
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/connectors\/deep\.json:3:71: arrays and objects nest more than 64 levels deep here/);
      expect(lines[1]).toMatch(/mappings\/deep\.json:1:\d+: arrays and objects nest more than 64 levels deep here/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is registered as a subcommand', async () => {
    const { COMMANDS } = await import('../../cli/commands');
    expect(COMMANDS).toContain(validateCommand);
  });
});
