// Mock HubSpot CRM Associations v4 batch read, as HubSpot's published OpenAPI definition
// (CRM Associations v4, `POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read`)
// describes it: `{ inputs: [{ id }] }` in, `{ status, results: [{ from: { id }, to: [{ toObjectId,
// associationTypes: [{ category, typeId, label }] }] }], startedAt, completedAt }` out; ids
// without associations come back in `errors` with a 207 (multiple statuses), as HubSpot does.
import { jsonBody, isoNow, type LoggedRequest, type MockResponse } from './server';
import type { HubSpotRecord } from './hubspot-view';

/** HubSpot's batch limit for association reads. */
const BATCH_MAX = 1000;

/** HubSpot-defined association type ids used by the mock: deal to contact, deal to company (primary and unlabeled). */
export const ASSOCIATION_TYPES = { dealToContact: 3, dealToCompanyPrimary: 5, dealToCompany: 341 } as const;

function typesFor(from: string, to: string, index: number): Array<{ category: string; typeId: number; label: string | null }> {
  if (from === 'deals' && to === 'companies') {
    // The first company of a deal is its primary one: two types on one association.
    return index === 0
      ? [{ category: 'HUBSPOT_DEFINED', typeId: ASSOCIATION_TYPES.dealToCompanyPrimary, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: ASSOCIATION_TYPES.dealToCompany, label: null }]
      : [{ category: 'HUBSPOT_DEFINED', typeId: ASSOCIATION_TYPES.dealToCompany, label: null }];
  }
  return [{ category: 'HUBSPOT_DEFINED', typeId: from === 'deals' && to === 'contacts' ? ASSOCIATION_TYPES.dealToContact : 1, label: null }];
}

/** Answers a batch read of `from` -> `to` associations over the mock's records. */
export function associationsBatchRead(records: readonly HubSpotRecord[] | undefined, from: string, to: string, req: LoggedRequest): MockResponse {
  const started = isoNow();
  const body = jsonBody(req) as { inputs?: Array<{ id?: unknown }> } | undefined;
  const inputs = body?.inputs;
  if (!Array.isArray(inputs) || inputs.some((i) => typeof i?.id !== 'string')) {
    return { status: 400, body: { status: 'error', message: 'Invalid input JSON on line 1: inputs[].id must be a string', correlationId: '00000000-0000-0000-0000-000000000000', category: 'VALIDATION_ERROR' } };
  }
  if (inputs.length > BATCH_MAX) {
    return { status: 400, body: { status: 'error', message: `Batch input size ${inputs.length} exceeds the limit of ${BATCH_MAX}`, correlationId: '00000000-0000-0000-0000-000000000000', category: 'VALIDATION_ERROR' } };
  }
  const byId = new Map((records ?? []).map((r) => [r.id, r] as const));
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const { id } of inputs as Array<{ id: string }>) {
    const ids = byId.get(id)?.associations?.[to] ?? [];
    if (ids.length === 0) {
      errors.push({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${to} is associated with ${from.replace(/s$/, '')} ${id}.`,
        context: { fromObjectId: [id], toObjectType: [to] },
        errors: [],
        links: {},
      });
      continue;
    }
    // The first id the mock holds is the primary one; HubSpot does not order associations by
    // kind, so they come sorted by id (a reader must pick the primary by its type, not by position).
    const linked = ids.map((toId, i) => ({ toObjectId: Number(toId), associationTypes: typesFor(from, to, i) })).sort((a, b) => a.toObjectId - b.toObjectId);
    results.push({ from: { id }, to: linked });
  }
  const answer = { status: 'COMPLETE', results, startedAt: started, completedAt: isoNow() };
  return errors.length === 0 ? { body: answer } : { status: 207, body: { ...answer, numErrors: errors.length, errors } };
}
