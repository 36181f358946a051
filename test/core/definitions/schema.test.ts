// The schemas themselves: titles and descriptions everywhere (they are the docs and editor
// hints), closed objects, well-formed discriminated unions; and generated files kept fresh.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITY_NAMES } from '../../../core/store/entities';
import { TRANSFORM_ARGUMENT_NAMES, TRANSFORM_NAMES } from '../../../core/templates';
import { generateDocs } from '../../../scripts/generate-docs';
import { SCHEMA_KINDS, readSchema, staleFiles } from '../../../scripts/generated-files';

const ROOT = join(__dirname, '..', '..', '..');
type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Free-form JSON on purpose: JSON Schema documents for connection settings. */
const OPEN_OBJECTS = new Set(['ConfigSchema', 'ConfigProperty']);

function* schemasOf(node: unknown, where: string): Generator<[string, Schema]> {
  if (!isObject(node)) return;
  yield [where, node];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && isObject(value)) {
      for (const [name, sub] of Object.entries(value)) yield* schemasOf(sub, `${where}.${name}`);
    } else if (key === '$defs' && isObject(value)) {
      for (const [name, sub] of Object.entries(value)) yield* schemasOf(sub, name);
    } else if (Array.isArray(value)) {
      for (const [i, sub] of value.entries()) yield* schemasOf(sub, `${where}.${key}[${i}]`);
    } else if (isObject(value) && key !== 'discriminator' && key !== 'dependentRequired' && key !== 'default') {
      yield* schemasOf(value, `${where}.${key}`);
    }
  }
}

describe.each(SCHEMA_KINDS)('%s.schema.json', (kind) => {
  const schema = readSchema(kind);
  const defs = schema['$defs'] as Record<string, Schema>;

  it('is JSON Schema 2020-12 with a title on the root and on every $def', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['title']).toBe(kind === 'connector' ? 'ConnectorDefinition' : 'MappingDefinition');
    for (const [name, def] of Object.entries(defs)) expect([name, typeof def['title']]).toEqual([name, 'string']);
  });

  it('describes every property', () => {
    const missing: string[] = [];
    for (const [where, node] of schemasOf(schema, kind)) {
      for (const [name, prop] of Object.entries(isObject(node['properties']) ? node['properties'] : {})) {
        if (!isObject(prop) || typeof prop['description'] !== 'string' || prop['description'].length < 5) missing.push(`${where}.${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('closes every object with properties (additionalProperties: false)', () => {
    const open: string[] = [];
    for (const [where, node] of schemasOf(schema, kind)) {
      if (isObject(node['properties']) && node['additionalProperties'] !== false && !OPEN_OBJECTS.has(String(node['title']))) open.push(where);
    }
    expect(open).toEqual([]);
  });

  it('gives every discriminated branch a required "type" constant', () => {
    for (const def of Object.values(defs).filter((d) => d['discriminator'] !== undefined)) {
      expect(def['discriminator']).toEqual({ propertyName: 'type' });
      for (const branch of def['oneOf'] as Schema[]) {
        const target = defs[String(branch['$ref']).replace('#/$defs/', '')]!;
        expect(target['required']).toContain('type');
        expect(typeof ((target['properties'] as Record<string, Schema>)['type']!)['const']).toBe('string');
      }
    }
  });
});

describe('schemas and code agree', () => {
  it('lists the transforms the templates implement', () => {
    const mapping = readSchema('mapping');
    const defs = mapping['$defs'] as Record<string, Schema>;
    expect(defs['TransformName']!['enum']).toEqual([...TRANSFORM_NAMES]);
    expect(Object.keys(defs['TransformWithArgument']!['properties'] as Record<string, Schema>)).toEqual([...TRANSFORM_ARGUMENT_NAMES]);
  });

  it('lists the CRM entities of the store', () => {
    const mapping = readSchema('mapping');
    expect((mapping['properties'] as Record<string, Schema>)['entity']!['enum']).toEqual([...ENTITY_NAMES]);
    expect(((mapping['$defs'] as Record<string, Schema>)['MappingRef']!['properties'] as Record<string, Schema>)['entity']!['enum']).toEqual([...ENTITY_NAMES]);
  });
});

describe('generated files', () => {
  // Run `npm run types` (types and docs) when these fail.
  it('core/generated/*.ts match the schemas', () => {
    // In a child process: the generator formats with prettier, which needs real dynamic
    // import() (not available inside jest's module sandbox).
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    expect(() => execFileSync(process.execPath, [tsx, join(ROOT, 'scripts', 'generate-types.ts'), '--check'], { cwd: ROOT, stdio: 'pipe' })).not.toThrow();
    for (const kind of SCHEMA_KINDS) {
      expect(readFileSync(join(ROOT, 'core', 'generated', `${kind}.ts`), 'utf8').startsWith(`// Generated from core/schemas/${kind}.schema.json`)).toBe(true);
    }
  });

  it('docs/connectors.md and docs/mappings.md match the schemas', () => {
    expect(staleFiles(generateDocs())).toEqual([]);
  });
});
