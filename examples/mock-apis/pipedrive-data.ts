// Records of the mock Pipedrive: persons as API v1 sends them (kept that way for v1 tests),
// organizations, deals and activities as API v2 sends them, and the v2 view of a person.
import { amount, company, person, pick } from './fake';

export interface PipedrivePerson {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  email: { value: string; primary: boolean; label: string }[];
  phone: { value: string; primary: boolean; label?: string }[];
  org_id: number | null;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  update_time: string;
  owner_id?: number;
  add_time?: string;
  /** False once the person is deleted (v2 lists leave it out). */
  active_flag?: boolean;
}

export interface PipedriveOrganization {
  id: number;
  name: string;
  owner_id: number;
  add_time: string;
  update_time: string;
  is_deleted: boolean;
  visible_to: number;
  address: { value: string; country: string; locality: string; route: string; street_number: string; postal_code: string } | null;
  label_ids: number[];
}

export interface PipedriveDeal {
  id: number;
  title: string;
  owner_id: number;
  person_id: number | null;
  org_id: number | null;
  pipeline_id: number;
  stage_id: number;
  value: number;
  currency: string;
  add_time: string;
  update_time: string;
  is_deleted: boolean;
  status: 'open' | 'won' | 'lost';
  probability: number | null;
  expected_close_date: string | null;
}

export interface PipedriveActivity {
  id: number;
  subject: string;
  type: string;
  owner_id: number;
  is_deleted: boolean;
  add_time: string;
  update_time: string;
  deal_id: number | null;
  person_id: number | null;
  org_id: number | null;
  due_date: string | null;
  due_time: string | null;
  done: boolean;
  note: string | null;
}

/** Pipedrive v1 times: `YYYY-MM-DD HH:MM:SS` in UTC. */
export function pdTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Pipedrive v2 times: RFC 3339 in UTC without fractions. */
export function pdIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A v1 time (or v2 time) as epoch milliseconds. */
export function pdMs(text: string): number {
  return Date.parse(/Z$|[+-]\d\d:\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/** A person as API v2 sends it. */
export function personV2(p: PipedrivePerson): Record<string, unknown> {
  const updated = pdIso(pdMs(p.update_time));
  return {
    id: p.id,
    name: p.name,
    first_name: p.first_name,
    last_name: p.last_name,
    owner_id: p.owner_id ?? 1,
    org_id: p.org_id,
    add_time: p.add_time === undefined ? updated : pdIso(pdMs(p.add_time)),
    update_time: updated,
    emails: p.email,
    phones: p.phone.map((ph) => ({ label: 'work', ...ph })),
    is_deleted: p.active_flag === false,
    visible_to: 3,
    label_ids: [],
    picture_id: null,
    custom_fields: {},
  };
}

/** `n` Pipedrive persons with ids from 1, updated one second apart from `since`. */
export function pipedrivePersons(n: number, since = Date.UTC(2024, 0, 1)): PipedrivePerson[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    name: `Person ${i + 1}`,
    first_name: 'Person',
    last_name: String(i + 1),
    email: [{ value: `person${i + 1}@example.com`, primary: true, label: 'work' }],
    phone: [{ value: `555${i + 1}`, primary: true }],
    org_id: null,
    update_time: pdTime(since + i * 1000),
  }));
}

export interface PipedriveAccount {
  persons: PipedrivePerson[];
  organizations: PipedriveOrganization[];
  deals: PipedriveDeal[];
  activities: PipedriveActivity[];
}

const TYPES = ['call', 'meeting', 'task', 'email', 'deadline', 'lunch'];

/** A connected account: organizations, persons working for them, deals and activities; updated one second apart. */
export function pipedriveAccount(sizes: { organizations: number; persons: number; deals: number; activities: number }, since = Date.UTC(2024, 0, 1)): PipedriveAccount {
  const t = (i: number): string => pdIso(since + i * 1000);
  const organizations: PipedriveOrganization[] = Array.from({ length: sizes.organizations }, (_, i) => {
    const c = company(i);
    const street = String(1 + pick(i, 400, 8));
    return {
      id: i + 1, name: c.name, owner_id: 1 + pick(i, 3, 1), add_time: t(i), update_time: t(i), is_deleted: false, visible_to: 3,
      address: { value: `${street} Main Street, ${c.city}`, country: 'USA', locality: c.city, route: 'Main Street', street_number: street, postal_code: '10001' }, label_ids: [],
    };
  });
  const persons: PipedrivePerson[] = Array.from({ length: sizes.persons }, (_, i) => {
    const p = person(i + 1);
    return {
      id: i + 1, name: `${p.first} ${p.last}`, first_name: p.first, last_name: p.last, email: [{ value: p.email, primary: true, label: 'work' }], phone: [{ value: p.phone, primary: true, label: 'work' }],
      org_id: organizations[i % Math.max(1, organizations.length)]?.id ?? null, update_time: pdTime(since + i * 1000), owner_id: 1 + pick(i, 3, 2), add_time: pdTime(since + i * 1000), active_flag: true,
    };
  });
  const deals: PipedriveDeal[] = Array.from({ length: sizes.deals }, (_, i) => {
    const p = persons[pick(i, Math.max(1, persons.length), 3)];
    const status = (['open', 'open', 'open', 'won', 'lost'] as const)[pick(i, 5, 4)]!;
    return {
      id: i + 1, title: `${p?.name ?? 'Someone'} deal`, owner_id: 1, person_id: p?.id ?? null, org_id: p?.org_id ?? null, pipeline_id: 1, stage_id: 1 + pick(i, 5, 5), value: amount(i), currency: 'EUR',
      add_time: t(i), update_time: t(i), is_deleted: false, status, probability: status === 'open' ? 10 * (1 + pick(i, 9, 6)) : null, expected_close_date: new Date(since + (30 + pick(i, 90, 7)) * 86_400_000).toISOString().slice(0, 10),
    };
  });
  const activities: PipedriveActivity[] = Array.from({ length: sizes.activities }, (_, i) => {
    const d = deals[pick(i, Math.max(1, deals.length), 8)];
    const due = new Date(since + i * 86_400_000).toISOString();
    return {
      id: i + 1, subject: `Activity ${i + 1}`, type: TYPES[i % TYPES.length]!, owner_id: 1, is_deleted: false, add_time: t(i), update_time: t(i), deal_id: d?.id ?? null, person_id: d?.person_id ?? null, org_id: d?.org_id ?? null,
      due_date: due.slice(0, 10), due_time: i % 4 === 0 ? null : due.slice(11, 16), done: i % 2 === 0, note: `Notes ${i + 1}`,
    };
  });
  return { persons, organizations, deals, activities };
}
