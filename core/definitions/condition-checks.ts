// Pass two for conditions (stream `filter` and `deleted`, mapping `cases`) and for the paths
// and `from`s that read parent records: what JSON Schema cannot say.
import { OPERATOR_NAMES } from '../conditions';
import { pathProblem } from '../util/path';
import { didYouMean } from '../templates/suggest';
import { asObject, asString, has, type Checker, type JsonObject } from './check-context';
import { joinPointer } from './problems';

/** The ancestors of a stream (nearest first), as far as they can be followed. */
export function ancestorsOf(streams: JsonObject, name: string): string[] {
  const out: string[] = [];
  let current = asString(asObject(asObject(streams[name])?.['parent'])?.['stream']);
  while (current !== undefined && !out.includes(current) && current !== name) {
    out.push(current);
    current = asString(asObject(asObject(streams[current])?.['parent'])?.['stream']);
  }
  return out;
}

/** A plain dot path that may pick array entries (`to[type=contact].id`): its syntax. */
export function checkPath(check: Checker, at: string, value: unknown): void {
  if (typeof value !== 'string') return;
  const problem = pathProblem(value);
  if (problem !== undefined) check.add(at, problem, { hint: 'pick array entries with [field=value], e.g. "to[type=contact].id"' });
}

/** `from`: `parent` and `parents.<stream>` need a child stream, and that ancestor. */
export function checkFrom(check: Checker, at: string, from: unknown, ancestors: readonly string[] | undefined): void {
  if (typeof from !== 'string' || from === 'record' || ancestors === undefined) return;
  if (ancestors.length === 0) {
    check.add(at, `"from": "${from}" reads a parent record, but the stream is not a child stream (it has no "parent")`, { hint: 'use "from": "record", or read a stream that has a "parent"' });
    return;
  }
  if (from.startsWith('parents.')) {
    const stream = from.slice('parents.'.length);
    if (!ancestors.includes(stream)) check.add(at, `"${stream}" is not a parent stream of this stream${didYouMean(stream, ancestors)}`, { hint: `ancestors: ${ancestors.join(', ')}` });
  }
}

/**
 * A condition tree: a leaf has `path` and at most one operator; `all`, `any` and `not` stand
 * alone. `ancestors`: the stream's parent streams, nearest first (undefined: not known).
 */
export function checkCondition(check: Checker, at: string, value: unknown, ancestors: readonly string[] | undefined): void {
  const condition = asObject(value);
  if (condition === undefined) return;
  const combinators = ['all', 'any', 'not'].filter((k) => has(condition, k));
  const operators = OPERATOR_NAMES.filter((k) => has(condition, k));
  if (combinators.length > 0) {
    if (combinators.length > 1 || has(condition, 'path') || operators.length > 0) {
      const extra = [...combinators.slice(1), ...(has(condition, 'path') ? ['path'] : []), ...operators];
      check.add(joinPointer(at, extra[0] ?? combinators[0]!), `"${combinators[0]}" combines conditions and stands alone: put "${extra[0]}" in a condition of its own`, { anchor: 'key' });
    }
    for (const key of ['all', 'any']) {
      const list = condition[key];
      if (Array.isArray(list)) list.forEach((c, i) => checkCondition(check, joinPointer(at, key, i), c, ancestors));
    }
    if (has(condition, 'not')) checkCondition(check, joinPointer(at, 'not'), condition['not'], ancestors);
    return;
  }
  if (!has(condition, 'path')) {
    check.add(at, 'a condition needs "path" and an operator (e.g. { "path": "status", "equals": "deleted" }), or "all", "any" or "not"', { anchor: 'key', hint: `operators: ${OPERATOR_NAMES.join(', ')}` });
    return;
  }
  if (operators.length > 1) check.add(joinPointer(at, operators[1]!), `a condition tests one operator; "${operators[0]}" and "${operators[1]}" need one condition each, combined with "all" or "any"`, { anchor: 'key' });
  checkPath(check, joinPointer(at, 'path'), condition['path']);
  checkFrom(check, joinPointer(at, 'from'), condition['from'], ancestors);
}
