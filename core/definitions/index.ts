// Connector and mapping definitions: load folders into a registry, validate documents, and
// report every problem with its file, line, column and JSON pointer.
export { loadDefinitions, loadRegistry, createRegistry, withDefinition, type LoadOptions, type Registry } from './loader';
export { validateDocument, kindFromSchema } from './validate';
export { definitionSchema, type DefinitionKind } from './schema-pass';
export { formatProblem, sortProblems, type Problem } from './problems';
export type { KnownDefinitions } from './mapping-checks';
export type { ConnectorDefinition } from '../generated/connector';
export type { MappingDefinition } from '../generated/mapping';
