// Matching a request (`METHOD /path`) to the OpenAPI document's operation (`/path/{param}`).
type Doc = Record<string, unknown>;

/** The document's `METHOD /template` for a request, or undefined when no operation matches. */
export function documentedOperation(doc: Doc, call: string): string | undefined {
  const [method, path] = call.split(' ') as [string, string];
  const paths = (doc['paths'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [template, ops] of Object.entries(paths)) {
    if (ops[method.toLowerCase()] === undefined) continue;
    const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(path)) return `${method} ${template}`;
  }
  return undefined;
}
