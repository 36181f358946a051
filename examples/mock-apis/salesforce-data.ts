// Sample records for the mock Salesforce: contacts alone (tests), or a connected org of
// accounts, their contacts, opportunities, tasks and events, as the REST API sends them.
import { amount, company, person, pick } from './fake';

export interface SalesforceRecord {
  attributes: { type: string; url: string };
  Id: string;
  [field: string]: unknown;
}

/** Salesforce's dateTime format in API answers: `2024-01-01T00:00:00.000+0000`. */
export function sfTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** An 18-character-looking id with the object's key prefix (003 Contact, 001 Account, 006 Opportunity, 00T Task, 00U Event). */
export function sfId(prefix: string, n: number): string {
  return `${prefix}D${String(n).padStart(11, '0')}`;
}

export function sfRecord(type: string, id: string, fields: Record<string, unknown>): SalesforceRecord {
  return { attributes: { type, url: `/services/data/v60.0/sobjects/${type}/${id}` }, Id: id, IsDeleted: false, ...fields };
}

/** `n` Salesforce contacts, modified one second apart from `since`. */
export function salesforceContacts(n: number, since = Date.UTC(2024, 0, 1)): SalesforceRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `003D${String(i + 1).padStart(11, '0')}`;
    return {
      attributes: { type: 'Contact', url: `/services/data/v60.0/sobjects/Contact/${id}` },
      Id: id,
      Email: `sf${i + 1}@example.com`,
      SystemModstamp: new Date(since + i * 1000).toISOString().replace('Z', '+0000'),
    };
  });
}

export type SalesforceOrg = Record<'Account' | 'Contact' | 'Opportunity' | 'Task' | 'Event', SalesforceRecord[]>;

const STAGES: [string, number][] = [['Prospecting', 10], ['Qualification', 10], ['Needs Analysis', 20], ['Proposal/Price Quote', 75], ['Negotiation/Review', 90], ['Closed Won', 100], ['Closed Lost', 0]];

/** A connected org: accounts, contacts working for them, opportunities, tasks (calls, emails, to-dos) and events; modified one second apart. */
export function salesforceOrg(sizes: { accounts: number; contacts: number; opportunities: number; tasks: number; events: number }, since = Date.UTC(2024, 0, 1)): SalesforceOrg {
  const t = (i: number): string => sfTime(since + i * 1000);
  const Account = Array.from({ length: sizes.accounts }, (_, i) => {
    const c = company(i);
    return sfRecord('Account', sfId('001', i + 1), {
      Name: c.name, Website: `https://www.${c.domain}/`, Phone: c.phone, Industry: c.industry, BillingStreet: `${1 + pick(i, 400, 8)} Main Street`, BillingCity: c.city, BillingCountry: 'United States',
      NumberOfEmployees: 10 + pick(i, 5000, 9), SystemModstamp: t(i),
    });
  });
  const Contact = Array.from({ length: sizes.contacts }, (_, i) => {
    const p = person(i + 1);
    return sfRecord('Contact', sfId('003', i + 1), {
      FirstName: p.first, LastName: p.last, Email: p.email, Phone: p.phone, Title: p.title, AccountId: Account[i % Math.max(1, Account.length)]?.Id ?? null,
      LeadSource: ['Web', 'Phone Inquiry', 'Partner Referral'][pick(i, 3, 10)], OwnerId: sfId('005', 1 + pick(i, 3, 11)), SystemModstamp: t(i),
    });
  });
  const Opportunity = Array.from({ length: sizes.opportunities }, (_, i) => {
    const contact = Contact[pick(i, Math.max(1, Contact.length), 12)];
    const [stage, probability] = STAGES[pick(i, STAGES.length, 13)]!;
    return sfRecord('Opportunity', sfId('006', i + 1), {
      Name: `Opportunity ${i + 1}`, Amount: amount(i), StageName: stage, Probability: probability, CloseDate: new Date(since + (30 + pick(i, 180, 14)) * 86_400_000).toISOString().slice(0, 10),
      AccountId: contact?.['AccountId'] ?? null, ContactId: contact?.Id ?? null, Type: 'New Customer', SystemModstamp: t(i),
    });
  });
  const Task = Array.from({ length: sizes.tasks }, (_, i) => {
    const opp = Opportunity[pick(i, Math.max(1, Opportunity.length), 15)];
    const subtype = ['Call', 'Email', 'Task'][i % 3]!;
    return sfRecord('Task', sfId('00T', i + 1), {
      Subject: `${subtype} ${i + 1}`, Description: `Notes of ${subtype.toLowerCase()} ${i + 1}`, ActivityDate: new Date(since + i * 86_400_000).toISOString().slice(0, 10), Status: 'Completed', Priority: 'Normal',
      TaskSubtype: subtype, CallType: subtype === 'Call' ? (i % 2 === 0 ? 'Outbound' : 'Inbound') : null, WhoId: opp?.['ContactId'] ?? null, WhatId: opp?.Id ?? null, AccountId: opp?.['AccountId'] ?? null,
      CreatedDate: t(i), SystemModstamp: t(i), IsArchived: false,
    });
  });
  const Event = Array.from({ length: sizes.events }, (_, i) => {
    const opp = Opportunity[pick(i, Math.max(1, Opportunity.length), 16)];
    const start = new Date(since + i * 3_600_000).toISOString().replace('Z', '+0000');
    return sfRecord('Event', sfId('00U', i + 1), {
      Subject: `Meeting ${i + 1}`, Description: `Agenda ${i + 1}`, StartDateTime: start, EndDateTime: start, EventSubtype: 'Event', WhoId: opp?.['ContactId'] ?? null, WhatId: opp?.Id ?? null,
      AccountId: opp?.['AccountId'] ?? null, SystemModstamp: t(i), IsArchived: false,
    });
  });
  return { Account, Contact, Opportunity, Task, Event };
}
