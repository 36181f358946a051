// Which template roots each place of a definition may use (FORMAT.md, "Templates"): the
// engine compiles each place with its list, and the validator checks it with the same one.
import type { TemplateRoot } from './context';

/**
 * Roots by place (FORMAT.md, "Templates"); the engine compiles each place with the same list.
 * `now` is the clock, not data: it is allowed wherever a request is built.
 */
export const TEMPLATE_PLACES = {
  /** Parts of every request, streams and actions alike: base_url, headers; and webhooks. */
  shared: ['config'],
  auth: ['config', 'now'],
  check: ['config', 'now'],
  stream: ['config', 'state', 'page', 'last_record', 'response', 'now'],
  /** A child stream's requests also see its parent records. */
  childStream: ['config', 'state', 'page', 'last_record', 'response', 'now', 'parent', 'parents'],
  start: ['config', 'now'],
  action: ['record', 'config', 'now'],
  /** Follow-up requests: once per page (`records`), or per record of the page (`record`). */
  enrichPage: ['records', 'config', 'now', 'parent', 'parents'],
  enrichRecord: ['record', 'config', 'now', 'parent', 'parents'],
  mapping: ['record', 'config', 'now'],
  /** `webhooks.signature.signed_payload`: the inbound request, nothing else (no secrets, no clock). */
  webhook: ['request'],
  /** A bulk job's creation (`bulk.create`), and the requests that follow it (`poll`, `download`, `delete`), which see the job. */
  bulkCreate: ['config', 'state', 'now'],
  bulkJob: ['config', 'state', 'now', 'job'],
  /** Mapping templates of a child stream's records also see its parent records. */
  childMapping: ['record', 'config', 'now', 'parent', 'parents'],
} as const satisfies Record<string, readonly TemplateRoot[]>;
