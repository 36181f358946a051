// ETags of CRM records: the record's `updated_at`, quoted (every write moves it forward, see
// core/store/crm.ts), so an `If-Match` tag is directly the repository's `ifUpdatedAt`.

export function etagOf(updatedAt: string): string {
  return `"${updatedAt}"`;
}

export interface EntityTags {
  any: boolean;
  /** Opaque tags as given (quotes removed); `weak` marks W/ tags. */
  tags: Array<{ value: string; weak: boolean }>;
}

/** Parses `If-Match` / `If-None-Match`: `*`, or a comma-separated list of (possibly weak) quoted tags. */
export function parseTags(header: string): EntityTags {
  if (header.trim() === '*') return { any: true, tags: [] };
  const tags: EntityTags['tags'] = [];
  for (const m of header.matchAll(/(W\/)?"([^"]*)"/g)) tags.push({ value: m[2]!, weak: m[1] !== undefined });
  return { any: false, tags };
}

/** `If-None-Match` (weak comparison): whether the client's copy is current. */
export function noneMatchHolds(header: string | undefined, updatedAt: string): boolean {
  if (header === undefined) return false;
  const parsed = parseTags(header);
  return parsed.any || parsed.tags.some((t) => t.value === updatedAt);
}

/**
 * `If-Match` (strong comparison) as the `updated_at` the write must find: undefined when the
 * header is absent or `*` (existence is the only precondition), or null when no tag can ever
 * match (weak or malformed tags).
 */
export function ifMatchTags(header: string | undefined): { any: true } | { strong: string[] } | undefined {
  if (header === undefined) return undefined;
  const parsed = parseTags(header);
  if (parsed.any) return { any: true };
  return { strong: parsed.tags.filter((t) => !t.weak).map((t) => t.value) };
}
