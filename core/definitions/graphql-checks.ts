// Semantic checks of GraphQL requests (`request.graphql`): the document parses (errors at their
// line and column inside the file), it holds the operation to run, a read is a query and an
// action a mutation, every variable given is declared and every required one is given, and the
// paths that read the answer (`records`, cursors, `external_id`, `user_errors`) name fields the
// document selects.
import { parse, print, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLError, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { didYouMean } from '../templates/suggest';
import { asObject, asString, has, type Checker, type JsonObject } from './check-context';
import { positionInString } from './json-source';
import { joinPointer } from './problems';

export interface GraphqlShape {
  /** Why a path of the answer is not selected by the document, or undefined when it is. */
  unselected(path: string): string | undefined;
  /** The operation's declared variables. */
  readonly variables: ReadonlySet<string>;
}

function fieldsOf(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind === 'Field') out.push(s);
    else if (s.kind === 'InlineFragment') out.push(...fieldsOf(s.selectionSet, fragments, seen));
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      out.push(...fieldsOf(fragments[s.name.value]?.selectionSet, fragments, seen));
    }
  }
  return out;
}

function shapeOf(op: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): GraphqlShape {
  return {
    variables: new Set((op.variableDefinitions ?? []).map((v) => v.variable.name.value)),
    unselected(path) {
      const parts = path.split('.');
      if (parts[0] !== 'data') return undefined;
      let set: SelectionSetNode | undefined = op.selectionSet;
      for (let i = 1; i < parts.length; i++) {
        const name = parts[i]!;
        // Positions (`nodes.0`) and filters (`[type=x]`) pick list entries: the rest is not checked.
        if (/^\d+$/.test(name) || name.includes('[')) return undefined;
        if (set === undefined) return `"${parts.slice(0, i).join('.')}" is a scalar in the document: it has no "${name}"`;
        const fields = fieldsOf(set, fragments);
        const field = fields.find((f) => (f.alias?.value ?? f.name.value) === name);
        if (field === undefined) {
          const names = fields.map((f) => f.alias?.value ?? f.name.value);
          return `the document selects no field "${name}" under "${parts.slice(0, i).join('.')}"${didYouMean(name, names)} (it selects: ${names.join(', ') || 'nothing'})`;
        }
        set = field.selectionSet;
      }
      return undefined;
    },
  };
}

/** Reports a problem at a position of the document, which is a string or an array of lines. */
function addInDocument(check: Checker, at: string, query: unknown, line: number, column: number, message: string): void {
  const pointer = Array.isArray(query) ? joinPointer(at, line - 1) : at;
  const pos = positionInString(check.doc, pointer, Array.isArray(query) ? 1 : line, column);
  check.problems.push({ file: check.doc.file, ...pos, pointer, message });
}

/**
 * Checks a request's `graphql`: returns the shape of its operation for path checks, or
 * undefined when the request has none (or its document does not parse).
 */
