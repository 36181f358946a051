// The template API: compile strings and JSON trees once, render them per request or record.
import { SwitchboardError, errorMessage, isSwitchboardError } from '../errors';
import { inspect, unknownUseMessage, type Evaluator, type TemplateIssue, type TemplateUse } from './compile';
import { TEMPLATE_ROOTS, type TemplateContext, type TemplateRoot } from './context';
import { deepFreeze } from './freeze';

export { TEMPLATE_ROOTS, isTemplateRoot, type TemplateContext, type TemplateRoot } from './context';
export { HELPER_NAMES, TRANSFORM_ARGUMENT_NAMES, TRANSFORM_NAMES, applyTransform, compileTransforms, type TransformStep } from './helpers';
export type { TemplateIssue, TemplateUse } from './compile';
export { splitAtRequestBody } from './request-body';

export interface CompiledTemplate {
  (ctx: TemplateContext): unknown;
  readonly source: string;
  readonly roots: ReadonlySet<string>;
  readonly constant: boolean;
}

export interface TemplateOptions {
  /** The roots a template may use where it stands (default: all). */
  roots?: readonly TemplateRoot[];
}

const NO_ROOTS: ReadonlySet<string> = new Set();
const CACHE_LIMIT = 10_000;
const cache = new Map<string, CompiledTemplate>();

function makeTemplate(render: Evaluator, source: string, roots: ReadonlySet<string>, constant: boolean): CompiledTemplate {
  return Object.freeze(Object.assign(render, { source, roots, constant }));
}

function shorten(source: string): string {
  return source.length > 80 ? `${source.slice(0, 77)}...` : source;
}

/**
 * Everything wrong with a template where it stands, each with its 1-based line and column in
 * the template: syntax errors, constructs outside the dialect, unknown roots and helpers, and
 * roots not available at that place. Never throws; the validator reports these as problems.
 */
export function checkTemplate(source: string, roots: readonly TemplateRoot[] = TEMPLATE_ROOTS): TemplateIssue[] {
  if (!source.includes('{{')) return [];
  return issuesOf(inspect(source), roots);
}

function issuesOf(inspection: ReturnType<typeof inspect>, roots: readonly TemplateRoot[]): TemplateIssue[] {
  const issues = [...inspection.issues];
  for (const use of inspection.uses) {
    const unknown = unknownUseMessage(use);
    if (unknown !== undefined) issues.push({ message: unknown, line: use.line, column: use.column });
    else if (use.kind === 'root' && !(roots as readonly string[]).includes(use.name)) {
      issues.push({ message: `root "${use.name}" is not available here; this template may use: ${roots.join(', ')}`, line: use.line, column: use.column });
    }
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Throws SwitchboardError('SB_TEMPLATE_INVALID') naming the unknown root/helper or the syntax error (with line/column inside the template). `roots` restricts which roots are allowed (default: all). */
export function compileTemplate(source: string, options: TemplateOptions = {}): CompiledTemplate {
  if (typeof source !== 'string') throw new SwitchboardError('SB_TEMPLATE_INVALID', `a template must be a string, got ${typeof source}`);
  const roots = options.roots ?? TEMPLATE_ROOTS;
  const key = roots === TEMPLATE_ROOTS ? source : `${roots.join(',')}\u0000${source}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let compiled: CompiledTemplate;
  if (!source.includes('{{')) {
    compiled = makeTemplate(() => source, source, NO_ROOTS, true);
  } else {
    const inspection = inspect(source);
    const issues = issuesOf(inspection, roots);
    const first = issues[0];
    if (first !== undefined) {
      throw new SwitchboardError('SB_TEMPLATE_INVALID', `${first.message} (line ${first.line}, column ${first.column} of template "${shorten(source)}")`, {
        details: { template: source, line: first.line, column: first.column, issues },
      });
    }
    const used = new Set(inspection.uses.filter((u) => u.kind === 'root').map((u) => u.name));
    const render = inspection.render;
    const safe: Evaluator = inspection.constant
      ? render
      : (ctx) => {
          try {
            return render(ctx);
          } catch (err) {
            throw renderFailure(err, source);
          }
        };
    compiled = makeTemplate(safe, source, used, inspection.constant);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

function renderFailure(err: unknown, source: string): SwitchboardError {
  const details = { ...(isSwitchboardError(err) ? err.details : {}), template: source };
  return new SwitchboardError('SB_TEMPLATE_RENDER_FAILED', `${errorMessage(err)} (in template "${shorten(source)}")`, { details, cause: err });
}

/** For the validator: roots and helpers a template uses, or its syntax error. Never throws. */
export function analyzeTemplate(source: string): {
  roots: string[];
  helpers: string[];
  /** Every use of a root or helper with its 1-based position in the template. */
  uses: TemplateUse[];
  error?: { message: string; line: number; column: number };
} {
  const inspection = inspect(String(source));
  const names = (kind: TemplateUse['kind']): string[] => [...new Set(inspection.uses.filter((u) => u.kind === kind).map((u) => u.name))];
  const first = inspection.issues[0];
  return {
    roots: names('root'),
    helpers: names('helper'),
    uses: inspection.uses.map((use) => ({ ...use })),
    ...(first === undefined ? {} : { error: { ...first } }),
  };
}

type TreeNode = { constant: true; value: unknown } | { constant: false; build: (ctx: TemplateContext) => unknown };

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // A JSON key "__proto__" is data: define it rather than assign (which would set the prototype).
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function freezeConstants(nodes: readonly TreeNode[]): void {
  for (const n of nodes) if (n.constant) deepFreeze(n.value);
}

function compileNode(value: unknown, options: TemplateOptions, pointer: string): TreeNode {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return { constant: true, value };
    let template: CompiledTemplate;
    try {
      template = compileTemplate(value, options);
    } catch (err) {
      if (!isSwitchboardError(err)) throw err;
      throw new SwitchboardError(err.code, `${err.message} at ${pointer || '/'}`, { details: { ...err.details, pointer }, cause: err });
    }
    return template.constant ? { constant: true, value: template({}) } : { constant: false, build: template };
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileNode(item, options, `${pointer}/${i}`));
    if (items.every((n) => n.constant)) return { constant: true, value: items.map((n) => (n as { value: unknown }).value) };
    freezeConstants(items);
    return {
      constant: false,
      build: (ctx) => items.map((n) => (n.constant ? n.value : n.build(ctx))),
    };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, child]) => [key, compileNode(child, options, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)] as const);
    if (entries.every(([, n]) => n.constant)) {
      const out: Record<string, unknown> = {};
      for (const [key, n] of entries) setOwn(out, key, (n as { value: unknown }).value);
      return { constant: true, value: out };
    }
    freezeConstants(entries.map(([, n]) => n));
    return {
      constant: false,
      build: (ctx) => {
        const out: Record<string, unknown> = {};
        for (const [key, n] of entries) setOwn(out, key, n.constant ? n.value : n.build(ctx));
        return out;
      },
    };
  }
  return { constant: true, value };
}

/** Compiles every string inside a JSON value (objects, arrays) as a template; returns a function building a fresh value per call. Trees without templates return the same frozen constant cheaply. Constant parts inside a templated tree are shared, frozen. */
export function compileTree(value: unknown, options: TemplateOptions = {}): (ctx: TemplateContext) => unknown {
  const node = compileNode(value, options, '');
  if (node.constant) {
    const frozen = deepFreeze(node.value);
    return () => frozen;
  }
  return node.build;
}
