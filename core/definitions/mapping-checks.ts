// Pass two for mappings: the connector, stream and push actions exist; fields are the
// entity's (or custom.<name>); refs point the way the entity's columns do; required and
// match_on name mapped fields; templates use record, config and now only, and never the
// connection's secrets.
import { ENTITIES, SYSTEM_COLUMNS, isEntityName, type EntityName } from '../store/entities';
import type { ConnectorDefinition } from '../generated/connector';
import { didYouMean } from '../templates/suggest';
import { Checker, ROOTS, asObject, asString, entriesOf, has, type JsonObject } from './check-context';
import { configNamesOf, secretNamesOf } from './connector-checks';
import { ancestorsOf, checkCondition, checkFrom, checkPath } from './condition-checks';
import type { SourceDocument } from './json-source';
import { joinPointer, type Problem } from './problems';

export interface KnownDefinitions {
  /** Connectors by id, as parsed (they may have problems of their own). */
  connectors?: ReadonlyMap<string, ConnectorDefinition>;
}

const SOURCES = ['path', 'template', 'value', 'ref', 'cases'] as const;
const CASE_SOURCES = ['value', 'path', 'template'] as const;
const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;
const PUSH_SOURCES = ['field', 'template', 'value', 'ref'] as const;

export function mappingProblems(doc: SourceDocument, known: KnownDefinitions | undefined): Problem[] {
  const root = asObject(doc.value);
  if (root === undefined) return [];
  const connectorId = asString(root['connector']);
  const connector = connectorId === undefined ? undefined : known?.connectors?.get(connectorId);
  const check = new Checker(doc, connector === undefined ? undefined : configNamesOf(connector));
  const secrets = connector === undefined ? undefined : secretNamesOf(connector);

  if (known?.connectors !== undefined && connectorId !== undefined && connector === undefined) {
    const ids = [...known.connectors.keys()];
    check.add('/connector', `unknown connector "${connectorId}"${didYouMean(connectorId, ids)}`, { hint: `connectors: ${ids.join(', ') || 'none found'}` });
  }
  if (connector !== undefined) checkStream(check, connector, asString(root['stream']));

  const entity = asString(root['entity']);
  const columns = entity !== undefined && isEntityName(entity) ? ENTITIES[entity].fields : undefined;
  const fields = entriesOf(root['fields']);
  // The stream's parent streams (nearest first), when the connector is known: `from` and the
  // `parent` template roots need a child stream.
  const streamName = asString(root['stream']);
  const streams = asObject(connector?.streams);
  const ancestors = streams === undefined || streamName === undefined || !Object.hasOwn(streams, streamName) ? undefined : ancestorsOf(streams, streamName);
  const scope: FieldScope = { ancestors, roots: ancestors === undefined || ancestors.length > 0 ? ROOTS.childMapping : ROOTS.mapping, secrets, connectorId };
  for (const [name, field] of fields) checkField(check, joinPointer('/fields', name), name, field, entity, columns, scope);
  checkPath(check, '/modified_at', root['modified_at']);
  if (root['conflict'] === 'newest_wins' && !has(root, 'modified_at') && streams !== undefined && streamName !== undefined) {
    const incremental = asObject(asObject(streams[streamName])?.['incremental']);
    if (!has(incremental, 'cursor_field')) {
      check.add('/conflict', `"newest_wins" compares the source record's modification time with the CRM's, but stream "${streamName}" has no incremental cursor_field to read it from`, { hint: 'name the record\'s modification time with "modified_at", e.g. "modified_at": "updated_at"' });
    }
  }

  const mapped = fields.map(([name]) => name);
  for (const key of ['required', 'match_on']) {
    const names = Array.isArray(root[key]) ? (root[key] as unknown[]) : [];
    names.forEach((name, i) => {
      if (typeof name === 'string' && !mapped.includes(name)) {
        check.add(joinPointer(`/${key}`, i), `"${key}" names "${name}", which "fields" does not map${didYouMean(name, mapped)}`);
      }
    });
  }
  checkPush(check, asObject(root['push']), connector, columns, entity, secrets);
  return check.problems;
}

