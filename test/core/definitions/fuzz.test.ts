// Mutates the valid fixtures thousands of times (drop, duplicate, retype and rename keys,
// break templates, truncate and garble text) with a seeded PRNG: the validator only ever
// returns problems, never throws, never reports an internal error, and stays fast.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateDocument, type ConnectorDefinition, type DefinitionKind } from '../../../core/definitions';
import { analyzeTemplate } from '../../../core/templates';
import { prng } from '../../helpers/random';

const VALID = join(__dirname, '..', '..', 'fixtures', 'valid');
const ITERATIONS = 4000;
const TIME_BUDGET_MS = 30_000;

const random = prng(20241128);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const sources = readdirSync(VALID)
  .filter((f) => f.endsWith('.json'))
  .map((file) => {
    const text = readFileSync(join(VALID, file), 'utf8');
    const value = JSON.parse(text) as Record<string, unknown>;
    const kind: DefinitionKind = String(value['$schema']).includes('connector') ? 'connector' : 'mapping';
    return { file, text, value, kind };
  });
const connectors = new Map(sources.filter((s) => s.kind === 'connector').map((s) => [String(s.value['id']), s.value as unknown as ConnectorDefinition]));

const WEIRD_VALUES: unknown[] = [null, true, 0, -1, 1.5, 1e21, '', 'x', '{{', '{{record.constructor}}', '{{#each x}}{{/each}}', '{{config.}}', '{{lookup}}', '}}{{', [], [null], {}, { type: 'cursor' }, { type: 42 }, '__proto__'];
const WEIRD_KEYS = ['type', '__proto__', 'constructor', '', 'cursor_parm', 'path', 'ref', 'template', 'records', 'x'.repeat(300), '$schema', 'custom.', 'custom.x'];

/** Every container (object or array) in a value, with a way to reach it. */
function containers(value: unknown, out: unknown[] = []): unknown[] {
  if (value !== null && typeof value === 'object') {
    out.push(value);
    for (const child of Object.values(value)) containers(child, out);
  }
  return out;
}

function mutateValue(root: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(root)) as unknown;
  const rounds = 1 + Math.floor(random() * 3);
  for (let i = 0; i < rounds; i++) {
    const target = pick(containers(copy)) as Record<string, unknown>;
    const keys = Object.keys(target);
    const key = keys.length > 0 ? pick(keys) : '0';
    switch (Math.floor(random() * 5)) {
      case 0: // drop
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete target[key];
        break;
      case 1: // retype
        target[key] = structuredClone(pick(WEIRD_VALUES));
        break;
      case 2: {
        // rename (typo, or a key that belongs elsewhere); arrays have no names to change
        if (Array.isArray(target)) break;
        const value = target[key];
        delete target[key];
        const renamed = random() < 0.5 ? pick(WEIRD_KEYS) : key.length > 1 ? key.slice(1) + key[0] : `${key}_`;
        target[renamed] = value;
        break;
      }
      case 3: {
        // duplicate a subtree somewhere else
        const clone = JSON.parse(JSON.stringify(target[key] ?? null)) as unknown;
        if (Array.isArray(target)) target.push(clone);
        else target[`${key}2`] = clone;
        break;
      }
      default: // deep nesting
        target[key] = [[[[{ a: { b: { c: target[key] ?? null } } }]]]];
    }
  }
  return copy;
}

function mutateText(text: string): string {
  const at = Math.floor(random() * text.length);
  switch (Math.floor(random() * 5)) {
    case 0:
      return text.slice(0, at); // truncate
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5)); // delete
    case 2:
      return text.slice(0, at) + pick(['{', '}', '[', ']', ',', ':', '"', '\\', '\n', '/*', 'tru', '\u0000', '{{', '"a":1,']) + text.slice(at);
    case 3: {
      const from = Math.floor(random() * text.length);
      return text.slice(0, at) + text.slice(from, from + 40) + text.slice(at); // duplicate a slice
    }
    default:
      return text.replace(/"(\w+)":/, (_m, k: string) => `"${k}": 1, "${k}":`); // duplicate key
  }
}

describe('fuzzing the validator', () => {
  it(`survives ${ITERATIONS} mutations of the valid fixtures`, () => {
    const started = Date.now();
    let withProblems = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const source = pick(sources);
      const text = random() < 0.6 ? JSON.stringify(mutateValue(source.value), null, random() < 0.5 ? 2 : 0) : mutateText(source.text);
      let problems;
      try {
        problems = validateDocument(source.kind, text, source.file, { connectors });
      } catch (err) {
        throw new Error(`iteration ${i}: validateDocument threw on ${JSON.stringify(text.slice(0, 2000))}: ${(err as Error).stack}`);
      }
      for (const p of problems) {
        if (!(Number.isInteger(p.line) && p.line >= 1 && Number.isInteger(p.column) && p.column >= 1 && typeof p.pointer === 'string' && p.message.length > 0)) {
          throw new Error(`iteration ${i}: malformed problem ${JSON.stringify(p)}`);
        }
        if (p.message.startsWith('internal error')) throw new Error(`iteration ${i}: ${p.message} on ${JSON.stringify(text.slice(0, 2000))}`);
      }
      if (problems.length > 0) withProblems++;
    }
    expect(withProblems).toBeGreaterThan(ITERATIONS / 2);
    expect(Date.now() - started).toBeLessThan(TIME_BUDGET_MS);
  });

  it('analyzes garbled templates without throwing', () => {
    const pieces = ['{{', '}}', '{{{', '}}}', '#if', '/if', 'else', '~', '(', ')', '"', "'", '=', '.', '..', '/', '@', '[', ']', 'config', 'record.x', 'lookup', ' ', '\n', '!--', '--', '>', '&', '^', 'as |x|'];
    for (let i = 0; i < 3000; i++) {
      let source = '';
      const n = 1 + Math.floor(random() * 12);
      for (let j = 0; j < n; j++) source += pick(pieces);
      const result = analyzeTemplate(source);
      expect(Array.isArray(result.roots)).toBe(true);
      if (result.error !== undefined) expect(result.error.line).toBeGreaterThanOrEqual(1);
    }
  });
});
