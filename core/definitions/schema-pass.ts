// Pass one: JSON Schema validation with ajv (compiled once), and the translation of ajv's
// errors into problems an admin can act on: one message per mistake, at the right line,
// with "did you mean" hints; oneOf cascades collapsed into the one useful message.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import connectorSchema from '../schemas/connector.schema.json';
import mappingSchema from '../schemas/mapping.schema.json';
import { closest, didYouMean } from '../templates/suggest';
import { problemAt, type SourceDocument } from './json-source';
import { joinPointer, splitPointer, type Problem } from './problems';

export type DefinitionKind = 'connector' | 'mapping';

type Schema = Record<string, unknown>;

const ROOT_SCHEMAS: Record<DefinitionKind, Schema> = { connector: connectorSchema as Schema, mapping: mappingSchema as Schema };

let validators: Record<DefinitionKind, ValidateFunction> | undefined;
/** Each discriminated branch schema -> the discriminator values of all branches of its union. */
const branchSiblings = new Map<Schema, Array<{ value: string; schema: Schema }>>();

function resolveRef(kind: DefinitionKind, schema: Schema): Schema {
  const ref = schema['$ref'];
  if (typeof ref !== 'string') return schema;
  const defs = ROOT_SCHEMAS[kind]['$defs'] as Record<string, Schema>;
  return defs[ref.replace('#/$defs/', '')] ?? schema;
}

/** The branches of a discriminated oneOf: each branch's `type` constant and its schema. */
function branchesOf(kind: DefinitionKind, union: Schema): Array<{ value: string; schema: Schema }> {
  const oneOf = Array.isArray(union['oneOf']) ? (union['oneOf'] as Schema[]) : [];
  return oneOf.map((b) => {
    const schema = resolveRef(kind, b);
    const type = (schema['properties'] as Record<string, Schema> | undefined)?.['type'];
    return { value: String(type?.['const']), schema };
  });
}

