// Deterministic sample data for the mock APIs: people, companies and deals that look real
// enough for a demo, the same on every run (the i-th value only depends on i).

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'Linus', 'Radia', 'Tim', 'Katherine', 'Dennis', 'Hedy', 'John', 'Sophie', 'Niklaus', 'Lynn', 'Bjarne'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Torvalds', 'Perlman', 'Berners-Lee', 'Johnson', 'Ritchie', 'Lamarr', 'Backus', 'Wilson', 'Wirth', 'Conway', 'Stroustrup'];
const STEMS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka', 'Vandelay', 'Gringotts', 'Oscorp', 'Aperture', 'Monarch'];
const SUFFIXES = ['Labs', 'Industries', 'Systems', 'Logistics', 'Foods', 'Analytics', 'Robotics', 'Media'];
const INDUSTRIES = ['COMPUTER_SOFTWARE', 'LOGISTICS_AND_SUPPLY_CHAIN', 'FOOD_PRODUCTION', 'FINANCIAL_SERVICES', 'MEDIA_PRODUCTION', 'RETAIL', 'BIOTECHNOLOGY', 'AUTOMOTIVE'];
const CITIES = ['Lisbon', 'Berlin', 'Austin', 'Toronto', 'Nairobi', 'Osaka', 'Melbourne', 'Lyon'];
const PRODUCTS = ['annual plan', 'pilot', 'expansion', 'renewal', 'onboarding package', 'support upgrade'];

/** A fixed pseudo-random integer in [0, n) for the i-th item of a kind. */
export function pick(i: number, n: number, salt = 0): number {
  let x = (Math.imul(i + 1, 2654435761) + Math.imul(salt, 40503)) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 2246822519) >>> 0;
  return ((x ^ (x >>> 13)) >>> 0) % n;
}

export interface FakePerson {
  first: string;
  last: string;
  email: string;
  phone: string;
  title: string;
}

const TITLES = ['CTO', 'Head of Sales', 'Engineer', 'Operations Manager', 'CEO', 'Buyer', 'Product Manager', 'Analyst'];

/** The i-th person (1-based ids keep emails unique). */
export function person(i: number): FakePerson {
  const first = FIRST[pick(i, FIRST.length, 1)]!;
  const last = LAST[pick(i, LAST.length, 2)]!;
  return {
    first,
    last,
    email: `${first}.${last}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
    phone: `+1-555-${String(1000 + (i % 9000)).padStart(4, '0')}`,
    title: TITLES[pick(i, TITLES.length, 3)]!,
  };
}

export interface FakeCompany {
  name: string;
  domain: string;
  industry: string;
  city: string;
  phone: string;
}

/** The i-th company; names and domains are unique per i. */
export function company(i: number): FakeCompany {
  const stem = STEMS[i % STEMS.length]!;
  const suffix = SUFFIXES[Math.floor(i / STEMS.length) % SUFFIXES.length]!;
  const round = Math.floor(i / (STEMS.length * SUFFIXES.length));
  const name = `${stem} ${suffix}${round > 0 ? ` ${round + 1}` : ''}`;
  return {
    name,
    domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example`,
    industry: INDUSTRIES[pick(i, INDUSTRIES.length, 4)]!,
    city: CITIES[pick(i, CITIES.length, 5)]!,
    phone: `+1-555-${String(2000 + (i % 8000)).padStart(4, '0')}`,
  };
}

/** A deal name for the i-th deal with a company. */
export function dealName(i: number, companyName: string): string {
  return `${companyName} ${PRODUCTS[pick(i, PRODUCTS.length, 6)]}`;
}

/** A deal amount: whole hundreds between 1,000 and 50,000. */
export function amount(i: number): number {
  return 1000 + pick(i, 491, 7) * 100;
}

/** ISO-8601 UTC without milliseconds, `seconds` after `since`. */
export function at(since: number, seconds: number): string {
  return new Date(since + seconds * 1000).toISOString().replace('.000Z', 'Z');
}
