// `npm run types`: generates core/generated/*.ts from core/schemas/*.schema.json with
// json-schema-to-typescript; `--check` fails when the committed files are stale.
import { join } from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { SCHEMA_KINDS, isObject, readSchema, runMain, writeOrCheck, type GeneratedFile, type SchemaKind } from './generated-files';

type JsonObject = Record<string, unknown>;

const TYPE_KEYWORDS = ['type', 'const', 'enum', '$ref', 'oneOf', 'anyOf', 'allOf', 'tsType', 'properties'];

/**
 * Rewrites the schema for the generator. json-schema-to-typescript turns a `$ref` with a
 * sibling `description` into a fresh alias per use (`Template1`, `Auth2`, ...), so every
 * `$ref` becomes `tsType: <the $def's title>` (the property keeps its own doc comment and
 * the $defs are emitted once, by title). A schema with no type at all (free-form JSON such
 * as a request body) becomes `unknown` instead of the generator's `{[k: string]: unknown}`.
 */
function prepare(node: unknown, defs: JsonObject, isRoot = false): unknown {
  if (Array.isArray(node)) return node.map((item) => prepare(item, defs));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'discriminator' || key === 'dependentRequired' || key === 'propertyNames') continue;
    if (key === '$ref' && typeof value === 'string') {
      const name = value.replace('#/$defs/', '');
      const target = defs[name];
      if (!isObject(target) || typeof target['title'] !== 'string') throw new Error(`$ref ${value} has no titled $def`);
      out['tsType'] = target['title'];
      continue;
    }
    if (key === '$defs' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, def]) => [name, prepare(def, defs, true)]));
      continue;
    }
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, prepare(sub, defs)]));
      continue;
    }
    out[key] = prepare(value, defs);
  }
  if (!isRoot && !TYPE_KEYWORDS.some((k) => k in out)) out['tsType'] = 'unknown';
  return out;
}

function banner(kind: SchemaKind): string {
  return [
    `// Generated from core/schemas/${kind}.schema.json by \`npm run types\` (scripts/generate-types.ts).`,
    '// Do not edit: change the schema and regenerate. A test fails when this file is stale.',
    '/* eslint-disable */',
  ].join('\n');
}

export async function generateTypes(): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const kind of SCHEMA_KINDS) {
    const schema = readSchema(kind);
    const defs = isObject(schema['$defs']) ? schema['$defs'] : {};
    const prepared = prepare(schema, defs, true) as JSONSchema;
    delete prepared.$schema;
    delete prepared.$id;
    const title = String(schema['title']);
    const code = await compile(prepared, title, {
      bannerComment: banner(kind),
      unreachableDefinitions: true,
      additionalProperties: false,
      strictIndexSignatures: false,
      style: { singleQuote: true, printWidth: 120 },
    });
    // The generator notes where each $def came from; with every $ref rewritten that note is noise.
    const content = code
      .replace(/\n \*\n \* This interface was referenced by `\w+`'s JSON-Schema\n \* via the `definition` "\w+"\./g, '')
      .replace(/\/\*\*\n \* This interface was referenced by `\w+`'s JSON-Schema\n \* via the `definition` "\w+"\.\n \*\/\n/g, '');
    files.push({ path: join('core', 'generated', `${kind}.ts`), content });
  }
  return files;
}

if (require.main === module) runMain(() => writeOrCheck(generateTypes, 'npm run types'));
