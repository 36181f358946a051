// Sample records for the mock HubSpot: plain contacts (tests), and a connected account of
// companies, contacts working for them, deals associated with both, and engagements.
import { amount, company, dealName, person, pick } from './fake';
import type { HubSpotRecord } from './hubspot-view';

/** `n` HubSpot contacts with ids from 1, modified one second apart from `since`. */
export function hubspotContacts(n: number, since = Date.UTC(2024, 0, 1)): HubSpotRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(since + i * 1000).toISOString();
    const id = String(i + 1);
    return {
      id,
      properties: { email: `contact${id}@example.com`, firstname: `First${id}`, lastname: `Last${id}`, lastmodifieddate: at, hs_object_id: id },
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
  });
}

function record(id: string, at: string, modified: 'lastmodifieddate' | 'hs_lastmodifieddate', properties: Record<string, string | null>): HubSpotRecord {
  return { id, properties: { ...properties, hs_object_id: id, createdate: at, [modified]: at }, createdAt: at, updatedAt: at, archived: false };
}

/** `n` companies with ids from 1001, modified one second apart from `since`. */
export function hubspotCompanies(n: number, since = Date.UTC(2024, 0, 1)): HubSpotRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const c = company(i);
    const at = new Date(since + i * 1000).toISOString();
    return record(String(1001 + i), at, 'hs_lastmodifieddate', {
      name: c.name,
      domain: c.domain,
      industry: c.industry,
      phone: c.phone,
      website: `https://www.${c.domain}`,
      city: c.city,
      address: `${1 + pick(i, 400, 8)} Main Street`,
      numberofemployees: String(10 + pick(i, 5000, 9)),
    });
  });
}

const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'];
const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'];

/**
 * People working for `companies` (round robin), ids from 1, with the company in
 * `associatedcompanyid` (HubSpot's primary company property) and as an association.
 */
export function hubspotPeople(n: number, companies: readonly HubSpotRecord[], since = Date.UTC(2024, 0, 1)): HubSpotRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const p = person(i + 1);
    const employer = companies.length === 0 ? undefined : companies[i % companies.length]!;
    const at = new Date(since + i * 1000).toISOString();
    const r = record(String(i + 1), at, 'lastmodifieddate', {
      email: p.email,
      firstname: p.first,
      lastname: p.last,
      phone: p.phone,
      jobtitle: p.title,
      lifecyclestage: LIFECYCLE[pick(i, LIFECYCLE.length, 10)]!,
      hubspot_owner_id: String(70 + pick(i, 5, 11)),
      associatedcompanyid: employer?.id ?? null,
      hubspotscore: String(pick(i, 100, 12)),
    });
    if (employer !== undefined) r.associations = { companies: [employer.id] };
    return r;
  });
}

/** Deals with ids from 5001, each associated with one contact and that contact's company (named after it when `companies` are given). */
export function hubspotDeals(n: number, contacts: readonly HubSpotRecord[], since = Date.UTC(2024, 0, 1), companies: readonly HubSpotRecord[] = []): HubSpotRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const contact = contacts[pick(i, Math.max(1, contacts.length), 13)];
    const companyId = contact?.properties['associatedcompanyid'] ?? undefined;
    const companyName = companies.find((c) => c.id === companyId)?.properties['name'];
    const at = new Date(since + i * 1000).toISOString();
    const close = new Date(since + (30 + pick(i, 180, 14)) * 86_400_000).toISOString();
    const r = record(String(5001 + i), at, 'hs_lastmodifieddate', {
      dealname: dealName(i, companyName ?? `Deal ${5001 + i}`),
      amount: String(amount(i)),
      deal_currency_code: 'USD',
      dealstage: STAGES[pick(i, STAGES.length, 15)]!,
      pipeline: 'default',
      closedate: close,
      hubspot_owner_id: String(70 + pick(i, 5, 16)),
    });
    const associations: Record<string, string[]> = {};
    if (contact !== undefined) associations['contacts'] = [contact.id];
    if (companyId !== undefined && companyId !== null) associations['companies'] = [companyId];
    r.associations = associations;
    return r;
  });
}

/** What each engagement object calls its subject and body, and how its direction is told. */
const ENGAGEMENT_FIELDS: Record<string, (i: number) => Record<string, string>> = {
  calls: (i) => ({ hs_call_title: `Call ${i}`, hs_call_body: `Talked about the renewal (${i})`, hs_call_direction: i % 2 === 0 ? 'OUTBOUND' : 'INBOUND', hs_call_duration: String(60_000 + i * 1000) }),
  emails: (i) => ({ hs_email_subject: `Re: proposal ${i}`, hs_email_text: `Thanks for the call (${i})`, hs_email_direction: i % 2 === 0 ? 'EMAIL' : 'INCOMING_EMAIL' }),
  meetings: (i) => ({ hs_meeting_title: `Demo ${i}`, hs_meeting_body: `Product demo (${i})`, hs_meeting_outcome: 'COMPLETED' }),
  notes: (i) => ({ hs_note_body: `Met at the conference (${i})` }),
  tasks: (i) => ({ hs_task_subject: `Follow up ${i}`, hs_task_body: `Send the quote (${i})`, hs_task_status: 'NOT_STARTED', hs_task_priority: 'MEDIUM' }),
};

/** `n` engagements of `type` (calls, emails, meetings, notes, tasks) with ids from `firstId`, associated with a deal, its contact and its company. */
export function hubspotEngagements(type: string, n: number, deals: readonly HubSpotRecord[], firstId: number, since = Date.UTC(2024, 0, 1)): HubSpotRecord[] {
  const fields = ENGAGEMENT_FIELDS[type];
  if (fields === undefined) throw new Error(`unknown engagement type ${type}`);
  return Array.from({ length: n }, (_, i) => {
    const deal = deals[pick(i, Math.max(1, deals.length), 17)];
    const at = new Date(since + i * 1000).toISOString();
    const r = record(String(firstId + i), at, 'hs_lastmodifieddate', { hs_timestamp: at, hubspot_owner_id: String(70 + pick(i, 5, 18)), ...fields(firstId + i) });
    if (deal !== undefined) r.associations = { deals: [deal.id], contacts: deal.associations?.['contacts'] ?? [], companies: deal.associations?.['companies'] ?? [] };
    return r;
  });
}
