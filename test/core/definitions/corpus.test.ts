// The fixtures: every valid file (the FORMAT.md examples among them) loads without a problem;
// every broken file yields exactly the problems of test/fixtures/invalid/expected.json.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadDefinitions, type Problem } from '../../../core/definitions';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const VALID = join(FIXTURES, 'valid');
const INVALID = join(FIXTURES, 'invalid');

interface Expected {
  file?: string;
  line: number;
  column: number;
  pointer: string;
  message: string;
}

const expected = JSON.parse(readFileSync(join(INVALID, 'expected.json'), 'utf8')) as Record<string, Expected[]>;
const cases = readdirSync(INVALID).filter((n) => n !== 'expected.json').sort();

describe('valid fixtures', () => {
  it('load without a single problem, connectors and mappings together', async () => {
    const { registry, problems } = await loadDefinitions({ paths: [VALID] });
    expect(problems).toEqual([]);
    expect([...registry.connectors.keys()].sort()).toEqual(['hubspot', 'hubspot-batch', 'mailchimp', 'pipedrive', 'salesforce', 'shopify', 'stripe', 'zendesk']);
    expect(registry.mappings.size).toBe(9);
  });

  it('include the examples of FORMAT.md as written', async () => {
    const { registry } = await loadDefinitions({ paths: [join(VALID, 'hubspot.json'), join(VALID, 'hubspot-contacts.json')] });
    const hubspot = registry.connector('hubspot');
    expect(hubspot.streams?.['contacts']?.pagination).toEqual({ type: 'cursor', cursor_path: 'paging.next.after', cursor_param: 'after' });
    expect(registry.mapping('hubspot-contacts').fields['first_name']).toBe('properties.firstname');
  });
});

describe('invalid fixtures', () => {
  it('are a corpus of at least 40 cases, each with its expectations', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(expected).sort()).toEqual(cases);
  });

  it.each(cases)('%s', async (name) => {
    const full = join(INVALID, name);
    const folder = statSync(full).isDirectory();
    const paths = folder ? readdirSync(full).map((n) => join(full, n)) : [full];
    // Mappings of the corpus refer to the valid connectors (hubspot, ...).
    const { problems } = await loadDefinitions({ paths, connectorsDir: VALID });
    const actual = problems.map((p: Problem) => ({
      ...(folder ? { file: relative(full, p.file) } : {}),
      line: p.line,
      column: p.column,
      pointer: p.pointer,
      message: p.message,
    }));
    const wanted = expected[name] ?? [];
    expect(actual).toHaveLength(wanted.length);
    wanted.forEach((w, i) => {
      const got = actual[i]!;
      expect({ ...got, message: '' }).toEqual({ ...w, message: '' });
      expect(got.message).toContain(w.message);
    });
  });
});
