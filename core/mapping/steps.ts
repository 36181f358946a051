// The steps after a field's source, the same for pull fields and push fields: `transform`
// (helpers in order), then `map` (a lookup table), then `default` for what is still missing.
import type { Transform } from '../generated/mapping';
import { compileTransforms, type TransformStep } from '../templates';

/** Missing, for `default` and for skipping transforms: undefined, null or empty text. */
export const isMissing = (v: unknown): boolean => v === undefined || v === null || v === '';

export interface FieldSteps {
  transform?: readonly (Transform | TransformStep)[];
  map?: { [k: string]: unknown };
  default?: unknown;
}

/** The field's steps as one function, or undefined when it has none. */
export function compileSteps(spec: FieldSteps): ((value: unknown) => unknown) | undefined {
  const transform = spec.transform !== undefined && spec.transform.length > 0 ? compileTransforms(spec.transform as readonly TransformStep[]) : undefined;
  const table = spec.map;
  const hasDefault = 'default' in spec;
  const fallback = spec.default;
  if (transform === undefined && table === undefined && !hasDefault) return undefined;
  return (input) => {
    let value = input;
    if (transform !== undefined && !isMissing(value)) value = transform(value);
    if (table !== undefined && !isMissing(value)) {
      const key = typeof value === 'string' ? value : JSON.stringify(value);
      value = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
    }
    if (hasDefault && isMissing(value)) value = fallback;
    return value;
  };
}
