// Secrets out of messages and logs: every config value marked `"secret": true`, and the tokens
// auth obtains, are replaced by [REDACTED], also in their URL-, form- and JSON-encoded forms.
import type { ConfigSchema } from '../generated/connector';

export const REDACTED = '[REDACTED]';

/** Shorter values are not redacted: replacing them would mangle ordinary text and hide little. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;
  private dirty = false;

  constructor(secrets: Iterable<unknown> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Adds a secret (strings and numbers; other values are ignored). */
  add(secret: unknown): void {
    if (typeof secret === 'number') secret = String(secret);
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
    const forms = [secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+'), JSON.stringify(secret).slice(1, -1)];
    for (const form of forms) {
      if (!this.secrets.has(form)) {
        this.secrets.add(form);
        this.dirty = true;
      }
    }
  }

  /** The text with every known secret replaced. */
  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    if (this.dirty || this.pattern === undefined) {
      // Longest first, so a secret that contains another is replaced whole.
      const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(alternatives.join('|'), 'g');
      this.dirty = false;
    }
    return text.replace(this.pattern, REDACTED);
  }
}

/**
 * The values of a connection's config that its schema marks secret, looking into nested
 * `properties` of object settings too.
 */
export function secretConfigValues(schema: ConfigSchema | undefined, config: unknown): unknown[] {
  const found: unknown[] = [];
  const walk = (node: unknown, value: unknown): void => {
    if (node === null || typeof node !== 'object' || value === null || typeof value !== 'object') return;
    const properties = (node as { properties?: unknown }).properties;
    if (properties === null || typeof properties !== 'object') return;
    for (const [name, prop] of Object.entries(properties as Record<string, unknown>)) {
      if (!Object.prototype.hasOwnProperty.call(value, name)) continue;
      const v = (value as Record<string, unknown>)[name];
      if (prop !== null && typeof prop === 'object' && (prop as { secret?: unknown }).secret === true) {
        collect(v, found);
      } else {
        walk(prop, v);
      }
    }
  };
  walk(schema, config);
  return found;
}

/** Every string and number inside a secret value (a secret may be an object). */
function collect(value: unknown, out: unknown[]): void {
  if (typeof value === 'string' || typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => collect(v, out));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => collect(v, out));
}
