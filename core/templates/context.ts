// The closed template context: the only root names a template may start a path with.

// `request` is an inbound webhook request, seen only by `webhooks.signature.signed_payload`.
export const TEMPLATE_ROOTS = ['config', 'state', 'record', 'last_record', 'response', 'page', 'now', 'request'] as const;
export type TemplateRoot = (typeof TEMPLATE_ROOTS)[number];
export type TemplateContext = Partial<Record<TemplateRoot, unknown>>;

const ROOT_SET: ReadonlySet<string> = new Set(TEMPLATE_ROOTS);

export function isTemplateRoot(name: string): name is TemplateRoot {
  return ROOT_SET.has(name);
}
