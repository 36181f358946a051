// Loads connector and mapping files from folders (or given paths) into a registry, with every
// problem of every file: syntax, schema, semantics, ids equal to file names and unique.
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { SwitchboardError } from '../errors';
import type { ConnectorDefinition } from '../generated/connector';
import type { MappingDefinition } from '../generated/mapping';
import { deepFreeze } from '../templates/freeze';
import { didYouMean } from '../templates/suggest';
import { parseSource, problemAt, type SourceDocument } from './json-source';
import { formatProblem, sortProblems, type Problem } from './problems';
import type { DefinitionKind } from './schema-pass';
import { checkDocument, kindFromSchema, SCHEMA_FILES } from './validate';

export interface LoadOptions {
  /** Connector files (default `./connectors`). With `paths`, they still serve as references for mappings. */
  connectorsDir?: string;
  /** Mapping files (default `./mappings`). */
  mappingsDir?: string;
  /** Files and folders to load instead of the two folders. */
  paths?: readonly string[];
}

export interface Registry {
  readonly connectors: ReadonlyMap<string, ConnectorDefinition>;
  readonly mappings: ReadonlyMap<string, MappingDefinition>;
  /** Throws SB_DEFINITION_NOT_FOUND. */
  connector(id: string): ConnectorDefinition;
  /** Throws SB_DEFINITION_NOT_FOUND. */
  mapping(id: string): MappingDefinition;
}

function lookup<T>(map: ReadonlyMap<string, T>, kind: DefinitionKind, id: string): T {
  const found = map.get(id);
  if (found !== undefined) return found;
  throw new SwitchboardError('SB_DEFINITION_NOT_FOUND', `no ${kind} "${id}" is loaded${didYouMean(id, map.keys())}`, { details: { kind, id } });
}

export function createRegistry(connectors: ReadonlyMap<string, ConnectorDefinition>, mappings: ReadonlyMap<string, MappingDefinition>): Registry {
  return Object.freeze({
    connectors,
    mappings,
    connector: (id: string) => lookup(connectors, 'connector', id),
    mapping: (id: string) => lookup(mappings, 'mapping', id),
  });
}

/** A registry with one definition added or replaced (the others are shared, not copied). */
export function withDefinition(registry: Registry, kind: DefinitionKind, def: ConnectorDefinition | MappingDefinition): Registry {
  if (kind === 'connector') return createRegistry(new Map(registry.connectors).set(def.id, deepFreeze(def as ConnectorDefinition)), registry.mappings);
  return createRegistry(registry.connectors, new Map(registry.mappings).set(def.id, deepFreeze(def as MappingDefinition)));
}

const fileProblem = (file: string, message: string, hint?: string): Problem => ({ file, line: 1, column: 1, pointer: '', message, ...(hint === undefined ? {} : { hint }) });

/** The .json files of a folder (not recursive), sorted; or the file itself. */
async function expand(path: string): Promise<{ files: string[]; problem?: Problem }> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return { files: [path] };
    const names = (await readdir(path)).filter((n) => n.endsWith('.json')).sort();
    return { files: names.map((n) => join(path, n)) };
  } catch {
    return { files: [], problem: fileProblem(path, 'no such file or folder') };
  }
}

interface LoadedFile {
  file: string;
  kind?: DefinitionKind;
  doc?: SourceDocument;
  problems: Problem[];
}

function kindOf(doc: SourceDocument, dirs: { connectors: string; mappings: string }): DefinitionKind | undefined {
  const root = doc.value !== null && typeof doc.value === 'object' ? (doc.value as Record<string, unknown>) : {};
  const fromSchema = kindFromSchema(root['$schema']);
  if (fromSchema !== undefined) return fromSchema;
  const dir = dirname(resolve(doc.file));
  if (basename(dir) === 'connectors' || dir === dirs.connectors) return 'connector';
  if (basename(dir) === 'mappings' || dir === dirs.mappings) return 'mapping';
  return undefined;
}

