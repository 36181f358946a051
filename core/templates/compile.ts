// Turns a parsed Handlebars template into closures, recording every root and helper it uses
// (with positions, for the validator) and every construct outside our closed dialect.
//
// The dialect: paths start with a root name (config, state, record, ...); helpers come from
// the allow-list; blocks are `if`/`unless`; no partials, decorators, data variables (@index),
// parent paths (../), `this`, or prototype properties. Lookups read own properties only.
import { TEMPLATE_ROOTS, isTemplateRoot, type TemplateContext } from './context';
import { parseTemplate, type Program } from './environment';
import { BLOCK_HELPER_NAMES, HELPERS, HELPER_NAMES, lookupOwn, toText, truthy, type Helper, type HelperHash } from './helpers';
import { didYouMean } from './suggest';

export type Evaluator = (ctx: TemplateContext) => unknown;

export interface TemplateUse {
  kind: 'root' | 'helper';
  name: string;
  /** For roots: the whole path, e.g. ['config', 'api_key']. */
  path?: readonly string[];
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface TemplateIssue {
  message: string;
  line: number;
  column: number;
}

export interface Inspection {
  /** Renders the template: the value itself for a single `{{expression}}`, else a string. */
  render: Evaluator;
  /** No expression at all (plain text, comments, escaped `\{{`). */
  constant: boolean;
  uses: TemplateUse[];
  /** Syntax errors and constructs outside the dialect (unknown names are in `uses`). */
  issues: TemplateIssue[];
}

/** Property names that lead to prototypes; a template naming one is refused at load. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

const NO_HASH: HelperHash = Object.freeze({});
const MISSING: Evaluator = () => undefined;

type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;

function position(node: Node): { line: number; column: number } {
  return { line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 };
}

function isPath(node: Expression): node is PathExpression {
  return node.type === 'PathExpression';
}

/** A getter for a path of own properties; short paths get unrolled closures (hot path). */
function pathGetter(root: string, rest: readonly string[]): Evaluator {
  const fromRoot: Evaluator =
    root === 'now'
      ? (ctx) => ctx.now ?? new Date().toISOString()
      : (ctx) => (ctx as Record<string, unknown>)[root];
  if (rest.length === 0) return fromRoot;
  if (rest.length === 1) {
    const a = rest[0]!;
    return (ctx) => lookupOwn(fromRoot(ctx), a);
  }
  if (rest.length === 2) {
    const [a, b] = rest as [string, string];
    return (ctx) => lookupOwn(lookupOwn(fromRoot(ctx), a), b);
  }
  return (ctx) => {
    let value = fromRoot(ctx);
    for (const key of rest) {
      value = lookupOwn(value, key);
      if (value === undefined) return undefined;
    }
    return value;
  };
}

class Walker {
  readonly uses: TemplateUse[] = [];
  readonly issues: TemplateIssue[] = [];

  private issue(node: Node, message: string): Evaluator {
    this.issues.push({ message, ...position(node) });
    return MISSING;
  }

  expression(node: Expression): Evaluator {
    switch (node.type) {
      case 'PathExpression':
        return this.path(node as PathExpression);
      case 'SubExpression': {
        const sub = node as hbs.AST.SubExpression;
        return this.helperCall(sub.path, sub.params, sub.hash, node);
      }
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral': {
        const value = (node as hbs.AST.StringLiteral | hbs.AST.NumberLiteral | hbs.AST.BooleanLiteral).value;
        return () => value;
      }
      case 'NullLiteral':
        return () => null;
      case 'UndefinedLiteral':
        return MISSING;
      default:
        return this.issue(node, `unsupported expression (${node.type})`);
    }
  }

  private path(node: PathExpression): Evaluator {
    if (node.data) return this.issue(node, `data variables such as "@${node.parts.join('.')}" are not available; start with a root name`);
    if (node.depth > 0) return this.issue(node, 'parent paths ("../") are not available; start with a root name');
    const [root, ...rest] = node.parts;
    if (root === undefined) return this.issue(node, '"this" is not available; start with a root name such as config or record');
    const forbidden = node.parts.find((part) => FORBIDDEN_KEYS.has(part));
    if (forbidden !== undefined) return this.issue(node, `"${forbidden}" is not accessible: templates cannot reach prototypes`);
    this.uses.push({ kind: 'root', name: root, path: node.parts, ...position(node) });
    return isTemplateRoot(root) ? pathGetter(root, rest) : MISSING;
  }

  private helperCall(path: Expression, params: Expression[], hash: hbs.AST.Hash | undefined, at: Node): Evaluator {
    if (!isPath(path) || path.data || path.depth > 0 || path.parts.length !== 1) {
      return this.issue(at, 'only helpers take arguments: the first name in "{{...}}" or "(...)" must be a helper');
    }
    const name = path.parts[0]!;
    this.uses.push({ kind: 'helper', name, ...position(path) });
    const args = params.map((p) => this.expression(p));
    const pairs = (hash?.pairs ?? []).map((pair) => [pair.key, this.expression(pair.value)] as const);
    const helper = HELPERS.get(name);
    if (helper === undefined) return MISSING;
    return callHelper(helper, args, pairs);
  }