function checkStream(check: Checker, connector: ConnectorDefinition, stream: string | undefined): void {
  if (stream === undefined) return;
  const streams = asObject(connector.streams) ?? {};
  const definition = asObject(streams[stream]);
  if (definition === undefined) {
    const names = Object.keys(streams);
    check.add('/stream', `connector "${connector.id}" has no stream "${stream}"${didYouMean(stream, names)}`, { hint: `streams: ${names.join(', ') || 'none'}` });
  } else if (!has(definition, 'primary_key')) {
    check.add('/stream', `stream "${stream}" of connector "${connector.id}" has no "primary_key": a mapping needs it to link records to CRM rows`);
  }
}

function onlyOneSource(check: Checker, at: string, spec: JsonObject, sources: readonly string[]): void {
  const given = sources.filter((key) => has(spec, key));
  if (given.length === 0) check.add(at, `give one of ${sources.map((s) => `"${s}"`).join(', ')}`, { anchor: 'key' });
  else if (given.length > 1) check.add(joinPointer(at, given[1]!), `give only one of ${given.map((s) => `"${s}"`).join(' and ')}`, { anchor: 'key' });
}

interface FieldScope {
  /** The stream's parent streams, nearest first; undefined when the stream is not known. */
  ancestors: readonly string[] | undefined;
  roots: typeof ROOTS.mapping | typeof ROOTS.childMapping;
  /** The connector's secret settings, which mapping templates may not read (undefined: connector unknown). */
  secrets: ReadonlySet<string> | undefined;
  connectorId: string | undefined;
}

function checkField(
  check: Checker,
  at: string,
  name: string,
  field: unknown,
  entity: string | undefined,
  columns: (typeof ENTITIES)[EntityName]['fields'] | undefined,
  scope: FieldScope,
): void {
  const isCustom = name.startsWith('custom.');
  const column = columns?.[name];
  // Names the schema refuses (`Email`) are reported there, with a fix.
  if (columns !== undefined && !isCustom && column === undefined && FIELD_NAME.test(name)) {
    const system = (SYSTEM_COLUMNS as readonly string[]).includes(name);
    check.add(at, system ? `"${name}" is set by Switchboard and cannot be mapped` : `${entity} has no field "${name}"${didYouMean(name, Object.keys(columns))}`, {
      anchor: 'key',
      hint: `fields of ${entity}: ${Object.keys(columns).join(', ')}; or custom.<name> for anything else`,
    });
  }
  const spec = asObject(field);
  if (spec === undefined) {
    if (typeof field === 'string' && column?.type === 'ref') refHint(check, at, name, column.ref);
    return;
  }
  onlyOneSource(check, at, spec, SOURCES);
  check.template(joinPointer(at, 'template'), spec['template'], scope.roots);
  check.noSecrets(joinPointer(at, 'template'), spec['template'], name, scope.secrets, scope.connectorId);
  checkPath(check, joinPointer(at, 'path'), spec['path']);
  checkFrom(check, joinPointer(at, 'from'), spec['from'], scope.ancestors);
  if (has(spec, 'from') && !has(spec, 'path')) check.add(joinPointer(at, 'from'), '"from" says which record "path" reads: it needs "path" (for a ref, put "from" inside "ref")', { anchor: 'key' });
  const cases = Array.isArray(spec['cases']) ? spec['cases'] : [];
  cases.forEach((c, i) => {
    const caseAt = joinPointer(at, 'cases', i);
    const one = asObject(c);
    if (one === undefined) return;
    checkCondition(check, joinPointer(caseAt, 'when'), one['when'], scope.ancestors);
    onlyOneSource(check, caseAt, one, CASE_SOURCES);
    check.template(joinPointer(caseAt, 'template'), one['template'], scope.roots);
    check.noSecrets(joinPointer(caseAt, 'template'), one['template'], name, scope.secrets, scope.connectorId);
    checkPath(check, joinPointer(caseAt, 'path'), one['path']);
    checkFrom(check, joinPointer(caseAt, 'from'), one['from'], scope.ancestors);
  });
  const ref = asObject(spec['ref']);
  if (ref !== undefined) {
    checkPath(check, joinPointer(at, 'ref', 'path'), ref['path']);
    checkFrom(check, joinPointer(at, 'ref', 'from'), ref['from'], scope.ancestors);
  }
  const target = asString(ref?.['entity']);
  if (ref !== undefined && target !== undefined && column !== undefined) {
    if (column.type !== 'ref') check.add(joinPointer(at, 'ref'), `"${name}" is not a reference field: it cannot take a "ref"`, { anchor: 'key' });
    else if (column.ref !== target) check.add(joinPointer(at, 'ref', 'entity'), `"${name}" refers to ${column.ref}, not ${target}`);
  }
  if (has(spec, 'path') && column?.type === 'ref') refHint(check, at, name, column.ref);
}

