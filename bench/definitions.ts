// Loading definitions: 500 files (250 connectors, 250 mappings, made from the valid fixtures)
// through loadDefinitions (read, parse with positions, ajv, semantic checks, templates),
// beside two baselines measured in the same run: reading + JSON.parse alone, and ajv alone.
// Run: npm run bench:definitions [-- --files 500]
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import { definitionSchema, loadDefinitions } from '../core/definitions';

const { values } = parseArgs({ options: { files: { type: 'string', default: '500' } } });
const total = Number(values.files);

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'valid');
type Json = Record<string, unknown>;

/** Writes `total` files: copies of the fixture connectors with new ids, and mappings of them. */
function generate(dir: string): void {
  const fixtures = readdirSync(FIXTURES).map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Json);
  const connectors = fixtures.filter((f) => String(f['$schema']).includes('connector'));
  const mappings = fixtures.filter((f) => String(f['$schema']).includes('mapping'));
  for (let i = 0; i < total / 2; i++) {
    const connector = connectors[i % connectors.length]!;
    const id = `${String(connector['id'])}-${i}`;
    writeFileSync(join(dir, 'connectors', `${id}.json`), JSON.stringify({ ...connector, id }, null, 2));
    const mapping = mappings.find((m) => m['connector'] === connector['id']) ?? mappings[0]!;
    const mappingId = `${String(mapping['id'])}-${i}`;
    const target = mapping['connector'] === connector['id'] ? id : `${String(mapping['connector'])}-x`;
    writeFileSync(join(dir, 'mappings', `${mappingId}.json`), JSON.stringify({ ...mapping, id: mappingId, connector: target }, null, 2));
  }
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

async function readAll(dir: string): Promise<unknown[]> {
  const files = ['connectors', 'mappings'].flatMap((sub) => readdirSync(join(dir, sub)).map((f) => join(dir, sub, f)));
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as unknown));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-definitions-'));
  try {
    for (const sub of ['connectors', 'mappings']) mkdirSync(join(dir, sub));
    generate(dir);
    const options = { connectorsDir: join(dir, 'connectors'), mappingsDir: join(dir, 'mappings') };

    const cold = await time(() => loadDefinitions(options)); // includes compiling the schemas
    const problems = cold.result.problems.length;
    if (problems > 0) throw new Error(`generated definitions have ${problems} problem(s), e.g. ${cold.result.problems[0]?.message}`);
    const warm = await time(() => loadDefinitions(options));
    const parse = await time(() => readAll(dir));

    const ajv = new Ajv2020({ allErrors: true, discriminator: true, allowUnionTypes: true });
    const validators = { connector: ajv.compile(definitionSchema('connector')), mapping: ajv.compile(definitionSchema('mapping')) };
    const docs = parse.result as Json[];
    const ajvOnly = await time(async () => {
      const parsed = await readAll(dir);
      return parsed.every((d) => (String((d as Json)['$schema']).includes('connector') ? validators.connector(d) : validators.mapping(d)));
    });
    if (!ajvOnly.result) throw new Error('ajv rejected a generated definition');

    const loaded = cold.result.registry.connectors.size + cold.result.registry.mappings.size;
    const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
    process.stdout.write(
      [
        `definitions: ${loaded} files loaded (${docs.length} on disk), 0 problems`,
        `  loadDefinitions, first call (compiles the schemas): ${fmt(cold.ms)}`,
        `  loadDefinitions, second call:                       ${fmt(warm.ms)}`,
        `  baseline: read + JSON.parse only:                   ${fmt(parse.ms)}  (full load = ${(warm.ms / parse.ms).toFixed(1)}x)`,
        `  baseline: read + JSON.parse + ajv only:             ${fmt(ajvOnly.ms)}  (full load = ${(warm.ms / ajvOnly.ms).toFixed(1)}x)`,
        `  per definition (second call):                       ${((warm.ms * 1000) / loaded).toFixed(0)} µs`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