  mustache(node: hbs.AST.MustacheStatement): Evaluator {
    const path = node.path as Expression;
    if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0) return this.helperCall(path, node.params, node.hash, node);
    if (isPath(path) && !path.data && path.depth === 0 && path.parts.length === 1 && HELPERS.has(path.parts[0]!)) {
      return this.helperCall(path, [], undefined, node); // `{{json}}`: Handlebars calls the helper with no arguments
    }
    if (!isPath(path)) return this.issue(node, 'a literal needs no "{{ }}": write it as plain text');
    return this.path(path);
  }

  private block(node: hbs.AST.BlockStatement): Evaluator {
    const path = node.path as Expression;
    const name = isPath(path) && path.parts.length === 1 ? path.parts[0]! : String((path as hbs.AST.StringLiteral).original);
    if (!BLOCK_HELPER_NAMES.includes(name)) {
      return this.issue(node, `block "{{#${name}}}" is not available; blocks are: ${BLOCK_HELPER_NAMES.map((b) => `{{#${b}}}`).join(', ')}`);
    }
    if (node.params.length !== 1) return this.issue(node, `{{#${name}}} takes exactly one condition`);
    if ((node.program.blockParams?.length ?? 0) > 0) return this.issue(node, `{{#${name}}} takes no block parameters`);
    const condition = this.expression(node.params[0]!);
    const yes = this.text(node.program);
    const no = node.inverse === undefined || node.inverse === null ? () => '' : this.text(node.inverse);
    const negate = name === 'unless';
    return (ctx) => (truthy(condition(ctx)) !== negate ? yes(ctx) : no(ctx));
  }

  /** A program rendered as text: content, expressions written with toText, blocks. */
  text(program: Program): (ctx: TemplateContext) => string {
    const parts: Array<string | Evaluator> = [];
    for (const statement of program.body) {
      let part: string | Evaluator | undefined;
      switch (statement.type) {
        case 'ContentStatement':
          part = (statement as hbs.AST.ContentStatement).value;
          break;
        case 'CommentStatement':
          break;
        case 'MustacheStatement': {
          const value = this.mustache(statement as hbs.AST.MustacheStatement);
          part = (ctx) => toText(value(ctx));
          break;
        }
        case 'BlockStatement':
          part = this.block(statement as hbs.AST.BlockStatement);
          break;
        case 'PartialStatement':
        case 'PartialBlockStatement':
          this.issue(statement, 'partials ("{{> name}}") are not available');
          break;
        default:
          this.issue(statement, `decorators and "${statement.type}" are not available`);
      }
      if (part === undefined) continue;
      const last = parts[parts.length - 1];
      if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
      else parts.push(part);
    }
    return joinParts(parts);
  }
}

function callHelper(helper: Helper, args: Evaluator[], pairs: ReadonlyArray<readonly [string, Evaluator]>): Evaluator {
  if (pairs.length === 0) {
    if (args.length === 1) {
      const [a] = args as [Evaluator];
      return (ctx) => helper([a(ctx)], NO_HASH);
    }
    if (args.length === 2) {
      const [a, b] = args as [Evaluator, Evaluator];
      return (ctx) => helper([a(ctx), b(ctx)], NO_HASH);
    }
  }
  return (ctx) => {
    const hash: Record<string, unknown> = {};
    for (const [key, value] of pairs) hash[key] = value(ctx);
    return helper(
      args.map((a) => a(ctx)),
      pairs.length === 0 ? NO_HASH : hash,
    );
  };
}

function joinParts(parts: ReadonlyArray<string | Evaluator>): (ctx: TemplateContext) => string {
  if (parts.length === 0) return () => '';
  if (parts.length === 1) {
    const only = parts[0]!;
    return typeof only === 'string' ? () => only : (ctx) => only(ctx) as string;
  }
  return (ctx) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : (part(ctx) as string);
    return out;
  };
}

const inspections = new Map<string, Inspection>();
const INSPECTION_CACHE_LIMIT = 20_000;

/**
 * Parses and compiles a template; never throws (problems are in `issues`). Results are
 * cached by source (they are pure): the validator and the engine meet the same templates
 * many times. Callers must not mutate the arrays of the result.
 */
export function inspect(source: string): Inspection {
  let inspection = inspections.get(source);
  if (inspection === undefined) {
    inspection = inspectUncached(source);
    if (inspections.size >= INSPECTION_CACHE_LIMIT) inspections.clear();
    inspections.set(source, inspection);
  }
  return inspection;
}

function inspectUncached(source: string): Inspection {
  const parsed = parseTemplate(source);
  if ('error' in parsed) return { render: () => source, constant: true, uses: [], issues: [parsed.error] };
  const walker = new Walker();
  const { body } = parsed.program;
  let render: Evaluator;
  let constant = false;
  if (body.length === 1 && body[0]!.type === 'MustacheStatement') {
    render = walker.mustache(body[0] as hbs.AST.MustacheStatement);
  } else {
    render = walker.text(parsed.program);
    constant = !body.some((s) => s.type === 'MustacheStatement' || s.type === 'BlockStatement');
    if (constant) {
      const text = (render as (ctx: TemplateContext) => string)({});
      render = () => text;
    }
  }
  return { render, constant, uses: walker.uses, issues: walker.issues };
}

/** The message for a use of an unknown root or helper, with a "did you mean" hint. */
export function unknownUseMessage(use: TemplateUse): string | undefined {
  if (use.kind === 'root') {
    if (isTemplateRoot(use.name)) return undefined;
    if (HELPERS.has(use.name)) return `helper "${use.name}" needs arguments, e.g. {{${use.name} record.field}}`;
    const hint = didYouMean(use.name, TEMPLATE_ROOTS);
    return hint !== '' ? `unknown root "${use.name}"${hint}` : `unknown root "${use.name}": paths start with one of ${TEMPLATE_ROOTS.join(', ')}`;
  }
  if (HELPERS.has(use.name)) return undefined;
  if (BLOCK_HELPER_NAMES.includes(use.name)) return `"${use.name}" is a block: write {{#${use.name} condition}}...{{/${use.name}}}`;
  return `unknown helper "${use.name}"${didYouMean(use.name, HELPER_NAMES)}`;
}