/** A reference column filled straight from a path would hold the source's id, not a CRM id. */
function refHint(check: Checker, at: string, name: string, target: string | undefined): void {
  check.add(at, `"${name}" holds a CRM id: read the source's id with "ref" so it is resolved`, {
    hint: `{ "ref": { "entity": "${target ?? '...'}", "path": "..." } }`,
  });
}

function checkPush(
  check: Checker,
  push: JsonObject | undefined,
  connector: ConnectorDefinition | undefined,
  columns: Readonly<Record<string, unknown>> | undefined,
  entity: string | undefined,
  secrets: ReadonlySet<string> | undefined,
): void {
  if (push === undefined) return;
  const kinds = ['create', 'update', 'delete'] as const;
  if (!kinds.some((k) => has(push, k))) check.add('/push', 'push needs at least one of "create", "update", "delete"', { anchor: 'key' });
  if (connector !== undefined) {
    const actions = Object.keys(asObject(connector.actions) ?? {});
    for (const kind of kinds) {
      const action = asString(push[kind]);
      if (action !== undefined && !actions.includes(action)) {
        check.add(joinPointer('/push', kind), `connector "${connector.id}" has no action "${action}"${didYouMean(action, actions)}`, { hint: `actions: ${actions.join(', ') || 'none'}` });
      }
    }
  }
  // `external_id` is the record's id in the API (from its record link), for updates and deletes.
  const crmFields = columns === undefined ? undefined : [...Object.keys(columns), ...SYSTEM_COLUMNS.filter((c) => c !== 'custom'), 'external_id'];
  const checkCrmField = (at: string, name: unknown): void => {
    if (typeof name !== 'string' || crmFields === undefined || name.startsWith('custom.') || crmFields.includes(name)) return;
    check.add(at, `no CRM field "${name}"${didYouMean(name, crmFields)}`, { hint: `fields: ${crmFields.join(', ')}; or custom.<name>` });
  };
  for (const [path, field] of entriesOf(push['fields'])) {
    const at = joinPointer('/push/fields', path);
    const spec = asObject(field);
    if (spec === undefined) {
      checkCrmField(at, field);
      continue;
    }
    onlyOneSource(check, at, spec, PUSH_SOURCES);
    checkCrmField(joinPointer(at, 'field'), spec['field']);
    const ref = spec['ref'];
    if (typeof ref === 'string' && columns !== undefined) {
      const refs = Object.entries(columns).filter(([, c]) => (c as { type?: string }).type === 'ref').map(([n]) => n);
      if (!refs.includes(ref)) check.add(joinPointer(at, 'ref'), `"${ref}" is not a reference field of ${entity ?? 'the entity'}${didYouMean(ref, refs)}`, { hint: `reference fields: ${refs.join(', ') || 'none'}` });
    }
    check.template(joinPointer(at, 'template'), spec['template'], ROOTS.mapping);
    check.noSecrets(joinPointer(at, 'template'), spec['template'], `push.fields.${path}`, secrets, connector?.id);
  }
}
