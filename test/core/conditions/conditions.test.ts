// The condition language (filters, deletion markers, mapping cases) and the path filters that
// pick array entries by a condition.
import { compileCondition } from '../../../core/conditions';
import { getPath, pathProblem } from '../../../core/util/path';

const holds = (condition: Parameters<typeof compileCondition>[0], record: unknown, parent?: unknown): boolean => compileCondition(condition)({ record, parent, parents: { tickets: parent } });

describe('conditions', () => {
  it('reads deletion markers as real APIs write them', () => {
    expect(holds({ path: 'deleted_at', exists: true }, { deleted_at: '2024-01-01T00:00:00Z' })).toBe(true);
    expect(holds({ path: 'deleted_at', exists: true }, { deleted_at: null })).toBe(false);
    expect(holds({ path: 'deleted_at', exists: false }, {})).toBe(true);
    expect(holds({ path: 'IsArchived', equals: true }, { IsArchived: true })).toBe(true);
    expect(holds({ path: 'IsArchived', equals: true }, { IsArchived: 'true' })).toBe(false);
    expect(holds({ path: 'status', in: ['deleted', 'archived'] }, { status: 'archived' })).toBe(true);
    expect(holds({ path: 'status', not_in: ['deleted', 'archived'] }, { status: 'open' })).toBe(true);
    expect(holds({ path: 'type', ends_with: '.deleted' }, { type: 'customer.deleted' })).toBe(true);
    expect(holds({ path: 'type', starts_with: 'customer.' }, { type: 'invoice.paid' })).toBe(false);
  });

  it('keeps the old `deleted` form: a path alone means equals true', () => {
    expect(holds({ path: 'archived' }, { archived: true })).toBe(true);
    expect(holds({ path: 'archived' }, { archived: false })).toBe(false);
    expect(holds({ path: 'archived', equals: true }, {})).toBe(false);
  });

  it('compares numbers, numeric text and date-times by value, and a missing value never', () => {
    expect(holds({ path: 'amount', gt: 100 }, { amount: '250' })).toBe(true);
    expect(holds({ path: 'amount', lte: 100 }, { amount: 100 })).toBe(true);
    expect(holds({ path: 'at', gte: '2024-01-01T00:00:00Z' }, { at: '2024-01-01T01:00:00+01:00' })).toBe(true);
    expect(holds({ path: 'amount', gt: 0 }, {})).toBe(false);
    expect(holds({ path: 'amount', lt: 0 }, {})).toBe(false);
    expect(holds({ path: 'tags', contains: 'vip' }, { tags: ['a', 'vip'] })).toBe(true);
    expect(holds({ path: 'email', contains: '@acme' }, { email: 'jo@acme.com' })).toBe(true);
    expect(holds({ path: 'notes', empty: true }, { notes: [] })).toBe(true);
    expect(holds({ path: 'notes', empty: false }, { notes: {} })).toBe(false);
    expect(holds({ path: 'meta', equals: { a: 1 } }, { meta: { a: 1 } })).toBe(true);
  });

  it('combines with all, any and not, and reads parent records with from', () => {
    const cond: Parameters<typeof compileCondition>[0] = { all: [{ path: 'public' }, { not: { path: 'author_id', equals: 1 } }, { any: [{ path: 'status', equals: 'open', from: 'parent' }, { path: 'priority', equals: 'urgent', from: 'parents.tickets' }] }] };
    expect(holds(cond, { public: true, author_id: 2 }, { status: 'open' })).toBe(true);
    expect(holds(cond, { public: true, author_id: 2 }, { status: 'closed', priority: 'urgent' })).toBe(true);
    expect(holds(cond, { public: true, author_id: 1 }, { status: 'open' })).toBe(false);
    expect(holds(cond, { public: true, author_id: 2 }, { status: 'closed' })).toBe(false);
  });
});

describe('paths that pick array entries by a condition', () => {
  const body = {
    to: [
      { toObjectId: 1001, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 341 }] },
      { toObjectId: 1009, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 341 }] },
    ],
    emails: [{ type: 'work', value: 'a@x' }, { type: 'home', value: 'b@y', primary: true }],
  };

  it('reads the first entry whose fields match, by value as text, any element of an inner array matching', () => {
    expect(getPath(body, 'to[associationTypes.typeId=5].toObjectId')).toBe(1009);
    expect(getPath(body, 'to[associationTypes.label=Primary,associationTypes.category=HUBSPOT_DEFINED].toObjectId')).toBe(1009);
    expect(getPath(body, 'emails[type=home].value')).toBe('b@y');
    expect(getPath(body, 'emails[primary=true].value')).toBe('b@y');
    expect(getPath(body, 'emails[type!=work].value')).toBe('b@y');
    expect(getPath(body, 'emails[type=fax].value')).toBeUndefined();
    expect(getPath(body, 'emails.0.value')).toBe('a@x');
  });

  it('reports a filter it cannot read', () => {
    expect(pathProblem('to[type=contact.id')).toContain('never closed');
    expect(pathProblem('to[=x].id')).toContain('[field=value]');
    expect(pathProblem('to[type=contact].id')).toBeUndefined();
  });
});