async function readOne(file: string, dirs: { connectors: string; mappings: string }): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { file, problems: [fileProblem(file, `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)] };
  }
  const { doc, problems } = parseSource(file, text);
  if (doc === undefined) return { file, problems };
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    problems.push(problemAt(doc, '', 'a definition must be a JSON object ({ ... })'));
    return { file, problems };
  }
  const kind = kindOf(doc, dirs);
  if (kind === undefined) {
    problems.push(problemAt(doc, '', 'cannot tell whether this is a connector or a mapping', { hint: `add "$schema": "../core/schemas/${SCHEMA_FILES.connector}" (or ${SCHEMA_FILES.mapping}), or put it in a connectors/ or mappings/ folder` }));
    return { file, doc, problems };
  }
  return { file, kind, doc, problems };
}

function idOf(doc: SourceDocument | undefined): string | undefined {
  const value = doc?.value;
  const id = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)['id'] : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** Loads and checks definitions; every problem of every file, and a registry of the valid ones. */
export async function loadDefinitions(options: LoadOptions = {}): Promise<{ registry: Registry; problems: Problem[] }> {
  const dirs = { connectors: resolve(options.connectorsDir ?? 'connectors'), mappings: resolve(options.mappingsDir ?? 'mappings') };
  const targets = options.paths ?? [dirs.connectors, dirs.mappings];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const files: string[] = [];
  for (const { files: found, problem } of await Promise.all(targets.map(expand))) {
    if (problem !== undefined) problems.push(problem);
    for (const file of found) {
      if (seen.has(resolve(file))) continue;
      seen.add(resolve(file));
      files.push(file);
    }
  }
  const loaded = await Promise.all(files.map((f) => readOne(f, dirs)));

  // Mappings are checked against the connectors loaded with them, then those of the
  // connectors folder (read for reference only: their own problems are not reported here).
  const known = new Map<string, ConnectorDefinition>();
  for (const f of loaded) {
    const id = idOf(f.doc);
    if (f.kind === 'connector' && id !== undefined && !known.has(id)) known.set(id, f.doc!.value as ConnectorDefinition);
  }
  if (options.paths !== undefined) {
    const references = (await expand(dirs.connectors)).files.filter((f) => !seen.has(resolve(f)));
    for (const ref of await Promise.all(references.map((f) => readOne(f, dirs)))) {
      const id = idOf(ref.doc);
      if (ref.kind === 'connector' && id !== undefined && !known.has(id)) known.set(id, ref.doc!.value as ConnectorDefinition);
    }
  }

  const connectors = new Map<string, ConnectorDefinition>();
  const mappings = new Map<string, MappingDefinition>();
  const firstFile = new Map<string, string>();
  for (const f of loaded) {
    if (f.kind !== undefined && f.doc !== undefined) {
      f.problems.push(...checkDocument(f.kind, f.doc, { connectors: known }));
      const id = idOf(f.doc);
      const key = `${f.kind}\u0000${id}`;
      const other = firstFile.get(key);
      if (id !== undefined && other !== undefined) {
        f.problems.push(problemAt(f.doc, '/id', `duplicate ${f.kind} id "${id}": ${relative(dirname(f.file), other)} has it too`));
      }
      else if (id !== undefined) firstFile.set(key, f.file);
      if (f.problems.length === 0 && id !== undefined) {
        if (f.kind === 'connector') connectors.set(id, deepFreeze(f.doc.value as ConnectorDefinition));
        else mappings.set(id, deepFreeze(f.doc.value as MappingDefinition));
      }
    }
    problems.push(...f.problems);
  }
  return { registry: createRegistry(connectors, mappings), problems: sortProblems(problems) };
}

/** Loads definitions; throws SB_DEFINITION_INVALID listing every problem when there is any. */
export async function loadRegistry(options: LoadOptions = {}): Promise<Registry> {
  const { registry, problems } = await loadDefinitions(options);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map((p) => `  ${formatProblem(p)}`);
    const more = problems.length > shown.length ? [`  ... and ${problems.length - shown.length} more`] : [];
    throw new SwitchboardError('SB_DEFINITION_INVALID', [`${problems.length} problem(s) in definitions:`, ...shown, ...more].join('\n'), { details: { problems } });
  }
  return registry;
}
