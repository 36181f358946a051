// Validation of one document: syntax, pass one (JSON Schema), pass two (semantic checks),
// and the id/file-name rule. Returns every problem; never throws.
import { basename } from 'node:path';
import { connectorProblems } from './connector-checks';
import { parseSource, problemAt, type SourceDocument } from './json-source';
import { mappingProblems, type KnownDefinitions } from './mapping-checks';
import { sortProblems, type Problem } from './problems';
import { schemaProblems, type DefinitionKind } from './schema-pass';

export const SCHEMA_FILES: Record<DefinitionKind, string> = {
  connector: 'connector.schema.json',
  mapping: 'mapping.schema.json',
};

/** The kind a `$schema` value names, if it names one. */
export function kindFromSchema(value: unknown): DefinitionKind | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.endsWith(SCHEMA_FILES.connector)) return 'connector';
  if (value.endsWith(SCHEMA_FILES.mapping)) return 'mapping';
  return undefined;
}

/** Problems of a parsed document (syntax already checked). */
export function checkDocument(kind: DefinitionKind, doc: SourceDocument, known?: KnownDefinitions): Problem[] {
  const problems = schemaProblems(kind, doc);
  try {
    problems.push(...(kind === 'connector' ? connectorProblems(doc) : mappingProblems(doc, known)));
  } catch (err) {
    // A safety net: pass two reads values pass one may have rejected. A crash here is a bug,
    // reported as a problem rather than taking the whole load down (the fuzz test looks for it).
    problems.push(problemAt(doc, '', `internal error in the ${kind} checks: ${(err as Error).message}`));
  }
  const root = doc.value;
  const id = root !== null && typeof root === 'object' ? (root as Record<string, unknown>)['id'] : undefined;
  const named = schemaKindMismatch(kind, doc);
  if (named !== undefined) problems.push(named);
  if (typeof id === 'string' && doc.file.endsWith('.json')) {
    const expected = basename(doc.file, '.json');
    if (id !== expected) problems.push(problemAt(doc, '/id', `id "${id}" must equal the file name "${expected}" (without .json)`, { hint: `rename the file to ${id}.json, or set "id": "${expected}"` }));
  }
  return problems;
}

function schemaKindMismatch(kind: DefinitionKind, doc: SourceDocument): Problem | undefined {
  const value = doc.value !== null && typeof doc.value === 'object' ? (doc.value as Record<string, unknown>)['$schema'] : undefined;
  if (value === undefined) return undefined;
  const named = kindFromSchema(value);
  if (named === kind) return undefined;
  return problemAt(doc, '/$schema', named === undefined ? `"$schema" names neither ${SCHEMA_FILES.connector} nor ${SCHEMA_FILES.mapping}` : `"$schema" says ${named}, but this file is read as a ${kind}`, {
    hint: `use "../core/schemas/${SCHEMA_FILES[kind]}"`,
  });
}

/** Validates one document given as text (e.g. a definition posted to the management API). */
export function validateDocument(kind: DefinitionKind, text: string, file: string, known?: KnownDefinitions): Problem[] {
  const { doc, problems } = parseSource(file, text);
  if (doc === undefined) return problems;
  return sortProblems([...problems, ...checkDocument(kind, doc, known)]);
}
