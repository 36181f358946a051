// The definitions API: registry lookups, loadRegistry's error, validateDocument for posted
// text, kinds told by folder, and positions that survive JSON escapes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSwitchboardError } from '../../../core/errors';
import { loadDefinitions, loadRegistry, validateDocument, type ConnectorDefinition, type Problem } from '../../../core/definitions';

const VALID = join(__dirname, '..', '..', 'fixtures', 'valid');
const hubspotText = readFileSync(join(VALID, 'hubspot.json'), 'utf8');
const hubspot = JSON.parse(hubspotText) as ConnectorDefinition;

async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('registry', () => {
  it('looks definitions up by id, frozen', async () => {
    const registry = await loadRegistry({ paths: [VALID] });
    const connector = registry.connector('stripe');
    expect(connector.name).toBe('Stripe');
    expect(Object.isFrozen(connector.streams?.['customers'])).toBe(true);
    expect(registry.mapping('stripe-customers').entity).toBe('contacts');
  });

  it('throws SB_DEFINITION_NOT_FOUND with the closest id', async () => {
    const registry = await loadRegistry({ paths: [VALID] });
    const err = await thrown(async () => registry.connector('strip'));
    expect(isSwitchboardError(err, 'SB_DEFINITION_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toBe('no connector "strip" is loaded — did you mean "stripe"?');
    expect(isSwitchboardError(await thrown(async () => registry.mapping('nope')), 'SB_DEFINITION_NOT_FOUND')).toBe(true);
  });

  it('refuses to load anything invalid, listing every problem', async () => {
    const invalid = join(__dirname, '..', '..', 'fixtures', 'invalid');
    const err = await thrown(() => loadRegistry({ paths: [join(invalid, 'trailing-comma.json'), join(invalid, 'timeout-zero.json')] }));
    expect(isSwitchboardError(err, 'SB_DEFINITION_INVALID')).toBe(true);
    const problems = (err as { details: { problems: Problem[] } }).details.problems;
    // In file order: timeout-zero.json, then trailing-comma.json.
    expect(problems.map((p) => p.message)).toEqual(['"timeout_ms" must be at least 1, not 0', 'JSON syntax error: trailing comma: JSON allows no comma before "}"']);
    expect((err as Error).message).toContain('2 problem(s) in definitions:');
  });
});

describe('folders', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-definitions-'));
    mkdirSync(join(dir, 'connectors'));
    mkdirSync(join(dir, 'mappings'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a file without $schema by its folder name', async () => {
    const { $schema: _c, ...connector } = hubspot;
    const { $schema: _m, ...mapping } = JSON.parse(readFileSync(join(VALID, 'hubspot-contacts.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'connectors', 'hubspot.json'), JSON.stringify(connector));
    writeFileSync(join(dir, 'mappings', 'hubspot-contacts.json'), JSON.stringify(mapping));
    const { registry, problems } = await loadDefinitions({ connectorsDir: join(dir, 'connectors'), mappingsDir: join(dir, 'mappings') });
    expect(problems).toEqual([]);
    expect([...registry.connectors.keys(), ...registry.mappings.keys()]).toEqual(['hubspot', 'hubspot-contacts']);
  });

  it('reports missing folders', async () => {
    const { problems } = await loadDefinitions({ connectorsDir: join(dir, 'nope'), mappingsDir: join(dir, 'mappings') });
    expect(problems).toEqual([{ file: join(dir, 'nope'), line: 1, column: 1, pointer: '', message: 'no such file or folder' }]);
  });
});

describe('validateDocument', () => {
  it('validates posted text, without cross-checks unless connectors are given', () => {
    expect(validateDocument('connector', hubspotText, 'hubspot.json')).toEqual([]);
    const mapping = JSON.stringify({ id: 'm', connector: 'hubspot', stream: 'deals', entity: 'contacts', fields: { email: 'properties.email' } });
    expect(validateDocument('mapping', mapping, 'posted')).toEqual([]);
    expect(validateDocument('mapping', mapping, 'posted', { connectors: new Map([['hubspot', hubspot]]) })).toEqual([
      { file: 'posted', line: 1, column: mapping.indexOf('"deals"') + 1, pointer: '/stream', message: 'connector "hubspot" has no stream "deals"', hint: 'streams: contacts' },
    ]);
  });

  it('checks the id against a .json file name only', () => {
    expect(validateDocument('connector', hubspotText, 'other.json').map((p) => p.message)).toEqual(['id "hubspot" must equal the file name "other" (without .json)']);
    expect(validateDocument('connector', hubspotText, 'request body')).toEqual([]);
  });

  it('flags a $schema of the other kind', () => {
    const text = hubspotText.replace('connector.schema.json', 'mapping.schema.json');
    expect(validateDocument('connector', text, 'hubspot.json').map((p) => p.message)).toEqual(['"$schema" says mapping, but this file is read as a connector']);
  });

  it('places template problems exactly, after JSON escapes in the same string', () => {
    const text = '{\n  "id": "x", "name": "x", "base_url": "https://x",\n  "headers": { "X-A": "\\"q\\" \\u00e9\\n{{confg.a}}" }\n}';
    const [problem] = validateDocument('connector', text, 'x.json').filter((p) => p.pointer === '/headers/X-A');
    const line = text.split('\n')[2]!;
    expect(problem).toMatchObject({ line: 3, column: line.indexOf('confg') + 1, message: 'unknown root "confg" — did you mean "config"?' });
  });

  it('finds a repeated key next to escaped quotes', () => {
    const text = '{ "id": "x", "name": "a \\"name\\": b", "name": "x", "base_url": "https://x", "actions": { "a": { "request": { "path": "/" } } } }';
    expect(validateDocument('connector', text, 'x.json').map((p) => [p.column, p.message])).toEqual([[text.lastIndexOf('"name"') + 1, 'duplicate property "name": only the last one would count']]);
  });
});
