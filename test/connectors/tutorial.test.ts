// docs/writing-a-connector.md, replayed: its files are written as the page shows them, in order,
// into a copy of the repository's definitions; its commands run (`npx switchboard` in process,
// `curl` through fetch, `sqlite3` when installed); and each output the page shows must be what
// the command printed, durations aside. The API runs on a free port (the page's 4010 is
// rewritten), which the config file learns through `base_url`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ADDRESSBOOK_PORT, ADDRESSBOOK_TOKEN, startAddressBook } from '../../examples/addressbook/server';
import type { MockApi } from '../../examples/mock-apis';
import { runCli } from '../helpers/cli';
import { CONNECTORS_DIR, MAPPINGS_DIR, REPO } from './harness';

interface Block {
  lang: string;
  tag: string;
  body: string;
  line: number;
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const re = /^```(\w+)(?: +(\S+))?\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(re)) out.push({ lang: m[1]!, tag: m[2] ?? '', body: m[3]!, line: markdown.slice(0, m.index).split('\n').length });
  return out;
}

/** Splits a command line as a shell would, for the quoting the page uses ('...' and "..."). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

async function curl(args: string[], port: number): Promise<string> {
  let method = 'GET';
  let body: string | undefined;
  const headers: Record<string, string> = {};
  let url = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-X') method = args[++i]!;
    else if (a === '-H') {
      const [name, ...value] = args[++i]!.split(':');
      headers[name!.trim()] = value.join(':').trim();
    } else if (a === '-d') body = args[++i]!;
    else if (a.startsWith('http')) url = a.replace(`127.0.0.1:${ADDRESSBOOK_PORT}`, `127.0.0.1:${port}`);
    else if (a !== '-s') throw new Error(`the page uses a curl option the test does not know: ${a}`);
  }
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`curl ${method} ${url} answered ${res.status}: ${text}`);
  return text;
}

/** Outputs as the page shows them: timings vary. */
const normalize = (text: string): string =>
  text.replace(/ in \d+(\.\d+)?s /g, ' in <t>s ').replace(/in \d+ ms/g, 'in <t> ms').replace(/(waited|, ) \d+(\.\d+)?s on /g, '$1 <t>s on ').trim();

describe('docs/writing-a-connector.md', () => {
  let api: MockApi;
  let dir: string;

  beforeAll(async () => {
    api = await startAddressBook();
    dir = mkdtempSync(join(tmpdir(), 'switchboard-tutorial-'));
    // The reader works in the repository: the shipped definitions are there too.
    cpSync(CONNECTORS_DIR, join(dir, 'connectors'), { recursive: true });
    cpSync(MAPPINGS_DIR, join(dir, 'mappings'), { recursive: true });
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every file validates and every command runs as written, with the output shown', async () => {
    const page = readFileSync(join(REPO, 'docs', 'writing-a-connector.md'), 'utf8');
    const port = Number(new URL(api.url).port);
    let last: { block: Block; output: string } | undefined;
    let ran = 0;
    for (const block of blocks(page)) {
      const where = `writing-a-connector.md:${block.line}`;
      if (block.lang === 'json' && block.tag === 'response') {
        expect({ where, answer: JSON.parse(last!.output) as unknown }).toEqual({ where, answer: JSON.parse(block.body) as unknown });
      } else if (block.lang === 'json') {
        const value = JSON.parse(block.body) as Record<string, unknown>;
        // The API of this test listens on a free port; the page's default is 4010.
        if (block.tag === 'addressbook-config.json') value['base_url'] = `http://127.0.0.1:${port}`;
        mkdirSync(dirname(join(dir, block.tag)), { recursive: true });
        writeFileSync(join(dir, block.tag), JSON.stringify(value, null, 2));
      } else if (block.lang === 'sh' && block.tag === 'server') {
        expect(block.body.trim()).toBe('npx tsx examples/addressbook/server.ts');
        last = { block, output: `Address Book API at http://127.0.0.1:${ADDRESSBOOK_PORT}/v1 (token ${ADDRESSBOOK_TOKEN}); Ctrl-C to stop` };
      } else if (block.lang === 'sh') {
        for (const line of block.body.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))) {
          const [program, ...args] = words(line);
          let output: string;
          if (program === 'curl') output = await curl(args, port);
          else if (program === 'sqlite3') {
            try {
              output = execFileSync('sqlite3', args, { cwd: dir, encoding: 'utf8' });
            } catch (err) {
              if (block.tag === 'optional' && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
              throw err;
            }
          } else {
            expect({ where, command: `${program} ${args[0]}` }).toEqual({ where, command: 'npx switchboard' });
            const r = await runCli(args.slice(1), { cwd: dir, env: {} });
            expect({ where, line, failed: r.code !== 0 }).toEqual({ where, line, failed: block.tag === 'fails' });
            output = r.stdout + r.stderr;
          }
          ran += 1;
          last = { block, output };
        }
      } else if (block.lang === 'text') {
        expect(last).toBeDefined();
        expect({ where, output: normalize(last!.output) }).toEqual({ where, output: normalize(block.body) });
      }
    }
    expect(ran).toBeGreaterThanOrEqual(14);
  });
});
