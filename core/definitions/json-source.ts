// A definition file parsed with positions: syntax errors in plain words, and JSON pointers
// mapped back to the line and column of the key or value they name.
import { parseTree, type Node, type ParseError, ParseErrorCode } from 'jsonc-parser';
import { MAX_JSON_DEPTH, deeperThan } from '../util/json-depth';
import { joinPointer, splitPointer, type Problem } from './problems';

export interface SourceDocument {
  readonly file: string;
  readonly text: string;
  /** The syntax tree with offsets, built on first use (only files with problems need it). */
  readonly root: Node;
  /** The parsed value. */
  readonly value: unknown;
  readonly lineStarts: readonly number[];
}

class Document implements SourceDocument {
  private tree: Node | undefined;
  private starts: number[] | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
  ) {}

  get root(): Node {
    this.tree ??= parseTree(this.text, [], PARSE_OPTIONS)!;
    return this.tree;
  }

  get lineStarts(): readonly number[] {
    this.starts ??= lineStartsOf(this.text);
    return this.starts;
  }
}

const PARSE_OPTIONS = { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false };

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset. */
export function positionOf(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

const SYNTAX_MESSAGES: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: 'invalid value: strings need double quotes; the literals are true, false and null',
  [ParseErrorCode.InvalidNumberFormat]: 'invalid number',
  [ParseErrorCode.PropertyNameExpected]: 'expected a property name in double quotes',
  [ParseErrorCode.ValueExpected]: 'expected a value',
  [ParseErrorCode.ColonExpected]: 'expected ":" after the property name',
  [ParseErrorCode.CommaExpected]: 'missing comma between values',
  [ParseErrorCode.CloseBraceExpected]: 'missing "}": the object is not closed',
  [ParseErrorCode.CloseBracketExpected]: 'missing "]": the array is not closed',
  [ParseErrorCode.EndOfFileExpected]: 'unexpected text after the end of the JSON value',
  [ParseErrorCode.InvalidCommentToken]: 'comments are not allowed in JSON',
  [ParseErrorCode.UnexpectedEndOfComment]: 'comments are not allowed in JSON',
  [ParseErrorCode.UnexpectedEndOfString]: 'the string is not closed (write a line break inside a string as \\n)',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'the number is not complete',
  [ParseErrorCode.InvalidUnicode]: 'invalid \\u escape in string',
  [ParseErrorCode.InvalidEscapeCharacter]: 'invalid escape in string (use \\\\ for a backslash)',
  [ParseErrorCode.InvalidCharacter]: 'invalid character in string (control characters must be escaped)',
};

/** Plain-language message and offset of a parser error; a trailing comma is named as such. */
function describeSyntaxError(text: string, error: ParseError): { message: string; offset: number } {
  if (error.error === ParseErrorCode.PropertyNameExpected || error.error === ParseErrorCode.ValueExpected) {
    let i = error.offset - 1;
    while (i >= 0 && /\s/.test(text[i]!)) i--;
    const next = text[error.offset];
    if (text[i] === ',' && (next === '}' || next === ']')) {
      return { message: `trailing comma: JSON allows no comma before "${next}"`, offset: i };
    }
  }
  return { message: SYNTAX_MESSAGES[error.error] ?? 'invalid JSON', offset: error.offset };
}

/**
 * Parses a file. JSON.parse does the work for well-formed files; jsonc-parser, slower, runs
 * only to explain a syntax error or to place problems. Only the first syntax error is
 * reported: the parser's recovery makes the following ones mostly echoes of it.
 */
export function parseSource(file: string, text: string): { doc?: SourceDocument; problems: Problem[] } {
  if (text.trim() === '') return { problems: [{ file, line: 1, column: 1, pointer: '', message: 'the file is empty: expected a JSON object' }] };
  // Before anything recursive (the position parser, the checks) meets the nesting.
  const deep = deeperThan(text, MAX_JSON_DEPTH);
  if (deep >= 0) {
    return {
      problems: [{ file, ...positionOf(lineStartsOf(text), deep), pointer: '', message: `arrays and objects nest more than ${MAX_JSON_DEPTH} levels deep here: no definition needs that many, so the file is not read further` }],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    parseTree(text, errors, PARSE_OPTIONS);
    const first = errors[0];
    const { message, offset } = first === undefined ? { message: 'invalid JSON', offset: 0 } : describeSyntaxError(text, first);
    return { problems: [{ file, ...positionOf(lineStartsOf(text), offset), pointer: '', message: `JSON syntax error: ${message}` }] };
  }
  const doc = new Document(file, text, value);
  // Fewer keys in the value than written in the text means a key was repeated, which only
  // the tree can place.
  return { doc, problems: keysIn(value) < keysWritten(text) ? duplicateKeys(doc) : [] };
}

function keysIn(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = Array.isArray(value) ? 0 : Object.keys(value).length;
  for (const child of Object.values(value)) count += keysIn(child);
  return count;
}

/** Property names in a well-formed JSON text: strings followed by a colon. */
function keysWritten(text: string): number {
  let count = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
    do i++;
    while (i < text.length && (text.charCodeAt(i) !== 34 || text.charCodeAt(i - 1) === 92 && !evenBackslashesBefore(text, i)));
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13 || text.charCodeAt(j) === 9)) j++;
    if (text.charCodeAt(j) === 58) count++;
  }
  return count;
}

