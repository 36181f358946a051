// What the validator reports: one Problem per mistake, with its place in the file.

export interface Problem {
  /** The file as given to the loader (the CLI prints it relative to the working directory). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** JSON pointer of the value concerned (`""` for the whole document). */
  pointer: string;
  /** What is wrong, in plain language. */
  message: string;
  /** How to fix it, when there is more to say (allowed values, the closest name, ...). */
  hint?: string;
}

/** `file:line:col: message (hint)`, the line the CLI prints. */
export function formatProblem(problem: Problem, file: string = problem.file): string {
  return `${file}:${problem.line}:${problem.column}: ${problem.message}${problem.hint === undefined ? '' : ` (${problem.hint})`}`;
}

/** In file order; exact duplicates (same place and message) dropped. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of problems) {
    const key = `${p.file}\u0000${p.pointer}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointer(segment: string | number): string {
  const s = String(segment);
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

export function joinPointer(base: string, ...segments: Array<string | number>): string {
  return base + segments.map((s) => `/${escapePointer(s)}`).join('');
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
