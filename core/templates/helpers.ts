// The template helpers (an allow-list) and the mapping `transform` functions built on them.
//
// Every helper takes its positional arguments and its hash (`name=value`) arguments. Missing
// input (undefined or null) stays missing instead of becoming "undefined" text, so mappings
// can fall back on `default`; input a helper cannot use throws SB_TEMPLATE_RENDER_FAILED.
import { SwitchboardError } from '../errors';
import { getPath } from '../util/path';
import { describe, formatDate, parseDate } from './dates';

export type HelperArgs = readonly unknown[];
export type HelperHash = Readonly<Record<string, unknown>>;
export type Helper = (args: HelperArgs, hash: HelperHash) => unknown;

function fail(helper: string, message: string): never {
  throw new SwitchboardError('SB_TEMPLATE_RENDER_FAILED', `${helper}: ${message}`, { details: { helper } });
}

const isMissing = (v: unknown): v is undefined | null => v === undefined || v === null;

/** How a value is written into a string template: missing is empty, objects are JSON. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? '';
}

/** Handlebars' truthiness: false, 0, "", null, undefined, NaN and empty arrays are false. */
export function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

/** A scalar as text (numbers and booleans too); objects are refused. */
function text(helper: string, value: unknown): string | undefined {
  if (isMissing(value)) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(helper, `expects text, got ${describe(value)}`);
}

function stringOp(name: string, op: (s: string) => string): Helper {
  return ([value]) => {
    const s = text(name, value);
    return s === undefined ? undefined : op(s);
  };
}

function toNumber(value: unknown): number | undefined {
  if (isMissing(value)) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return undefined;
    const n = Number(s);
    if (!Number.isNaN(n)) return n;
  }
  return fail('number', `${describe(value)} is not a number`);
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off']);

function toBoolean(value: unknown): boolean | undefined {
  if (isMissing(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (s === '') return undefined;
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s)) return false;
  }
  return fail('boolean', `${describe(value)} is not a boolean`);
}

function date(name: string, value: unknown, parseFormat?: unknown): Date | undefined {
  try {
    return parseDate(value, typeof parseFormat === 'string' ? parseFormat : undefined);
  } catch (err) {
    return fail(name, (err as Error).message);
  }
}

function compare(name: string, test: (a: number | string, b: number | string) => boolean): Helper {
  return ([a, b]) => {
    if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return test(a, b);
    if (isMissing(a) || isMissing(b)) return false;
    const x = toNumber(a);
    const y = toNumber(b);
    if (x === undefined || y === undefined) return false;
    return test(x, y);
  };
}

/** Own properties only: templates never reach prototypes. */
export function lookupOwn(target: unknown, key: unknown): unknown {
  if (target === null || typeof target !== 'object' || (typeof key !== 'string' && typeof key !== 'number')) return undefined;
  return Object.prototype.hasOwnProperty.call(target, key) ? (target as Record<string | number, unknown>)[key] : undefined;
}

function separatorOf(helper: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') return fail(helper, 'expects the separator text as its second argument');
  return value;
}

/** A number for arithmetic: numbers and numeric text; missing stays missing. */
function operand(helper: string, value: unknown): number | undefined {
  if (isMissing(value) || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n)) return fail(helper, `${describe(value)} is not a number`);
  return n;
}

/** Rounds half away from zero at `decimals`, without binary surprises (1.005 -> 1.01). */
function roundTo(n: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.sign(n) * Math.round(Number((Math.abs(n) * factor).toPrecision(15))) / factor;
}

function arithmetic(helper: string, op: (a: number, b: number) => number): Helper {
  return ([a, b]) => {
    const x = operand(helper, a);
    const y = operand(helper, b);
    if (x === undefined || y === undefined) return undefined;
    // Decimal inputs (cents, percents) should not come out as 0.30000000000000004.
    return roundTo(op(x, y), 12);
  };
}

function unary(helper: string, op: (a: number) => number): Helper {
  return ([a]) => {
    const x = operand(helper, a);
    return x === undefined ? undefined : op(x);
  };
}

