// Plain dot paths into JSON values (`results`, `paging.next.after`, `data.0.id`, `""` = the
// value itself). Used by `records`, `cursor_path`, mapping `path`s and `external_id`.
// Paths are compiled once into segment arrays; reading never touches prototypes.

export type Path = readonly string[];

const cache = new Map<string, Path>();

/** Splits a dot path into segments; `""` is the empty path (the value itself). */
export function parsePath(path: string): Path {
  let segments = cache.get(path);
  if (segments === undefined) {
    segments = path === '' ? [] : Object.freeze(path.split('.'));
    if (cache.size < 10_000) cache.set(path, segments);
  }
  return segments;
}

/** Reads a path; `undefined` when any step is missing. Digits index arrays. */
export function getPath(value: unknown, path: string | Path): unknown {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  let current: unknown = value;
  for (const key of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Writes a path, creating plain objects on the way. Refuses prototype-polluting keys. */
export function setPath(target: Record<string, unknown>, path: string | Path, value: unknown): void {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  if (segments.length === 0) throw new Error('cannot set the empty path');
  let current: Record<string, unknown> = target;
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i]!;
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
