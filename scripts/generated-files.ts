// What the generators share: the schemas they read, and writing or checking their output
// (`--check` exits 1 when a committed file differs, for CI and the staleness tests).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');

export const SCHEMA_KINDS = ['connector', 'mapping'] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

export interface GeneratedFile {
  /** Path relative to the repository root. */
  path: string;
  content: string;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function readSchema(kind: SchemaKind): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'core', 'schemas', `${kind}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/** The committed files that differ from what the generator makes now. */
export function staleFiles(files: readonly GeneratedFile[]): string[] {
  return files.filter((f) => {
    try {
      return readFileSync(join(ROOT, f.path), 'utf8') !== f.content;
    } catch {
      return true;
    }
  }).map((f) => f.path);
}

/** Writes the files, or with `--check` only reports stale ones (exit code 1). */
export async function writeOrCheck(generate: () => Promise<GeneratedFile[]> | GeneratedFile[], command: string): Promise<void> {
  const files = await generate();
  if (process.argv.includes('--check')) {
    const stale = staleFiles(files);
    for (const path of stale) process.stderr.write(`${path} is stale: run \`${command}\`\n`);
    process.exitCode = stale.length > 0 ? 1 : 0;
    return;
  }
  for (const file of files) {
    writeFileSync(join(ROOT, file.path), file.content);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}

export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
