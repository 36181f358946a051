// The values mappings keep asking for: arithmetic, text helpers, transforms with an argument,
// `cases`, and fields read from a child stream's parent records.
import { compilePullMapping } from '../../../core/mapping/compile-pull';
import type { MappingDefinition } from '../../../core/generated/mapping';
import { HELPERS } from '../../../core/templates/helpers';

const call = (name: string, ...args: unknown[]): unknown => HELPERS.get(name)!(args, {});

describe('helpers', () => {
  it('do arithmetic on numbers and numeric text, without binary noise', () => {
    expect(call('divide', 1999, 100)).toBe(19.99);
    expect(call('multiply', '0.07', 100)).toBe(7);
    expect(call('multiply', 0.1, 3)).toBe(0.3);
    expect(call('add', 0.1, 0.2)).toBe(0.3);
    expect(call('subtract', '10', 2.5)).toBe(7.5);
    expect(call('round', 1.005, 2)).toBe(1.01);
    expect(call('round', -2.5)).toBe(-3);
    expect([call('floor', 2.7), call('ceil', 2.1), call('abs', -4)]).toEqual([2, 3, 4]);
    expect([call('min', 3, '1', null), call('max', 3, '10')]).toEqual([1, 10]);
    expect(call('divide', undefined, 100)).toBeUndefined();
    expect(() => call('divide', 5, 0)).toThrow('divide by zero');
    expect(() => call('add', 'abc', 1)).toThrow('not a number');
  });

  it('cut text, find domains, and build lists', () => {
    expect(call('before', 'Ada Lovelace King', ' ')).toBe('Ada');
    expect(call('after', 'Ada Lovelace King', ' ')).toBe('Lovelace King');
    expect(call('after', 'Cher', ' ')).toBe('');
    expect(call('before', 'Cher', ' ')).toBe('Cher');
    expect(call('domain', 'https://www.Acme.com/about?x=1')).toBe('acme.com');
    expect(call('domain', 'jo@mail.acme.co.uk')).toBe('mail.acme.co.uk');
    expect(call('domain', 'acme.com')).toBe('acme.com');
    expect(call('pluck', [{ id: 1 }, { id: '2' }, {}], 'id')).toEqual([1, '2']);
    expect(call('compact', 'a', '', null, 'b')).toEqual(['a', 'b']);
    expect([call('first', [1, 2]), call('last', [1, 2]), call('length', [1, 2])]).toEqual([1, 2, 2]);
  });
});

describe('mapping values', () => {
  const mapping = compilePullMapping({
    id: 'values',
    connector: 'x',
    stream: 'notes',
    entity: 'deals',
    fields: {
      name: { template: '{{parent.name}}: {{record.title}}' },
      amount: { path: 'amount_cents', transform: [{ divide: 100 }] },
      probability: { path: 'percent', transform: [{ multiply: 0.01 }, { round: 2 }] },
      stage: {
        cases: [
          { when: { path: 'won' }, value: 'closed_won' },
          { when: { path: 'lost' }, value: 'closed_lost' },
          { when: { path: 'status', exists: true, from: 'parent' }, path: 'status', from: 'parent' },
        ],
        default: 'open',
      },
      currency: { path: 'currency', from: 'parents.accounts', transform: ['uppercase'] },
      contact_id: { ref: { entity: 'contacts', path: 'id', from: 'parent' } },
      'custom.domain': { path: 'website', transform: ['domain'] },
    },
  } as MappingDefinition);
  const parent = { id: 'P1', name: 'Acme', status: 'negotiation', currency: 'eur' };
  const ctx = { config: {}, now: '2024-01-01T00:00:00Z', parent, parents: { accounts: parent } };

  it('computes each field from the record and its parent', () => {
    const result = mapping.map({ title: 'Renewal', amount_cents: 129_900, percent: 37.456, website: 'http://www.acme.com' }, ctx);
    expect(result).toMatchObject({ ok: true, values: { name: 'Acme: Renewal', amount: 1299, probability: 0.37, stage: 'negotiation', currency: 'EUR', custom: { domain: 'acme.com' } }, refs: [{ field: 'contact_id', entity: 'contacts', externalId: 'P1' }] });
  });

  it('takes the first case that holds, else the default', () => {
    expect(mapping.map({ won: true, lost: true }, ctx)).toMatchObject({ ok: true, values: { stage: 'closed_won' } });
    expect(mapping.map({ lost: true }, ctx)).toMatchObject({ ok: true, values: { stage: 'closed_lost' } });
    expect(mapping.map({}, { ...ctx, parent: {}, parents: { accounts: {} } })).toMatchObject({ ok: true, values: { stage: 'open' } });
  });
});