const ARITHMETIC = {
  add: arithmetic('add', (a, b) => a + b),
  subtract: arithmetic('subtract', (a, b) => a - b),
  multiply: arithmetic('multiply', (a, b) => a * b),
  divide: ([a, b]) => {
    if (operand('divide', b) === 0) return fail('divide', 'cannot divide by zero');
    return arithmetic('divide', (x, y) => x / y)([a, b], {});
  },
  round: ([a, decimals]) => {
    const x = operand('round', a);
    const d = isMissing(decimals) ? 0 : operand('round', decimals);
    return x === undefined ? undefined : roundTo(x, d ?? 0);
  },
  floor: unary('floor', Math.floor),
  ceil: unary('ceil', Math.ceil),
  abs: unary('abs', Math.abs),
  min: (args) => {
    const ns = args.map((a) => operand('min', a)).filter((n): n is number => n !== undefined);
    return ns.length === 0 ? undefined : Math.min(...ns);
  },
  max: (args) => {
    const ns = args.map((a) => operand('max', a)).filter((n): n is number => n !== undefined);
    return ns.length === 0 ? undefined : Math.max(...ns);
  },
} satisfies Record<string, Helper>;

const LISTS = {
  /** `pluck records "id"`: the value at a path in each element (missing ones left out). */
  pluck: ([list, path]) => {
    if (isMissing(list)) return undefined;
    if (!Array.isArray(list)) return fail('pluck', `expects an array, got ${describe(list)}`);
    if (typeof path !== 'string') return fail('pluck', 'expects a path as its second argument, e.g. (pluck records "id")');
    return list.map((item) => getPath(item, path)).filter((v) => !isMissing(v));
  },
  /** The values given (or the array given) without missing or empty entries. */
  compact: (args) => {
    const values = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    return values.filter((v) => !isMissing(v) && v !== '' && !(Array.isArray(v) && v.length === 0));
  },
  first: ([list]) => (Array.isArray(list) ? list[0] : list),
  last: ([list]) => (Array.isArray(list) ? list[list.length - 1] : list),
  length: ([value]) => (isMissing(value) ? 0 : Array.isArray(value) || typeof value === 'string' ? value.length : fail('length', `expects an array or text, got ${describe(value)}`)),
} satisfies Record<string, Helper>;

