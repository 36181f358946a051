// Query strings and form bodies: nested objects as `a[b]=c` (Stripe's `metadata[key]`),
// arrays repeated in queries and indexed in forms (`items[0][price]`), nulls and undefined.

type Pair = [string, string];

function scalar(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/**
 * Appends `key=value` pairs for a value under `key`: objects nest as `key[sub]`; arrays as
 * `key[0]`, `key[1]` (`indexed`) or as the key repeated; undefined is left out.
 */
function flatten(key: string, value: unknown, indexed: boolean, out: Pair[]): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => flatten(indexed ? `${key}[${i}]` : key, item, indexed, out));
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [sub, item] of Object.entries(value)) flatten(`${key}[${sub}]`, item, indexed, out);
    return;
  }
  out.push([key, scalar(value)]);
}

function join(pairs: readonly Pair[]): string {
  let text = '';
  for (const [k, v] of pairs) {
    if (text !== '') text += '&';
    text += `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  }
  return text;
}

/** A query string (without `?`) from parameters; arrays repeat the parameter; null is empty, undefined left out. */
export function encodeQuery(params: Readonly<Record<string, unknown>>): string {
  const pairs: Pair[] = [];
  for (const [key, value] of Object.entries(params)) flatten(key, value, false, pairs);
  return join(pairs);
}

/** An `application/x-www-form-urlencoded` body; nested keys in brackets, arrays indexed. */
export function encodeForm(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new TypeError('a form body must be an object');
  }
  const pairs: Pair[] = [];
  for (const [key, value] of Object.entries(body)) flatten(key, value, true, pairs);
  return join(pairs);
}

/** Appends a query string to a URL that may already carry one. */
export function withQuery(url: string, query: string): string {
  if (query === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}
