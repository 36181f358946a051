import { isUuid, uuidv7 } from '../../../core/util/id';
import { getPath, setPath } from '../../../core/util/path';

describe('uuidv7', () => {
  it('makes valid version-7 ids that sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7());
    for (const id of ids) expect(isUuid(id) && id[14] === '7' && '89ab'.includes(id[19]!)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const fixed = [uuidv7(1_700_000_000_000), uuidv7(1_700_000_000_000)];
    expect(fixed[0]! < fixed[1]!).toBe(true);
  });
});

describe('dot paths', () => {
  const doc = { results: [{ id: 7, properties: { email: 'a@b.c' } }], paging: { next: { after: 'x' } } };
  it('reads nested values, array indexes, and the empty path', () => {
    expect(getPath(doc, 'paging.next.after')).toBe('x');
    expect(getPath(doc, 'results.0.properties.email')).toBe('a@b.c');
    expect(getPath(doc, '')).toBe(doc);
    expect(getPath(doc, 'results.1.id')).toBeUndefined();
    expect(getPath(doc, 'paging.next.after.length')).toBeUndefined();
  });
  it('never reads or writes through prototypes', () => {
    expect(getPath({}, 'constructor')).toBeUndefined();
    expect(getPath({}, '__proto__.polluted')).toBeUndefined();
    expect(() => setPath({}, '__proto__.polluted', 1)).toThrow(/not allowed/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const target: Record<string, unknown> = {};
    setPath(target, 'properties.email', 'x');
    expect(target).toEqual({ properties: { email: 'x' } });
  });
});
