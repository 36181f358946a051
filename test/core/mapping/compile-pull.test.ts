import { compilePullMapping } from '../../../core/mapping/compile-pull';
import type { MappingDefinition } from '../../../core/generated/mapping';

const ctx = { config: { region: 'eu' }, now: '2026-01-01T00:00:00.000Z' };

const def: MappingDefinition = {
  id: 'hubspot-contacts',
  connector: 'hubspot',
  stream: 'contacts',
  entity: 'contacts',
  fields: {
    email: { path: 'properties.email', transform: ['trim', 'lowercase'] },
    first_name: 'properties.firstname',
    last_name: 'properties.lastname',
    phone: { template: "{{default record.properties.phone ''}}" },
    lifecycle_stage: { path: 'properties.lifecyclestage', map: { lead: 'lead', customer: 'customer' }, default: 'other' },
    company_id: { ref: { entity: 'companies', path: 'properties.associatedcompanyid' } },
    'custom.score': { path: 'properties.hubspotscore', transform: ['number'] },
    'custom.region': { template: '{{config.region}}' },
    owner: { value: 'sync-bot' },
  },
  required: ['email'],
};

describe('compilePullMapping', () => {
  const mapping = compilePullMapping(def);

  it('maps paths, templates, constants, transforms, lookup maps, defaults, custom fields and refs', () => {
    const r = mapping.map(
      { id: '1', properties: { email: '  Ada@Example.COM ', firstname: 'Ada', lastname: null, lifecyclestage: 'customer', associatedcompanyid: 42, hubspotscore: '17' } },
      ctx,
    );
    expect(r).toMatchObject({
      ok: true,
      values: { email: 'ada@example.com', first_name: 'Ada', last_name: null, phone: '', lifecycle_stage: 'customer', owner: 'sync-bot', custom: { score: 17, region: 'eu' } },
      refs: [{ field: 'company_id', entity: 'companies', externalId: '42' }],
    });
    expect(mapping.refFields).toEqual([{ field: 'company_id', entity: 'companies' }]);
  });

  it('applies the default when the lookup has no entry, and leaves absent source fields unwritten', () => {
    const r = mapping.map({ properties: { email: 'b@x.test', lifecyclestage: 'evangelist' } }, ctx);
    expect(r.ok && r.values['lifecycle_stage']).toBe('other');
    expect(r.ok && 'first_name' in r.values).toBe(false);
    expect(r.ok && r.values['company_id']).toBeNull();
  });

  it('rejects a record missing a required field, naming it', () => {
    // Whitespace trims to empty: as missing as no value at all.
    expect(mapping.map({ properties: { email: '   ' } }, ctx)).toMatchObject({ ok: false, field: 'email' });
    expect(mapping.map({ properties: { firstname: 'No Mail' } }, ctx)).toEqual({ ok: false, code: 'SB_MAPPING_FAILED', field: 'email', reason: 'email is required but missing' });
  });

  it('rejects a value the column cannot hold, naming the field', () => {
    const m = compilePullMapping({ id: 'd', connector: 'c', stream: 's', entity: 'deals', fields: { amount: 'amount', close_date: 'close' } });
    expect(m.map({ amount: '12.5', close: '2026-03-01T10:00:00Z' }, ctx)).toMatchObject({ ok: true, values: { amount: 12.5, close_date: '2026-03-01' } });
    expect(m.map({ amount: 'lots' }, ctx)).toMatchObject({ ok: false, code: 'SB_DB_INVALID_VALUE', field: 'amount' });
    expect(m.map({ close: 'soon' }, ctx)).toMatchObject({ ok: false, field: 'close_date' });
  });

  it('hashes equal mappings equally, whatever the key order, and differently when a value changes', () => {
    const a = mapping.map({ properties: { email: 'h@x.test', firstname: 'H' } }, ctx);
    const b = mapping.map({ properties: { firstname: 'H', email: 'h@x.test' } }, ctx);
    const c = mapping.map({ properties: { firstname: 'I', email: 'h@x.test' } }, ctx);
    expect(a.ok && b.ok && a.hash === b.hash).toBe(true);
    expect(a.ok && c.ok && a.hash !== c.hash).toBe(true);
  });

  it('stores custom values as JSON would: nested objects copied, non-finite numbers as null, oversize refused', () => {
    const m = compilePullMapping({ id: 'c', connector: 'c', stream: 's', entity: 'contacts', fields: { 'custom.a': 'a', 'custom.b': 'b' } });
    const nested = { deep: { list: [1, 2] } };
    const r = m.map({ a: nested, b: 'x' }, ctx);
    expect(r).toMatchObject({ ok: true, values: { custom: { a: { deep: { list: [1, 2] } }, b: 'x' } } });
    nested.deep.list.push(3);
    expect(r.ok && (r.values['custom'] as { a: { deep: { list: number[] } } }).a.deep.list).toEqual([1, 2]);
    expect(m.map({ a: Number.NaN, b: Number.POSITIVE_INFINITY }, ctx)).toMatchObject({ ok: true, values: { custom: { a: null, b: null } } });
    expect(m.map({ a: true, b: 1.5 }, ctx)).toMatchObject({ ok: true, values: { custom: { a: true, b: 1.5 } } });
    expect(m.map({ a: 'x'.repeat(300 * 1024) }, ctx)).toMatchObject({ ok: false, field: 'custom', reason: expect.stringMatching(/larger than 256 KiB/) });
    // Under the limit in characters, over it once escaped as JSON.
    expect(m.map({ a: '\u0001'.repeat(50 * 1024) }, ctx)).toMatchObject({ ok: false, field: 'custom' });
    expect(m.map({ a: 'y'.repeat(200 * 1024) }, ctx)).toMatchObject({ ok: true });
  });

  it('refuses at compile time a field the entity does not have', () => {
    expect(() => compilePullMapping({ id: 'x', connector: 'c', stream: 's', entity: 'contacts', fields: { emial: 'email' } })).toThrow(/contacts has no field "emial"/);
  });
});
