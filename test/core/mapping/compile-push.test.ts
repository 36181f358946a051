import { compilePushMapping } from '../../../core/mapping/compile-push';
import type { MappingDefinition } from '../../../core/generated/mapping';

const ctx = { config: { source: 'crm' }, now: '2026-01-01T00:00:00.000Z' };

const def: MappingDefinition = {
  id: 'hub-contacts',
  connector: 'hub',
  stream: 'contacts',
  entity: 'contacts',
  fields: { email: 'properties.email' },
  push: {
    create: 'upsert',
    update: 'upsert',
    delete: 'archive',
    fields: {
      'properties.email': 'email',
      'properties.firstname': { field: 'first_name', transform: ['trim', 'uppercase'] },
      'properties.name': { template: "{{trim (concat record.first_name ' ' record.last_name)}}" },
      'properties.stage': { field: 'lifecycle_stage', map: { lead: 'LEAD', customer: 'CUSTOMER' }, default: 'OTHER' },
      'properties.score': 'custom.score',
      'properties.origin': { template: '{{config.source}}' },
      'properties.kind': { value: 'person' },
      'properties.phone': { field: 'phone', default: '' },
      id: { field: 'external_id' },
      'metadata.crm_id': 'id',
    },
  },
};

const row = { id: 'c1', email: 'ada@example.com', first_name: ' Ada ', last_name: 'Lovelace', lifecycle_stage: 'customer', phone: null, custom: { score: 7 } };

describe('compilePushMapping', () => {
  const mapping = compilePushMapping(def);

  it('builds the payload at dot paths from fields, templates, constants, transforms, lookup tables and defaults', () => {
    const built = mapping.build(row, '512', ctx);
    expect(built).toMatchObject({
      ok: true,
      payload: {
        properties: { email: 'ada@example.com', firstname: 'ADA', name: 'Ada  Lovelace', stage: 'CUSTOMER', score: 7, origin: 'crm', kind: 'person', phone: '' },
        id: '512',
        metadata: { crm_id: 'c1' },
      },
    });
    expect(mapping.actions).toEqual({ create: 'upsert', update: 'upsert', delete: 'archive' });
  });

  it('leaves the external id out for records not linked yet, and hashes the same either way', () => {
    const created = mapping.build(row, null, ctx);
    const updated = mapping.build(row, '512', ctx);
    if (!created.ok || !updated.ok) throw new Error('expected payloads');
    expect(created.payload).not.toHaveProperty('id');
    expect(created.hash).toBe(updated.hash);
    const changed = mapping.build({ ...row, last_name: 'Byron' }, '512', ctx);
    expect(changed.ok && changed.hash).not.toBe(updated.hash);
  });

  it('applies the default to missing values and values the lookup table does not know', () => {
    const built = mapping.build({ ...row, lifecycle_stage: 'prospect' }, null, ctx);
    expect(built.ok && built.payload['properties']).toMatchObject({ stage: 'OTHER' });
  });

  it('reports a template that fails on a record instead of throwing', () => {
    const failing = compilePushMapping({ ...def, push: { create: 'upsert', fields: { 'properties.n': { template: '{{number record.email}}' } } } });
    expect(failing.build(row, null, ctx)).toMatchObject({ ok: false, code: 'SB_TEMPLATE_RENDER_FAILED', field: 'properties.n' });
  });

  it('sends the external id of a referenced record (ref): null for an empty field, left out when not linked', () => {
    const deals = compilePushMapping({
      id: 'hub-deals',
      connector: 'hub',
      stream: 'deals',
      entity: 'deals',
      fields: { name: 'properties.dealname' },
      push: { create: 'upsert', fields: { 'properties.dealname': 'name', 'associations.company': { ref: 'company_id' }, 'associations.contact': { ref: 'contact_id', default: 'none' } } },
    });
    expect(deals.refFields).toEqual([
      { field: 'company_id', entity: 'companies' },
      { field: 'contact_id', entity: 'contacts' },
    ]);
    const linked = { ...ctx, externalIdOf: (entity: string, crmId: string) => (entity === 'companies' && crmId === 'co-1' ? '9001' : undefined) };
    const deal = { id: 'd-1', name: 'Big', company_id: 'co-1', contact_id: 'c-unlinked' };
    expect(deals.build(deal, null, linked)).toMatchObject({ ok: true, payload: { properties: { dealname: 'Big' }, associations: { company: '9001', contact: 'none' } } });
    // The referenced company is linked later: the payload (and its hash) changes.
    const before = deals.build({ ...deal, company_id: 'co-2' }, null, linked);
    expect(before.ok && before.payload['associations']).toEqual({ contact: 'none' });
    expect(deals.build({ ...deal, company_id: null }, null, linked)).toMatchObject({ ok: true, payload: { associations: { company: null } } });
    const after = deals.build({ ...deal, company_id: 'co-2' }, null, { ...ctx, externalIdOf: () => '9002' });
    expect(before.ok && after.ok && before.hash !== after.hash).toBe(true);
    expect(() => compilePushMapping({ ...def, push: { create: 'upsert', fields: { x: { ref: 'email' } } } })).toThrow(/not a reference field of contacts/);
  });

  it('refuses paths that would reach a prototype', () => {
    expect(() => compilePushMapping({ ...def, push: { create: 'upsert', fields: { '__proto__.x': 'email' } } })).toThrow(/not allowed/);
  });
});
