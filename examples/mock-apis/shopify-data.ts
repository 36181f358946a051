// Sample customers for the Shopify mocks (the GraphQL Admin API of shopify.ts, the legacy REST
// API of shopify-rest.ts), kept as the shop's own rows: numeric ids, snake_case fields.
import { company, person, pick } from './fake';

export interface ShopifyCustomer {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  updated_at: string;
  tags: string;
  created_at?: string;
  state?: 'disabled' | 'invited' | 'enabled' | 'declined';
  orders_count?: number;
  total_spent?: string;
  note?: string | null;
  verified_email?: boolean;
  currency?: string;
  default_address?: { company: string | null; address1: string; city: string; country: string; zip: string; phone: string | null } | null;
}

/** Shopify's time format: the shop's offset, no fractions (`2024-01-01T05:00:00-05:00`); this mock's shop is in UTC. */
export function shopifyTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '-00:00');
}

/** `n` Shopify customers, updated one second apart from `since`. */
export function shopifyCustomers(n: number, since = Date.UTC(2024, 0, 1)): ShopifyCustomer[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 207119551 + i,
    email: `shop${i + 1}@example.com`,
    first_name: 'Bob',
    last_name: `Norman${i + 1}`,
    phone: null,
    updated_at: new Date(since + i * 1000).toISOString().replace('.000Z', '-00:00'),
    tags: '',
  }));
}

/** `n` customers with addresses, orders and tags, updated one second apart from `since`. */
export function shopifyShoppers(n: number, since = Date.UTC(2024, 0, 1)): ShopifyCustomer[] {
  return Array.from({ length: n }, (_, i) => {
    const p = person(i + 1);
    const c = company(i);
    const orders = pick(i, 6, 30);
    return {
      id: 207119551 + i, email: p.email, first_name: p.first, last_name: p.last, phone: i % 3 === 0 ? null : p.phone, created_at: shopifyTime(since + i * 1000), updated_at: shopifyTime(since + i * 1000),
      tags: orders > 3 ? 'vip, newsletter' : 'newsletter', state: 'enabled', orders_count: orders, total_spent: (orders * 42.5).toFixed(2), note: null, verified_email: true, currency: 'USD',
      default_address: { company: i % 2 === 0 ? c.name : null, address1: `${1 + pick(i, 400, 31)} Main Street`, city: c.city, country: 'United States', zip: '10001', phone: p.phone },
    };
  });
}
