// The part of Shopify's GraphQL Admin API schema the mock serves (types and fields as the Admin
// API reference documents them for 2026-04: `customers`, `Customer`, `customerCreate`,
// `customerUpdate`, `shop`), its resolvers over the shop's rows, and the calculated query cost
// ("GraphQL Admin API rate limits", shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits:
// scalars and enums 0, objects 1, connections 2 plus the objects asked for by `first`/`last`,
// mutations 10).
import {
  buildSchema,
  getNamedType,
  isCompositeType,
  isObjectType,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { shopifyTime, type ShopifyCustomer } from './shopify-data';

export const SHOPIFY_SDL = `
scalar DateTime
scalar Decimal
scalar UnsignedInt64
enum CurrencyCode { USD EUR GBP CAD }
enum CustomerState { DECLINED DISABLED ENABLED INVITED }
enum CustomerSortKeys { CREATED_AT ID LOCATION NAME RELEVANCE UPDATED_AT }
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type CustomerEmailAddress { emailAddress: String }
type CustomerPhoneNumber { phoneNumber: String! }
type MailingAddress { id: ID! address1: String city: String company: String country: String zip: String phone: String }
type Customer {
  id: ID!
  legacyResourceId: UnsignedInt64!
  firstName: String
  lastName: String
  displayName: String!
  defaultEmailAddress: CustomerEmailAddress
  defaultPhoneNumber: CustomerPhoneNumber
  numberOfOrders: UnsignedInt64!
  amountSpent: MoneyV2!
  tags: [String!]!
  note: String
  state: CustomerState!
  verifiedEmail: Boolean!
  createdAt: DateTime!
  updatedAt: DateTime!
  defaultAddress: MailingAddress
}
type CustomerEdge { cursor: String! node: Customer! }
type CustomerConnection { edges: [CustomerEdge!]! nodes: [Customer!]! pageInfo: PageInfo! }
type Shop { id: ID! name: String! myshopifyDomain: String! currencyCode: CurrencyCode! ianaTimezone: String! }
type Query {
  customers(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, sortKey: CustomerSortKeys = ID, query: String): CustomerConnection!
  customer(id: ID!): Customer
  shop: Shop!
}
input CustomerInput { id: ID email: String phone: String firstName: String lastName: String note: String tags: [String!] }
type UserError { field: [String!] message: String! }
type CustomerCreatePayload { customer: Customer userErrors: [UserError!]! }
type CustomerUpdatePayload { customer: Customer userErrors: [UserError!]! }
type Mutation {
  customerCreate(input: CustomerInput!): CustomerCreatePayload
  customerUpdate(input: CustomerInput!): CustomerUpdatePayload
}
`;

let schema: GraphQLSchema | undefined;
export function shopifySchema(): GraphQLSchema {
  schema ??= buildSchema(SHOPIFY_SDL);
  return schema;
}

export const gid = (id: number): string => `gid://shopify/Customer/${id}`;
/** Shopify's GraphQL DateTime: UTC, no fractions. */
const iso = (text: string): string => new Date(Date.parse(text)).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A shop row as the GraphQL `Customer` type resolves it. */
export function customerNode(c: ShopifyCustomer): Record<string, unknown> {
  const address = c.default_address;
  return {
    id: gid(c.id),
    legacyResourceId: String(c.id),
    firstName: c.first_name,
    lastName: c.last_name,
    displayName: `${c.first_name} ${c.last_name}`.trim() || c.email,
    defaultEmailAddress: c.email === '' ? null : { emailAddress: c.email },
    defaultPhoneNumber: c.phone === null ? null : { phoneNumber: c.phone },
    numberOfOrders: String(c.orders_count ?? 0),
    amountSpent: { amount: c.total_spent ?? '0.0', currencyCode: c.currency ?? 'USD' },
    tags: c.tags === '' ? [] : c.tags.split(',').map((t) => t.trim()),
    note: c.note ?? null,
    state: (c.state ?? 'disabled').toUpperCase(),
    verifiedEmail: c.verified_email ?? false,
    createdAt: iso(c.created_at ?? c.updated_at),
    updatedAt: iso(c.updated_at),
    defaultAddress: address === undefined || address === null ? null : { id: `gid://shopify/MailingAddress/${c.id}`, ...address },
  };
}

/** `updated_at:>'2024-01-01T00:00:00Z'` (also `>=`, `<`, `<=`, quoted or not): the search terms the mock understands. */
export function searchFilter(query: string | null | undefined): ((c: ShopifyCustomer) => boolean) | { error: string } {
  if (query === null || query === undefined || query.trim() === '') return () => true;
  const tests: Array<(c: ShopifyCustomer) => boolean> = [];
  for (const term of query.trim().split(/\s+AND\s+|\s+/)) {
    const m = /^updated_at:(>=|<=|>|<)'?([^']+)'?$/.exec(term);
    const at = m === null ? NaN : Date.parse(m[2]!);
    if (m === null || Number.isNaN(at)) return { error: `unsupported search term "${term}"` };
    const op = m[1]!;
    tests.push((c) => {
      const t = Date.parse(c.updated_at);
      return op === '>' ? t > at : op === '>=' ? t >= at : op === '<' ? t < at : t <= at;
    });
  }
  return (c) => tests.every((t) => t(c));
}

