// The operators of a condition leaf, by name: each takes its argument once (at compile time)
// and returns the test applied to the value at the leaf's path.
import { compareCursor } from '../sync/cursor';

type Test = (value: unknown) => boolean;

/** JSON equality: scalars by value, objects and arrays by their JSON text. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** Numbers (and numeric text) compare as numbers; date-times as times; other text as text. */
function order(v: unknown, against: unknown): number | undefined {
  if (!present(v) || typeof v === 'object' || typeof v === 'boolean') return undefined;
  const a = v as string | number;
  const b = against as string | number;
  const na = typeof a === 'number' ? a : a.trim() !== '' ? Number(a) : NaN;
  const nb = typeof b === 'number' ? b : b.trim() !== '' ? Number(b) : NaN;
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return compareCursor(a, b);
}

export const OPERATORS = {
  equals: (arg: unknown): Test => (v) => same(v, arg),
  not_equals: (arg: unknown): Test => (v) => !same(v, arg),
  in: (arg: unknown): Test => {
    const list = arg as unknown[];
    return (v) => list.some((x) => same(v, x));
  },
  not_in: (arg: unknown): Test => {
    const list = arg as unknown[];
    return (v) => !list.some((x) => same(v, x));
  },
  /** `exists: true`: present and not null; `false`: missing or null. */
  exists: (arg: unknown): Test => (v) => present(v) === arg,
  /** `empty: true`: missing, null, "", [] or {}. */
  empty: (arg: unknown): Test => (v) => (!present(v) || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)) === arg,
  starts_with: (arg: unknown): Test => (v) => text(v)?.startsWith(String(arg)) === true,
  ends_with: (arg: unknown): Test => (v) => text(v)?.endsWith(String(arg)) === true,
  contains: (arg: unknown): Test => (v) => (Array.isArray(v) ? v.some((x) => same(x, arg)) : text(v)?.includes(String(arg)) === true),
  gt: (arg: unknown): Test => (v) => (order(v, arg) ?? NaN) > 0,
  gte: (arg: unknown): Test => (v) => (order(v, arg) ?? NaN) >= 0,
  lt: (arg: unknown): Test => (v) => (order(v, arg) ?? NaN) < 0,
  lte: (arg: unknown): Test => (v) => (order(v, arg) ?? NaN) <= 0,
} as const satisfies Record<string, (arg: unknown) => Test>;

export type Operator = keyof typeof OPERATORS;
export const OPERATOR_NAMES = Object.freeze(Object.keys(OPERATORS)) as readonly Operator[];
