// The private Handlebars environment: the parser every template goes through, and a reference
// renderer (allow-listed helpers, knownHelpersOnly, noEscape) that our compiled templates match.
//
// Why templates do not render through Handlebars' runtime: every call of a compiled Handlebars
// template re-wraps each registered helper (runtime `_setup`), about 3.5 µs per render with
// our ~30 helpers against well under 0.1 µs for the closures compile.ts builds from the same
// AST. Templates run per request and per record, so the AST is compiled to closures; a test
// renders a corpus both ways and requires the same output.
import Handlebars from 'handlebars';
import { BLOCK_HELPER_NAMES, HELPERS, type HelperHash } from './helpers';

const env = Handlebars.create();

// Only the allow-list: drop the built-ins that change the context or write logs.
for (const name of ['each', 'with', 'log']) env.unregisterHelper(name);
for (const [name, helper] of HELPERS) {
  env.registerHelper(name, function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as { hash?: HelperHash };
    return helper(args, options.hash ?? {});
  });
}

const KNOWN_HELPERS: Record<string, boolean> = { each: false, with: false, log: false };
for (const name of [...HELPERS.keys(), ...BLOCK_HELPER_NAMES]) KNOWN_HELPERS[name] = true;

export const COMPILE_OPTIONS = Object.freeze({
  knownHelpersOnly: true,
  knownHelpers: KNOWN_HELPERS,
  noEscape: true,
  strict: false,
  data: false,
});

export type Program = hbs.AST.Program;

export interface SyntaxProblem {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** Token names of the Handlebars grammar, in the words an admin would use. */
const TOKEN_WORDS: Record<string, string> = {
  EOF: 'end of template',
  CLOSE: '"}}"',
  CLOSE_UNESCAPED: '"}}}"',
  CLOSE_SEXPR: '")"',
  OPEN_SEXPR: '"("',
  OPEN: '"{{"',
  EQUALS: '"="',
  SEP: '"."',
  ID: 'name',
  STRING: 'string',
  NUMBER: 'number',
  OPEN_ENDBLOCK: '"{{/"',
  OPEN_BLOCK: '"{{#"',
  INVERSE: '"{{else}}"',
};

interface LexerState {
  yylloc?: { first_line: number; first_column: number };
}

const SIMPLE_ID = '[A-Za-z_$][A-Za-z0-9_$]*';
// Sticky: each match must start where the previous one ended, so the tokens cover the whole
// template (a single linear pass; no nested quantifiers to backtrack through).
const SIMPLE_PART = new RegExp(`[^{}\\\\]+|\\{\\{(\\s*)(${SIMPLE_ID}(?:\\.(?:${SIMPLE_ID}|\\d+))*)\\s*\\}\\}`, 'y');
const KEYWORDS = new Set(['else', 'this', 'true', 'false', 'null', 'undefined']);

/**
 * The AST of the most common templates (text and `{{root.path}}` expressions only), built
 * without the Handlebars parser, which costs some 80 µs a template: loading hundreds of
 * definitions meets thousands of these. Anything else (helpers, blocks, escapes, `~`,
 * keywords) returns undefined and goes through Handlebars. The nodes are those Handlebars
 * would build, as far as compile.ts reads them.
 */
function parseSimple(source: string): Program | undefined {
  const body: hbs.AST.Statement[] = [];
  let line = 1;
  let lineStart = 0;
  const at = (offset: number): hbs.AST.SourceLocation => {
    const position = { line, column: offset - lineStart };
    return { source: '', start: position, end: position };
  };
  SIMPLE_PART.lastIndex = 0;
  while (SIMPLE_PART.lastIndex < source.length) {
    const match = SIMPLE_PART.exec(source);
    if (match === null) return undefined;
    const offset = match.index;
    const path = match[2];
    if (path === undefined) {
      body.push({ type: 'ContentStatement', value: match[0], original: match[0], loc: at(offset) } as unknown as hbs.AST.ContentStatement);
      for (let i = match[0].indexOf('\n'); i >= 0; i = match[0].indexOf('\n', i + 1)) {
        line++;
        lineStart = offset + i + 1;
      }
      continue;
    }
    const parts = path.split('.');
    if (parts.some((p) => KEYWORDS.has(p)) || match[1]!.includes('\n')) return undefined;
    const pathLoc = at(offset + 2 + match[1]!.length);
    const expression = { type: 'PathExpression', data: false, depth: 0, parts, original: path, loc: pathLoc } as hbs.AST.PathExpression;
    body.push({ type: 'MustacheStatement', path: expression, params: [], hash: undefined, escaped: true, loc: at(offset) } as unknown as hbs.AST.MustacheStatement);
  }
  return { type: 'Program', body, blockParams: [], strip: {}, loc: at(0) } as unknown as Program;
}

/** Parses a template; a syntax error comes back with its 1-based line and column. */
export function parseTemplate(source: string): { program: Program } | { error: SyntaxProblem } {
  const simple = parseSimple(source);
  if (simple !== undefined) return { program: simple };
  try {
    return { program: env.parse(source) };
  } catch (err) {
    const e = err as Error & { lineNumber?: number; column?: number };
    if (typeof e.lineNumber === 'number' && typeof e.column === 'number') {
      // Handlebars' own checks ("if doesn't match iff - 2:5") carry a position.
      return { error: { message: e.message.replace(/ - \d+:\d+$/, ''), line: e.lineNumber, column: e.column + 1 } };
    }
    // Parser errors only carry the position in the lexer's state, read right after the throw.
    const lexer = (env as unknown as { Parser?: { lexer?: LexerState } }).Parser?.lexer;
    const loc = lexer?.yylloc;
    let line = loc?.first_line ?? 1;
    let column = (loc?.first_column ?? 0) + 1;
    const got = /got '(\w+)'/.exec(e.message)?.[1];
    let message: string;
    if (got === 'EOF' && e.message.includes("'OPEN_ENDBLOCK'")) {
      message = 'a "{{#...}}" block is not closed with "{{/...}}"';
    } else if (got === 'EOF' || (got === 'INVALID' && !source.slice(offsetOf(source, line, column)).includes('}}'))) {
      message = '"{{" is not closed with "}}"';
      // Point at the "{{" left open, not where the parser gave up.
      const open = source.lastIndexOf('{{', offsetOf(source, line, column));
      if (open >= 0) ({ line, column } = lineColumnOf(source, open));
    } else if (got === 'INVALID') {
      message = `unexpected character "${source.charAt(offsetOf(source, line, column))}"`;
    } else if (got !== undefined) {
      message = `unexpected ${TOKEN_WORDS[got] ?? got}${/Expecting [^\n]*'ID'/.test(e.message) ? ', expected a name or a value' : ''}`;
    } else {
      message = e.message.split('\n')[0] ?? 'invalid template';
    }
    return { error: { message: `template syntax error: ${message}`, line, column } };
  }
}

/** The 1-based line and column of an offset in a text. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** The offset of a 1-based line and column in a text. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return offset + column - 1;
}

/** Renders with Handlebars itself: the reference our compiled templates are tested against. */
export function renderWithHandlebars(source: string, context: object): string {
  return env.compile(source, COMPILE_OPTIONS)(context);
}