interface CostContext {
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Connections' returned sizes by field node, for the actual cost (the requested one uses `first`/`last`). */
  returned?: Map<FieldNode, number>;
}

function argument(field: FieldNode, name: string, ctx: CostContext): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  return arg === undefined ? undefined : valueFromASTUntyped(arg.value, ctx.variables);
}

function fieldsOf(set: SelectionSetNode | undefined, ctx: CostContext): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind === 'Field') out.push(s);
    else if (s.kind === 'InlineFragment') out.push(...fieldsOf(s.selectionSet, ctx));
    else {
      const fragment = ctx.fragments[s.name.value];
      if (fragment !== undefined) out.push(...fieldsOf(fragment.selectionSet, ctx));
    }
  }
  return out;
}

function selectionCost(set: SelectionSetNode | undefined, type: GraphQLObjectType, ctx: CostContext): number {
  let cost = 0;
  for (const field of fieldsOf(set, ctx)) {
    const def = type.getFields()[field.name.value];
    if (def === undefined) continue;
    const named = getNamedType(def.type);
    if (!isCompositeType(named) || !isObjectType(named)) continue;
    if (named.name.endsWith('Connection')) {
      const size = ctx.returned?.get(field) ?? Number(argument(field, 'first', ctx) ?? argument(field, 'last', ctx) ?? 0);
      const nodeType = named.getFields()['nodes'] === undefined ? undefined : (getNamedType(named.getFields()['nodes']!.type) as GraphQLObjectType);
      let perNode = 0;
      for (const part of fieldsOf(field.selectionSet, ctx)) {
        if (part.name.value === 'nodes' && nodeType !== undefined) perNode = Math.max(perNode, 1 + selectionCost(part.selectionSet, nodeType, ctx));
        if (part.name.value === 'edges' && nodeType !== undefined) {
          for (const e of fieldsOf(part.selectionSet, ctx)) if (e.name.value === 'node') perNode = Math.max(perNode, 1 + selectionCost(e.selectionSet, nodeType, ctx));
        }
      }
      cost += 2 + size * perNode;
    } else {
      cost += 1 + selectionCost(field.selectionSet, named, ctx);
    }
  }
  return cost;
}

/** The calculated cost of an operation: mutations 10 per root field, queries by their selections. */
export function operationCost(op: OperationDefinitionNode, ctx: CostContext): number {
  if (op.operation === 'mutation') return 10 * fieldsOf(op.selectionSet, ctx).length;
  return selectionCost(op.selectionSet, shopifySchema().getQueryType()!, ctx);
}
