// The condition language of connectors and mappings (record filters, deletion markers, mapping
// `cases`): a JSON tree compiled once into a predicate. A leaf reads one path (in the record, or
// in the parent record with `from`) and applies one operator; `all`, `any` and `not` combine.
import type { Condition } from '../generated/connector';
import { SwitchboardError } from '../errors';
import { getPath, parsePath, type Path } from '../util/path';
import { OPERATORS, OPERATOR_NAMES, type Operator } from './operators';

export { OPERATOR_NAMES } from './operators';
export type { Condition } from '../generated/connector';

/** What a condition can read: the record, and for child streams its parent records. */
export interface ConditionScope {
  record: unknown;
  /** The immediate parent record (child streams). */
  parent?: unknown;
  /** Every ancestor record by stream name (child streams). */
  parents?: Readonly<Record<string, unknown>> | undefined;
}

export type Predicate = (scope: ConditionScope) => boolean;

/** Which document a `from` names: `record` (default), `parent`, or `parents.<stream>`. */
export function scopeReader(from: string | undefined): (scope: ConditionScope) => unknown {
  if (from === undefined || from === 'record') return (s) => s.record;
  if (from === 'parent') return (s) => s.parent;
  if (from.startsWith('parents.')) {
    const stream = from.slice('parents.'.length);
    return (s) => (s.parents !== undefined && Object.hasOwn(s.parents, stream) ? s.parents[stream] : undefined);
  }
  throw new SwitchboardError('SB_DEFINITION_INVALID', `unknown "from" ${JSON.stringify(from)}: use "record", "parent" or "parents.<stream>"`);
}

/** The operators a leaf gives (the validator reports more than one). */
export function operatorsOf(condition: Condition): Operator[] {
  return OPERATOR_NAMES.filter((name) => Object.hasOwn(condition, name) && (condition as Record<string, unknown>)[name] !== undefined) as Operator[];
}

/** Compiles a condition once; throws SB_DEFINITION_INVALID for a shape the validator refuses. */
export function compileCondition(condition: Condition): Predicate {
  if (condition.all !== undefined) {
    const parts = condition.all.map(compileCondition);
    return (s) => parts.every((p) => p(s));
  }
  if (condition.any !== undefined) {
    const parts = condition.any.map(compileCondition);
    return (s) => parts.some((p) => p(s));
  }
  if (condition.not !== undefined) {
    const inner = compileCondition(condition.not);
    return (s) => !inner(s);
  }
  if (condition.path === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', 'a condition needs "path" (with an operator), or "all", "any" or "not"');
  const path: Path = parsePath(condition.path);
  const read = scopeReader(condition.from);
  const [name] = operatorsOf(condition);
  // `{ "path": "archived" }` alone means "is true", as `deleted` always read it.
  const test = name === undefined ? OPERATORS.equals(true) : OPERATORS[name]((condition as Record<string, unknown>)[name]);
  return (s) => test(getPath(read(s), path));
}
