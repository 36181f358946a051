// Request bodies that carry many records: the array at `items` holds one element, a template
// rendered once per record. Batch actions and per-page follow-up requests share this.
import { SwitchboardError } from '../errors';
import { compileTree, type TemplateContext, type TemplateRoot } from '../templates';
import { getPath, parsePath, setPath, type Path } from '../util/path';
import type { CompiledRequest } from './request';

export interface BatchItems {
  readonly items: Path;
  /** Renders the per-record element of the `items` array. */
  readonly item: (ctx: TemplateContext) => unknown;
}

/** Compiles the one-element array at `items` in `body`; SB_DEFINITION_INVALID (naming `where`) when it is not one. */
export function compileBatchItems(body: unknown, items: string, roots: readonly TemplateRoot[], where: string): BatchItems {
  const path = parsePath(items);
  const element = getPath(body, path);
  if (!Array.isArray(element) || element.length !== 1) {
    throw new SwitchboardError('SB_DEFINITION_INVALID', `${where}: "items" "${items}" must name a one-element array in request.body`);
  }
  return { items: path, item: compileTree(element[0], { roots }) };
}

/**
 * The body of `request` with one rendered element per record at `items`. Parts outside `items`
 * are rendered once with `ctx`; rendered trees are fresh objects along every templated path, so
 * setting `items` touches no constant.
 */
export function batchBody(
  request: CompiledRequest,
  batch: BatchItems,
  ctx: TemplateContext,
  records: readonly unknown[],
  /** Changes each rendered element (e.g. adds a push item's trace key). */
  decorate?: (element: unknown, index: number) => unknown,
): Record<string, unknown> {
  const rendered = request.body?.(ctx);
  const root: Record<string, unknown> = rendered !== null && typeof rendered === 'object' && !Array.isArray(rendered) ? (rendered as Record<string, unknown>) : {};
  setPath(root, batch.items, records.map((record, i) => (decorate === undefined ? batch.item({ ...ctx, record }) : decorate(batch.item({ ...ctx, record }), i))));
  return root;
}
