// The closed template context: the only root names a template may start a path with.

/**
 * `parent` and `parents` exist in child streams (the parent record; every ancestor record by
 * stream name), `records` in follow-up requests made once per page (the page's records), and
 * `request` (an inbound webhook request) only in `webhooks.signature.signed_payload`, `job`
 * (a bulk job, as the API last described it) in the requests that follow a bulk job's creation.
 */
export const TEMPLATE_ROOTS = ['config', 'state', 'record', 'last_record', 'response', 'page', 'now', 'parent', 'parents', 'records', 'request', 'job'] as const;
export type TemplateRoot = (typeof TEMPLATE_ROOTS)[number];
export type TemplateContext = Partial<Record<TemplateRoot, unknown>>;

const ROOT_SET: ReadonlySet<string> = new Set(TEMPLATE_ROOTS);

export function isTemplateRoot(name: string): name is TemplateRoot {
  return ROOT_SET.has(name);
}