const HELPERS_TABLE = {
  default: (args) => {
    for (const value of args) if (!isMissing(value) && value !== '') return value;
    return args.length > 0 ? args[args.length - 1] : undefined;
  },
  lowercase: stringOp('lowercase', (s) => s.toLowerCase()),
  uppercase: stringOp('uppercase', (s) => s.toUpperCase()),
  trim: stringOp('trim', (s) => s.trim()),
  string: ([value]) => (isMissing(value) ? undefined : toText(value)),
  concat: (args) => args.map(toText).join(''),
  join: ([value, separator]) => {
    if (isMissing(value)) return undefined;
    if (typeof value === 'string') return value;
    if (!Array.isArray(value)) return fail('join', `expects an array, got ${describe(value)}`);
    return value.map(toText).join(typeof separator === 'string' ? separator : ',');
  },
  split: ([value, separator]) => {
    if (Array.isArray(value)) return value;
    const s = text('split', value);
    if (s === undefined) return undefined;
    return s === '' ? [] : s.split(typeof separator === 'string' ? separator : ',');
  },
  replace: ([value, search, replacement]) => {
    const s = text('replace', value);
    if (s === undefined) return undefined;
    if (typeof search !== 'string' || search === '') return fail('replace', 'expects the text to search for as its second argument');
    return s.split(search).join(toText(replacement));
  },
  json: ([value]) => (value === undefined ? undefined : JSON.stringify(value)),
  number: ([value]) => toNumber(value),
  boolean: ([value]) => toBoolean(value),
  date: ([value, format, parse], hash) => {
    const d = date('date', value, hash['parse'] ?? parse);
    return d === undefined ? undefined : formatDate(d, typeof format === 'string' ? format : 'YYYY-MM-DD');
  },
  iso: ([value], hash) => date('iso', value, hash['parse'])?.toISOString(),
  unix: ([value], hash) => {
    const d = date('unix', value, hash['parse']);
    return d === undefined ? undefined : Math.floor(d.getTime() / 1000);
  },
  unix_ms: ([value], hash) => date('unix_ms', value, hash['parse'])?.getTime(),
  base64: ([value]) => {
    const s = text('base64', value);
    return s === undefined ? undefined : Buffer.from(s, 'utf8').toString('base64');
  },
  urlencode: ([value]) => {
    const s = text('urlencode', value);
    return s === undefined ? undefined : encodeURIComponent(s);
  },
  eq: ([a, b]) => a === b,
  ne: ([a, b]) => a !== b,
  gt: compare('gt', (a, b) => a > b),
  lt: compare('lt', (a, b) => a < b),
  gte: compare('gte', (a, b) => a >= b),
  lte: compare('lte', (a, b) => a <= b),
  and: (args) => args.length > 0 && args.every(truthy),
  or: (args) => args.some(truthy),
  not: ([value]) => !truthy(value),
  lookup: ([target, key]) => lookupOwn(target, key),
  ...ARITHMETIC,
  ...LISTS,
  before: ([value, separator]) => {
    const s = text('before', value);
    if (s === undefined) return undefined;
    const at = s.indexOf(separatorOf('before', separator));
    return at < 0 ? s : s.slice(0, at);
  },
  after: ([value, separator]) => {
    const s = text('after', value);
    if (s === undefined) return undefined;
    const sep = separatorOf('after', separator);
    const at = s.indexOf(sep);
    return at < 0 ? '' : s.slice(at + sep.length);
  },
  domain: ([value]) => {
    const s = text('domain', value)?.trim().toLowerCase();
    if (s === undefined || s === '') return s;
    const host = s.includes('@') && !s.includes('/') ? s.slice(s.lastIndexOf('@') + 1) : s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[/?#:]/)[0]!;
    return host.replace(/^www\./, '');
  },
} satisfies Record<string, Helper>;

export type HelperName = keyof typeof HELPERS_TABLE;

/** Every helper a template may call, Handlebars' `lookup` included. */
export const HELPERS: ReadonlyMap<string, Helper> = new Map(Object.entries(HELPERS_TABLE));

export const HELPER_NAMES: readonly string[] = Object.freeze([...HELPERS.keys()]);

/** Block helpers (`{{#if}}...{{else}}...{{/if}}`); they do not change the context. */
export const BLOCK_HELPER_NAMES: readonly string[] = Object.freeze(['if', 'unless']);

/**
 * Helpers that make sense on one value, usable in mapping `transform` lists (the `Transform`
 * enum of mapping.schema.json lists the same names; a test keeps them in step).
 */
export const TRANSFORM_NAMES: readonly string[] = Object.freeze([
  'trim', 'lowercase', 'uppercase', 'number', 'boolean', 'string', 'json',
  'date', 'iso', 'unix', 'base64', 'urlencode', 'not', 'split', 'join',
  'abs', 'floor', 'ceil', 'round', 'first', 'last', 'length', 'domain', 'compact',
]);

/**
 * Helpers that take the value and an argument, usable in `transform` lists as objects
 * (`{ "divide": 100 }`); the `TransformWithArgument` schema lists the same names.
 */
export const TRANSFORM_ARGUMENT_NAMES: readonly string[] = Object.freeze([
  'add', 'subtract', 'multiply', 'divide', 'round', 'before', 'after', 'replace', 'split', 'join', 'date',
]);

const NO_HASH: HelperHash = Object.freeze({});
const TRANSFORMS: ReadonlyMap<string, (value: unknown) => unknown> = new Map(
  TRANSFORM_NAMES.map((name) => {
    const helper = HELPERS.get(name)!;
    return [name, (value: unknown) => helper([value], NO_HASH)];
  }),
);

function transformFunction(name: string): (value: unknown) => unknown {
  const fn = TRANSFORMS.get(name);
  if (fn === undefined) {
    throw new SwitchboardError('SB_TEMPLATE_INVALID', `unknown transform "${name}"; transforms are: ${TRANSFORM_NAMES.join(', ')}`, {
      details: { transform: name },
    });
  }
  return fn;
}

/** Applies one transform to a value. Throws SB_TEMPLATE_RENDER_FAILED on input it cannot use. */
export function applyTransform(name: string, value: unknown): unknown {
  return transformFunction(name)(value);
}

/** A transform step: a helper name, or `{ helper: argument }` (an array argument spreads). */
export type TransformStep = string | object;

function stepFunction(step: TransformStep): (value: unknown) => unknown {
  if (typeof step === 'string') return transformFunction(step);
  const entries = Object.entries(step as Record<string, unknown>);
  const [name, arg] = entries[0] ?? [];
  if (entries.length !== 1 || name === undefined || !TRANSFORM_ARGUMENT_NAMES.includes(name)) {
    throw new SwitchboardError('SB_TEMPLATE_INVALID', `a transform object names one helper with its argument, e.g. { "divide": 100 }; helpers with an argument are: ${TRANSFORM_ARGUMENT_NAMES.join(', ')}`, {
      details: { transform: step },
    });
  }
  const helper = HELPERS.get(name)!;
  const args = Array.isArray(arg) ? arg : [arg];
  return (value) => helper([value, ...args], NO_HASH);
}

/** Composes a transform list once (names checked now) into one function applied per record. */
export function compileTransforms(names: readonly TransformStep[]): (value: unknown) => unknown {
  const fns = names.map(stepFunction);
  if (fns.length === 0) return (value) => value;
  if (fns.length === 1) return fns[0]!;
  return (value) => {
    let current = value;
    for (const fn of fns) current = fn(current);
    return current;
  };
}
