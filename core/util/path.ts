// Plain dot paths into JSON values (`results`, `paging.next.after`, `data.0.id`, `""` = the
// value itself). Used by `records`, `cursor_path`, mapping `path`s and `external_id`.
// Paths are compiled once into segment arrays; reading never touches prototypes.
//
// A segment may pick an array element by a condition instead of a position:
// `to[type=contact].id` reads `id` of the first element of `to` whose `type` is `contact`;
// `[a=1,b=x]` needs both; the value is compared as text, so `[typeId=3]` matches 3 and "3".
// Inside the brackets a path that crosses an array matches when any element matches
// (`to[associationTypes.typeId=1]`: an association with a type 1 among its types).

/** Picks the first array element whose every test holds. */
export interface PathFilter {
  readonly tests: ReadonlyArray<{ readonly path: readonly string[]; readonly text: string; readonly negate: boolean }>;
  readonly source: string;
}

export type PathSegment = string | PathFilter;
export type Path = readonly PathSegment[];

const cache = new Map<string, Path>();

/** Why a path cannot be parsed, or undefined when it can (for the validator). */
export function pathProblem(path: string): string | undefined {
  try {
    parseUncached(path);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Splits a dot path into segments; `""` is the empty path (the value itself). Throws on a malformed filter. */
export function parsePath(path: string): Path {
  let segments = cache.get(path);
  if (segments === undefined) {
    segments = parseUncached(path);
    if (cache.size < 10_000) cache.set(path, segments);
  }
  return segments;
}

function parseUncached(path: string): Path {
  if (path === '') return [];
  if (!path.includes('[')) return Object.freeze(path.split('.'));
  const out: PathSegment[] = [];
  let i = 0;
  let key = '';
  while (i < path.length) {
    const c = path[i]!;
    if (c === '.') {
      if (key !== '') out.push(key);
      key = '';
      i += 1;
    } else if (c === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) throw new Error(`path "${path}": "[" at character ${i + 1} is never closed with "]"`);
      if (key !== '') out.push(key);
      key = '';
      out.push(parseFilter(path, path.slice(i + 1, end)));
      i = end + 1;
    } else {
      key += c;
      i += 1;
    }
  }
  if (key !== '') out.push(key);
  return Object.freeze(out);
}

function parseFilter(path: string, body: string): PathFilter {
  const tests = body.split(',').map((part) => {
    const negate = part.includes('!=');
    const at = negate ? part.indexOf('!=') : part.indexOf('=');
    const left = part.slice(0, at).trim();
    if (at <= 0 || left === '') throw new Error(`path "${path}": "[${body}]" must be [field=value] (or field!=value, several joined by ",")`);
    return { path: left.split('.'), text: part.slice(at + (negate ? 2 : 1)).trim(), negate };
  });
  return Object.freeze({ tests, source: `[${body}]` });
}

function own(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** The values at a path inside a filter: arrays on the way fan out (any element may match). */
function valuesAt(value: unknown, path: readonly string[], from: number, out: unknown[]): void {
  if (from === path.length) {
    out.push(value);
    return;
  }
  if (Array.isArray(value) && !/^\d+$/.test(path[from]!)) {
    for (const item of value) valuesAt(item, path, from, out);
    return;
  }
  const next = own(value, path[from]!);
  if (next !== undefined) valuesAt(next, path, from + 1, out);
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return undefined;
}

function matches(item: unknown, filter: PathFilter): boolean {
  for (const test of filter.tests) {
    const found: unknown[] = [];
    valuesAt(item, test.path, 0, found);
    const hit = found.some((v) => asText(v) === test.text);
    if (hit === test.negate) return false;
  }
  return true;
}

/** Reads a path; `undefined` when any step is missing. Digits index arrays. */
export function getPath(value: unknown, path: string | Path): unknown {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  let current: unknown = value;
  for (const key of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof key !== 'string') {
      if (!Array.isArray(current)) return undefined;
      current = current.find((item) => matches(item, key));
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Writes a path, creating plain objects on the way. Refuses prototype-polluting keys and filters. */
export function setPath(target: Record<string, unknown>, path: string | Path, value: unknown): void {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  if (segments.length === 0) throw new Error('cannot set the empty path');
  let current: Record<string, unknown> = target;
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i]!;
    if (typeof key !== 'string') throw new Error(`cannot write through the filter ${key.source}`);
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw new Error(`path segment "${key}" is not allowed`);
    }
    if (i === segments.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (next === null || typeof next !== 'object') {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    } else {
      current = next as Record<string, unknown>;
    }
  }
}
