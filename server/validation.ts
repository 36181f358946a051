// Route validation: one Ajv per part of the request. Bodies are checked strictly (no type
// coercion, unknown properties refused); query strings, params and headers arrive as text, so
// their numbers and booleans are coerced. Fastify formats failures as `body/email must be ...`.
import Ajv, { type AnySchema, type Options, type ValidateFunction } from 'ajv';
import type { FastifySchemaValidationError } from 'fastify/types/schema';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function isDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** The formats route schemas use, without a formats package: RFC 3339 dates and UUIDs. */
function addFormats(ajv: Ajv): Ajv {
  ajv.addFormat('date', { type: 'string', validate: isDate });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => DATE_TIME_RE.test(s) && isDate(s.slice(0, 10)) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))) });
  ajv.addFormat('uuid', { type: 'string', validate: (s: string) => UUID_RE.test(s) });
  ajv.addFormat('uri', { type: 'string', validate: (s: string) => URL.canParse(s) });
  return ajv;
}

const COMMON: Options = {
  // One error is enough to answer 400, and stops early on huge inputs.
  allErrors: false,
  useDefaults: true,
  removeAdditional: false,
  // Route schemas carry OpenAPI keywords too.
  strict: false,
  keywords: ['example'],
};

/** A decimal number as text: what numeric query parameters must look like before coercion. */
const DECIMAL_RE = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d{1,3})?$/;

type Validate = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

/**
 * Ajv's coercion reads `0x10` as 16, ` 3 ` as 3 and `1e400` as null; numeric parameters of
 * query strings, params and headers must be plain finite decimals, checked before it coerces.
 */
function strictNumbers(schema: AnySchema, validate: ValidateFunction): Validate {
  const props = typeof schema === 'object' && schema !== null ? ((schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {}) : {};
  const numeric = Object.entries(props)
    .filter(([, p]) => ([] as unknown[]).concat(p.type ?? []).some((t) => t === 'number' || t === 'integer'))
    .map(([name]) => name);
  if (numeric.length === 0) return validate;
  const wrapped: Validate = (data) => {
    for (const name of numeric) {
      const value = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[name] : undefined;
      if (typeof value === 'string' && !(DECIMAL_RE.test(value) && Number.isFinite(Number(value)))) {
        wrapped.errors = [{ keyword: 'type', instancePath: `/${name}`, schemaPath: `#/properties/${name}/type`, params: {}, message: 'must be a decimal number' }];
        return false;
      }
    }
    const ok = validate(data);
    wrapped.errors = validate.errors ?? null;
    return ok;
  };
  return wrapped;
}

export interface Validators {
  compile(part: string | undefined, schema: AnySchema): Validate;
  /** Makes a shared schema (`$id`) resolvable by every part's compiler. */
  addSchema(schema: AnySchema & { $id: string }): void;
}

export function createValidators(): Validators {
  const body = addFormats(new Ajv({ ...COMMON, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...COMMON, coerceTypes: 'array' }));
  return {
    compile: (part, schema) => (part === 'body' ? (body.compile(schema) as Validate) : strictNumbers(schema, text.compile(schema))),
    addSchema(schema) {
      body.addSchema(schema);
      text.addSchema(schema);
    },
  };
}

/** `body/email must be string`: where, then what (the value itself is never quoted). */
export function validationMessage(errors: readonly FastifySchemaValidationError[], context: string): string {
  const first = errors[0];
  if (first === undefined) return `${context} is invalid`;
  const where = `${context}${first.instancePath}`;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    return `${where} has an unknown property "${String(params['additionalProperty']).slice(0, 100)}"`;
  }
  if (first.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    return `${where} must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where} ${first.message ?? 'is invalid'}`;
}
