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

/** Parses a template; a syntax error comes back with its 1-based line and column. */
export function parseTemplate(source: string): { program: Program } | { error: SyntaxProblem } {
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
