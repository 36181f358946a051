// connectors/stripe.json and its mapping, unchanged, against the Stripe mock: starting_after pages
// in full, incremental runs that read the customers created since (Stripe filters on nothing
// else), full runs that catch updates and deletions, and form-encoded writes.
import { startStripe, stripeCustomers, type StripeCustomer } from '../../examples/mock-apis';
import { actionClient, expected, sendAction, sorted, withConnector, type Row } from './harness';

const KEY = 'sk_test_connector';
const row = (c: StripeCustomer): Row => {
  const [first, ...rest] = (c.name ?? '').split(' ');
  return { email: c.email?.toLowerCase() ?? null, first_name: first, last_name: rest.length > 0 ? rest.join(' ') : null, phone: c.phone, 'custom.stripe_created': new Date(c.created * 1000).toISOString() };
};

describe('Stripe connector on sqlite', () => {
  const customers = stripeCustomers(250);
  const ctx = withConnector('stripe', () => startStripe({ customers, secretKey: KEY }), (url) => ({ secret_key: KEY, base_url: url }));

  const snapshot = async () => sorted(await ctx.h.snapshot('contacts', Object.keys(row(customers[0]!))));
  const source = () => sorted(expected(customers, (c) => c.id, row));

  it('copies the customers in full, adds new ones incrementally, and catches updates and deletions in full runs', async () => {
    const full = await ctx.h.sync('stripe-customers', { full: true });
    expect(full).toMatchObject({ records: { read: 250, created: 250, rejected: 0 }, pages: 3 });
    expect(ctx.api.requests.map((r) => r.query.get('starting_after'))).toEqual([null, customers[99]!.id, customers[199]!.id]);
    expect(await snapshot()).toEqual(source());

    const newest = customers[0]!.created;
    customers.unshift(
      { id: 'cus_new00000000002', object: 'customer', email: 'Second@Example.com', name: 'Second New', phone: '+1-555-0102', created: newest + 20, metadata: {} },
      { id: 'cus_new00000000001', object: 'customer', email: 'first@example.com', name: 'First', phone: null, created: newest + 10, metadata: {} },
    );
    customers[5]!.name = 'Renamed Customer';
    const gone = customers.splice(9, 1)[0]!;
    const before = ctx.api.requests.length;
    const inc = await ctx.h.sync('stripe-customers');
    expect(ctx.api.requests.slice(before).map((r) => r.query.get('created[gte]'))).toEqual([String(newest)]);
    expect(inc.records).toMatchObject({ read: 3, created: 2, unchanged: 1 });
    // Not seen by an incremental run: the rename and the deletion.
    const partial = await ctx.h.snapshot('contacts', ['first_name', 'last_name']);
    expect(partial.get(customers[5]!.id)).not.toEqual({ first_name: 'Renamed', last_name: 'Customer' });
    expect(partial.has(gone.id)).toBe(true);

    const sweep = await ctx.h.sync('stripe-customers', { full: true });
    expect(sweep.records).toMatchObject({ updated: 1, deleted: 1, created: 0 });
    expect(await snapshot()).toEqual(source());
  });

  it('creates, updates and deletes customers with form-encoded requests', async () => {
    const client = await actionClient('stripe', { secret_key: KEY, base_url: ctx.api.url });
    const created = await sendAction(client, 'create_customer', { customer: { email: 'pushed@example.com', name: 'Pushed Person', metadata: { switchboard_id: 'crm-42' } } });
    const id = (created.body as { id: string }).id;
    expect(ctx.api.requests.at(-1)!.body).toBe('email=pushed%40example.com&name=Pushed%20Person&metadata%5Bswitchboard_id%5D=crm-42');
    expect(customers.find((c) => c.id === id)).toMatchObject({ email: 'pushed@example.com', metadata: { switchboard_id: 'crm-42' } });
    await sendAction(client, 'update_customer', { id, customer: { phone: '+1-555-0199' } });
    expect(customers.find((c) => c.id === id)?.phone).toBe('+1-555-0199');
    const deleted = await sendAction(client, 'delete_customer', { id });
    expect(deleted.body).toEqual({ id, object: 'customer', deleted: true });
    expect(customers.find((c) => c.id === id)).toBeUndefined();
  });
});