function compileValidators(): Record<DefinitionKind, ValidateFunction> {
  if (validators !== undefined) return validators;
  // verbose: errors carry their schema (allowed properties, descriptions, branches) for the
  // messages. No code optimization passes: they cost more at compile time (once per process,
  // a third of a cold load) than they save on a few hundred small documents.
  const ajv = new Ajv2020({ allErrors: true, discriminator: true, verbose: true, allowUnionTypes: true, code: { optimize: false } });
  validators = { connector: ajv.compile(connectorSchema), mapping: ajv.compile(mappingSchema) };
  for (const kind of ['connector', 'mapping'] as const) {
    for (const def of Object.values(ROOT_SCHEMAS[kind]['$defs'] as Record<string, Schema>)) {
      if (def['discriminator'] === undefined) continue;
      const branches = branchesOf(kind, def);
      for (const b of branches) branchSiblings.set(b.schema, branches);
    }
  }
  return validators;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function describeValue(value: unknown): string {
  const type = jsonType(value);
  if (type === 'string') return `text ${JSON.stringify(value)}`;
  if (type === 'integer' || type === 'number' || type === 'boolean') return String(value);
  return TYPE_WORDS[type] ?? type;
}

/** How a place is named in messages: `"limit"`, `"on_status[1]"`, or "the document". */
function nameOf(pointer: string): string {
  const segments = splitPointer(pointer);
  const last = segments[segments.length - 1];
  if (last === undefined) return 'the document';
  if (/^\d+$/.test(last) && segments.length > 1) return `"${segments[segments.length - 2]}[${last}]"`;
  return `"${last}"`;
}

/** The first sentence of a schema description, as a hint (markdown backticks dropped). */
function firstSentence(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const plain = text.replace(/`/g, '');
  // A sentence ends at a period followed by a capital letter (so "e.g. x" and "..." do not end one).
  const end = /\.(?=\s+[A-Z]|$)/.exec(plain);
  return end === null ? plain : plain.slice(0, end.index);
}

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

const PATTERN_MESSAGES: Record<string, (value: string) => string> = {
  id: (v) => `invalid id "${v}": use lowercase letters, digits and dashes, starting with a letter or digit`,
  version: (v) => `invalid version "${v}": use semantic versioning such as 1.0.0`,
};

const NAME_RULES: Record<string, string> = {
  streams: 'stream names use letters, digits, "_" and "-"',
  actions: 'action names use letters, digits, "_" and "-"',
  fields: 'field names are the entity\'s lowercase column names, or custom.<name> (letters, digits, "_")',
};

/** Translates one ajv error; undefined when another error of the same mistake says it better. */
function translate(kind: DefinitionKind, doc: SourceDocument, e: ErrorObject, typos: ReadonlySet<string>): Problem | undefined {
  const pointer = e.instancePath;
  const name = nameOf(pointer);
  const parent = (e.parentSchema ?? {}) as Schema;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const property = String(params['additionalProperty']);
      const allowed = Object.keys((parent['properties'] as Schema | undefined) ?? {});
      const at = joinPointer(pointer, property);
      const suggestion = closest(property, allowed);
      if (suggestion !== undefined) return problemAt(doc, at, `unknown property "${property}" — did you mean "${suggestion}"?`, { anchor: 'key' });
      const owner = branchSiblings.get(parent)?.find((b) => b.schema !== parent && Object.hasOwn((b.schema['properties'] as Schema) ?? {}, property));
      const hint = owner !== undefined ? `"${property}" belongs to type "${owner.value}"; allowed here: ${list(allowed)}` : `allowed here: ${list(allowed)}`;
      return problemAt(doc, at, `unknown property "${property}"`, { anchor: 'key', hint });
    }
    case 'required': {
      const property = String(params['missingProperty']);
      if (property === 'type' && parent['discriminator'] !== undefined) return undefined; // said by `discriminator`
      if (typos.has(joinPointer(pointer, property))) return undefined; // said by "unknown property ... did you mean"
      const description = firstSentence((parent['properties'] as Record<string, Schema> | undefined)?.[property]?.['description']);
      return problemAt(doc, pointer, `missing required property "${property}"${pointer === '' ? '' : ` in ${name}`}`, { anchor: 'key', hint: description });
    }
    case 'discriminator': {
      const branches = branchesOf(kind, parent).map((b) => b.value);
      const what = splitPointer(pointer).pop() ?? 'definition';
      if (params['error'] === 'mapping') {
        const value = String(params['tagValue']);
        return problemAt(doc, joinPointer(pointer, 'type'), `unknown ${what} type "${value}"${didYouMean(value, branches)}`, { hint: `types: ${list(branches)}` });
      }
      const hasType = e.data !== null && typeof e.data === 'object' && Object.hasOwn(e.data, 'type');
      return hasType
        ? problemAt(doc, joinPointer(pointer, 'type'), `"type" of ${what} must be text`, { hint: `types: ${list(branches)}` })
        : problemAt(doc, pointer, `missing "type" in ${what}`, { anchor: 'key', hint: `types: ${list(branches)}` });
    }
    case 'type': {
      const expected = ([] as string[]).concat(params['type'] as string | string[]);
      const words = expected.map((t) => TYPE_WORDS[t] ?? t);
      const quotedNumber = typeof e.data === 'string' && expected.some((t) => t === 'integer' || t === 'number') && e.data.trim() !== '' && !Number.isNaN(Number(e.data));
      const message = pointer === '' ? `a ${kind} definition must be a JSON object` : `${name} must be ${words.join(' or ')}, not ${describeValue(e.data)}`;
      return problemAt(doc, pointer, message, { hint: quotedNumber ? 'remove the quotes around the number' : undefined });
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]) ?? [];
      const value = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
      const suggestion = didYouMean(value, allowed.map(String));
      // An object in a transform list is the other form (`{ "divide": 100 }`), whose own errors say what is wrong.
      if (parent['title'] === 'TransformName' && typeof e.data !== 'string') return undefined;
      if (parent['title'] === 'TransformName') return problemAt(doc, pointer, `unknown transform "${value}"${suggestion}`, { hint: `transforms: ${list(allowed)}` });
      return problemAt(doc, pointer, `invalid value ${JSON.stringify(e.data)} for ${name}${suggestion}`, { hint: `allowed: ${list(allowed)}` });
    }
    case 'const':
      return problemAt(doc, pointer, `${name} must be ${JSON.stringify(params['allowedValue'])}`);
    case 'pattern': {
      const propertyName = (e as { propertyName?: string }).propertyName;
      if (propertyName !== undefined) {
        const container = splitPointer(pointer).pop() ?? '';
        const rule = NAME_RULES[container] ?? `names must match ${String(params['pattern'])}`;
        const fixed = [propertyName.replace(/[\s-]+/g, '_'), propertyName.toLowerCase().replace(/[\s-]+/g, '_')].find((n) => new RegExp(String(params['pattern'])).test(n));
        const hint = fixed === undefined ? '' : ` — did you mean "${fixed}"?`;
        return problemAt(doc, joinPointer(pointer, propertyName), `invalid name "${propertyName}" in "${container}"${hint}`, { anchor: 'key', hint: rule });
      }
      if (String(params['pattern']) === '^/') return problemAt(doc, pointer, `${name} must start with "/": a path relative to base_url, e.g. "/${String(e.data)}"`);
      const last = splitPointer(pointer).pop() ?? '';
      const custom = splitPointer(pointer).length === 1 ? PATTERN_MESSAGES[last] : undefined;
      return problemAt(doc, pointer, custom !== undefined ? custom(String(e.data)) : `${name} does not match the pattern ${String(params['pattern'])}`);
    }
    case 'propertyNames':
      return undefined; // the `pattern` error that comes with it names the property
    case 'dependentRequired':
      return problemAt(doc, pointer, `"${String(params['property'])}" needs "${String(params['missingProperty'])}" as well${pointer === '' ? '' : ` in ${name}`}`, { anchor: 'key' });
    case 'uniqueItems': {
      const items = Array.isArray(e.data) ? e.data : [];
      return problemAt(doc, joinPointer(pointer, Number(params['i'])), `${name} lists ${JSON.stringify(items[Number(params['i'])])} twice`);
    }
    case 'minimum':
      return problemAt(doc, pointer, `${name} must be at least ${String(params['limit'])}, not ${describeValue(e.data)}`);
    case 'maximum':
      return problemAt(doc, pointer, `${name} must be at most ${String(params['limit'])}, not ${describeValue(e.data)}`);
    case 'exclusiveMinimum':
      return problemAt(doc, pointer, `${name} must be greater than ${String(params['limit'])}, not ${describeValue(e.data)}`);
    case 'minLength':
      return problemAt(doc, pointer, params['limit'] === 1 ? `${name} must not be empty` : `${name} must be at least ${String(params['limit'])} characters long`);
    case 'maxLength':
      return problemAt(doc, pointer, `${name} must be at most ${String(params['limit'])} characters long`);
    default:
      return problemAt(doc, pointer, `${name} ${e.message ?? 'is invalid'}`);
  }
}

/**
 * Collapses oneOf failures without a discriminator (a field is a path string or an object):
 * the branch whose type matches the value explains the mistake, so the other branches' type
 * errors and the oneOf summary go. When no branch has the value's type, one message says
 * which types are allowed.
 */
function collapseOneOf(doc: SourceDocument, errors: ErrorObject[]): { errors: ErrorObject[]; problems: Problem[] } {
  const drop = new Set<ErrorObject>();
  const problems: Problem[] = [];
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    drop.add(e);
    const at = e.instancePath;
    const typeErrors = errors.filter((x) => x.instancePath === at && x.keyword === 'type');
    typeErrors.forEach((x) => drop.add(x));
    const explained = errors.some((x) => !drop.has(x) && x !== e && (x.instancePath === at || x.instancePath.startsWith(`${at}/`)));
    if (explained) continue;
    const expected = [...new Set(typeErrors.flatMap((x) => ([] as string[]).concat(x.params['type'] as string | string[])))].map((t) => TYPE_WORDS[t] ?? t);
    const hint = firstSentence((e.parentSchema as Schema | undefined)?.['description']);
    const message = expected.length > 0 ? `${nameOf(at)} must be ${expected.join(' or ')}, not ${describeValue(e.data)}` : `${nameOf(at)} matches none of its allowed forms`;
    problems.push(problemAt(doc, at, message, { hint }));
  }
  return { errors: errors.filter((x) => !drop.has(x)), problems };
}

/** Validates a parsed document against its kind's schema; every problem, in file order. */
export function schemaProblems(kind: DefinitionKind, doc: SourceDocument): Problem[] {
  const validate = compileValidators()[kind];
  if (validate(doc.value)) return [];
  const collapsed = collapseOneOf(doc, [...(validate.errors ?? [])]);
  const problems = [...collapsed.problems];
  // A misspelt required property is one mistake: "did you mean" says it, "missing" would repeat it.
  const typos = new Set<string>();
  for (const e of collapsed.errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const allowed = Object.keys(((e.parentSchema as Schema | undefined)?.['properties'] as Schema | undefined) ?? {});
    const suggestion = closest(String(e.params['additionalProperty']), allowed);
    if (suggestion !== undefined) typos.add(joinPointer(e.instancePath, suggestion));
  }
  for (const e of collapsed.errors) {
    const problem = translate(kind, doc, e, typos);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/** The JSON Schema of a kind (for the management API's OpenAPI document, and editors). */
export function definitionSchema(kind: DefinitionKind): Readonly<Record<string, unknown>> {
  return ROOT_SCHEMAS[kind];
}
