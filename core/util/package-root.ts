// Where the Switchboard package is installed: the folder holding its package.json, found the
// same way from source (ts-jest, tsx) and from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'switchboard') return (root = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the switchboard package root');
    dir = parent;
  }
}

let version: string | undefined;

/** The package's version (read once). */
export function packageVersion(): string {
  return (version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version);
}