export function checkGraphqlRequest(check: Checker, at: string, request: JsonObject | undefined, kind: 'read' | 'write', pagingVariable?: string): GraphqlShape | undefined {
  const graphql = asObject(request?.['graphql']);
  if (request === undefined || graphql === undefined) return undefined;
  for (const key of ['body', 'body_format']) {
    if (has(request, key)) check.add(joinPointer(at, key), `"${key}" does not apply to a GraphQL request: its body is the document and its variables`, { anchor: 'key', hint: 'put the values in "graphql.variables"' });
  }
  const method = asString(request['method']);
  if (method !== undefined && method !== 'POST') check.add(joinPointer(at, 'method'), `a GraphQL request is a POST, not a ${method}`, { hint: 'remove "method" (POST is the default with "graphql")' });
  const queryAt = joinPointer(at, 'graphql', 'query');
  const raw = graphql['query'];
  const text = Array.isArray(raw) ? raw.filter((l): l is string => typeof l === 'string').join('\n') : asString(raw);
  if (text === undefined) return undefined;
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (err) {
    const e = err as GraphQLError;
    const loc = e.locations?.[0] ?? { line: 1, column: 1 };
    addInDocument(check, queryAt, raw, loc.line, loc.column, `GraphQL ${e.message}`);
    return undefined;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const fragments = Object.fromEntries(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]));
  const name = asString(graphql['operation_name']);
  const names = operations.map((o) => o.name?.value).filter((n): n is string => n !== undefined);
  const op = name === undefined ? (operations.length === 1 ? operations[0] : undefined) : operations.find((o) => o.name?.value === name);
  if (op === undefined) {
    if (name !== undefined) check.add(joinPointer(at, 'graphql', 'operation_name'), `the document has no operation "${name}"${didYouMean(name, names)}`, { hint: `operations: ${names.join(', ') || 'none'}` });
    else check.add(queryAt, `the document holds ${operations.length} operations: say which one to run with "operation_name"`, { anchor: 'key', hint: `operations: ${names.join(', ') || 'none (only fragments)'}` });
    return undefined;
  }
  const where = (node: { loc?: { start: number } | undefined }): { line: number; column: number } => {
    const before = text.slice(0, node.loc?.start ?? 0).split('\n');
    return { line: before.length, column: before[before.length - 1]!.length + 1 };
  };
  if (kind === 'read' && op.operation !== 'query') {
    const p = where(op);
    addInDocument(check, queryAt, raw, p.line, p.column, `a stream reads with a GraphQL query, not a ${op.operation}: reading would change data at the API`);
  } else if (kind === 'write' && op.operation !== 'mutation') {
    const p = where(op);
    addInDocument(check, queryAt, raw, p.line, p.column, `an action writes with a GraphQL mutation, not a ${op.operation}`);
  }
  const shape = shapeOf(op, fragments);
  const given = asObject(graphql['variables']) ?? {};
  const declared = [...shape.variables];
  for (const variable of Object.keys(given)) {
    if (!shape.variables.has(variable)) {
      check.add(joinPointer(at, 'graphql', 'variables', variable), `variable "${variable}" is not declared by the operation${didYouMean(variable, declared)}`, { anchor: 'key', hint: `declare it, e.g. query ${op.name?.value ?? ''}($${variable}: String)` });
    }
  }
  for (const def of op.variableDefinitions ?? []) {
    const variable = def.variable.name.value;
    if (def.type.kind !== 'NonNullType' || def.defaultValue !== undefined || Object.hasOwn(given, variable)) continue;
    const p = where(def);
    const paging = variable === pagingVariable;
    addInDocument(check, queryAt, raw, p.line, p.column, paging
      ? `$${variable} is required (${print(def.type)}), but the first page is asked for without a cursor: declare it nullable (${print(def.type.type)})`
      : `$${variable} is required (${print(def.type)}) but "graphql.variables" does not give it`);
  }
  return shape;
}

/** A path of the answer (`records`, a cursor) that the document does not select. */
export function checkSelected(check: Checker, at: string, shape: GraphqlShape | undefined, path: unknown): void {
  const text = asString(path);
  if (shape === undefined || text === undefined) return;
  const problem = shape.unselected(text);
  if (problem !== undefined) check.add(at, `"${text}": ${problem}`);
}

/** The variable a cursor pagination sends its cursor in (`variables.after` -> `after`), if any. */
export function pagingVariableOf(pagination: JsonObject | undefined): string | undefined {
  const param = asString(pagination?.['cursor_param']);
  if (pagination?.['type'] !== 'cursor' || pagination['in'] !== 'body' || param === undefined || !param.startsWith('variables.')) return undefined;
  return param.slice('variables.'.length);
}

/** A pagination that sends its cursor as a variable the operation does not declare. */
export function checkPagingVariable(check: Checker, at: string, shape: GraphqlShape | undefined, pagination: JsonObject | undefined): void {
  if (shape === undefined || pagination === undefined) return;
  const param = asString(pagination['cursor_param']);
  const variable = pagingVariableOf(pagination);
  if (variable === undefined) {
    if (param !== undefined && pagination['type'] === 'cursor') {
      check.add(joinPointer(at, 'cursor_param'), `a GraphQL request takes its cursor as a variable: "cursor_param" must be "variables.<name>" with "in": "body"`, { hint: 'e.g. "cursor_param": "variables.after", "in": "body"' });
    }
    return;
  }
  if (!shape.variables.has(variable)) {
    check.add(joinPointer(at, 'cursor_param'), `the cursor goes in variable "${variable}", which the operation does not declare${didYouMean(variable, [...shape.variables])}`, { hint: `declare it: $${variable}: String` });
  }
  for (const key of ['cursor_path', 'has_more_path', 'done_path']) checkSelected(check, joinPointer(at, key), shape, pagination[key]);
}