/** Whether the quote at `i` is preceded by an even number of backslashes (so not escaped). */
function evenBackslashesBefore(text: string, i: number): boolean {
  let n = 0;
  while (text.charCodeAt(i - 1 - n) === 92) n++;
  return n % 2 === 0;
}

/** JSON.parse keeps the last of two equal keys silently; admins should hear about it. */
function duplicateKeys(doc: SourceDocument): Problem[] {
  const problems: Problem[] = [];
  const walk = (node: Node, pointer: string): void => {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        if (key === undefined) continue;
        const name = String(key.value);
        const at = joinPointer(pointer, name);
        if (seen.has(name)) problems.push({ file: doc.file, ...positionOf(doc.lineStarts, key.offset), pointer: at, message: `duplicate property "${name}": only the last one would count` });
        seen.add(name);
        if (value !== undefined) walk(value, at);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, i) => walk(child, joinPointer(pointer, i)));
    }
  };
  walk(doc.root, '');
  return problems;
}

/** The node at a pointer, or its nearest existing ancestor (with how far it got). */
export function nodeAt(doc: SourceDocument, pointer: string): { node: Node; exact: boolean } {
  let node = doc.root;
  for (const segment of splitPointer(pointer)) {
    let next: Node | undefined;
    if (node.type === 'object') {
      next = node.children?.find((p) => p.children?.[0]?.value === segment)?.children?.[1];
    } else if (node.type === 'array' && /^\d+$/.test(segment)) {
      next = node.children?.[Number(segment)];
    }
    if (next === undefined) return { node, exact: false };
    node = next;
  }
  return { node, exact: true };
}

export type Anchor = 'value' | 'key';

/**
 * Where a problem about `pointer` is shown: the value itself, or (`key`) the property name
 * that holds it, which is where an admin looks for a missing or misspelled property.
 */
export function locate(doc: SourceDocument, pointer: string, anchor: Anchor = 'value'): { line: number; column: number } {
  const { node, exact } = nodeAt(doc, pointer);
  const property = node.parent?.type === 'property' ? node.parent : undefined;
  const keyNode = property?.children?.[0];
  const offset = (anchor === 'key' || !exact) && keyNode !== undefined ? keyNode.offset : node.offset;
  return positionOf(doc.lineStarts, offset);
}

export function problemAt(doc: SourceDocument, pointer: string, message: string, options: { hint?: string | undefined; anchor?: Anchor } = {}): Problem {
  return {
    file: doc.file,
    ...locate(doc, pointer, options.anchor),
    pointer,
    message,
    ...(options.hint === undefined ? {} : { hint: options.hint }),
  };
}

/**
 * The file position of a 1-based line and column inside the string value at `pointer` (a
 * template): walks the raw JSON text so escapes (\n, \", \u00e9) keep the column exact.
 */
export function positionInString(doc: SourceDocument, pointer: string, line: number, column: number): { line: number; column: number } {
  const { node, exact } = nodeAt(doc, pointer);
  if (!exact || node.type !== 'string') return locate(doc, pointer);
  const value = String(node.value);
  let target = 0;
  for (let l = 1; l < line; l++) {
    const next = value.indexOf('\n', target);
    if (next < 0) break;
    target = next + 1;
  }
  target += column - 1;
  let raw = node.offset + 1; // after the opening quote
  for (let decoded = 0; decoded < target && raw < node.offset + node.length - 1; decoded++) {
    raw += doc.text[raw] !== '\\' ? 1 : doc.text[raw + 1] === 'u' ? 6 : 2;
  }
  return positionOf(doc.lineStarts, raw);
}
