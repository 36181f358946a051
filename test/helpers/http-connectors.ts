// Connector definitions for the local mock APIs (examples/mock-apis), and small helpers to read
// a stream fully in tests.
import type { ConnectorDefinition, Retry, Stream } from '../../core/generated/connector';
import { ConnectorClient, readStream, type ConnectorClientOptions, type ReadOptions, type StreamPage } from '../../core/http';
import { RateLimiters } from '../../core/ratelimit';
import { isSwitchboardError, type SwitchboardError } from '../../core/errors';

/** Retries with delays short enough for tests. */
export const FAST_RETRY: Retry = { max_attempts: 5, backoff: { initial_ms: 5, max_ms: 50 } };

const secret = (name: string) => ({ [name]: { type: 'string', secret: true } });

export function connector(id: string, base: Partial<ConnectorDefinition> & { streams: Record<string, Stream> }): ConnectorDefinition {
  return { id, name: id, base_url: '{{config.base_url}}', retry: FAST_RETRY, timeout_ms: 2000, ...base };
}

export const hubspotDefinition = (extra: Partial<ConnectorDefinition> = {}): ConnectorDefinition =>
  connector('hubspot', {
    config_schema: { type: 'object', properties: { base_url: { type: 'string' }, ...secret('access_token') } },
    auth: { type: 'bearer', token: '{{config.access_token}}' },
    headers: { Accept: 'application/json' },
    check: { request: { path: '/crm/v3/objects/contacts', query: { limit: 1 } } },
    streams: {
      contacts: {
        request: { method: 'GET', path: '/crm/v3/objects/contacts', query: { limit: 100, properties: 'email,firstname,lastname' } },
        records: 'results',
        primary_key: 'id',
        pagination: { type: 'cursor', cursor_path: 'paging.next.after', cursor_param: 'after' },
        incremental: {
          cursor_field: 'properties.lastmodifieddate',
          request: {
            method: 'POST',
            path: '/crm/v3/objects/contacts/search',
            body: {
              filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '{{state.cursor}}' }] }],
              sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
              limit: 100,
            },
          },
          pagination: { type: 'cursor', cursor_path: 'paging.next.after', cursor_param: 'after', in: 'body' },
        },
      },
    },
    ...extra,
  });

export const pipedriveDefinition = (): ConnectorDefinition =>
  connector('pipedrive', {
    config_schema: { type: 'object', properties: { base_url: { type: 'string' }, ...secret('api_token') } },
    auth: { type: 'api_key', name: 'x-api-token', value: '{{config.api_token}}', in: 'header' },
    streams: {
      persons: {
        request: { path: '/api/v1/persons' },
        records: 'data',
        pagination: { type: 'offset', limit: 100, limit_param: 'limit', offset_param: 'start', has_more_path: 'additional_data.pagination.more_items_in_collection' },
        incremental: {
          cursor_field: 'update_time',
          request: { path: '/api/v2/persons', query: { limit: 100 } },
          pagination: { type: 'cursor', cursor_path: 'additional_data.next_cursor', cursor_param: 'cursor' },
          param: 'updated_since',
          format: 'iso8601',
        },
      },
    },
  });

export const salesforceDefinition = (extra: Partial<ConnectorDefinition> = {}): ConnectorDefinition =>
  connector('salesforce', {
    config_schema: { type: 'object', properties: { base_url: { type: 'string' }, ...secret('access_token') } },
    auth: { type: 'bearer', token: '{{config.access_token}}' },
    streams: {
      contacts: {
        request: { path: '/services/data/v60.0/query', query: { q: 'SELECT Id, Email, SystemModstamp FROM Contact ORDER BY SystemModstamp' } },
        records: 'records',
        primary_key: 'Id',
        pagination: { type: 'next_url', url_path: 'nextRecordsUrl', done_path: 'done' },
      },
    },
    ...extra,
  });

export const stripeDefinition = (): ConnectorDefinition =>
  connector('stripe', {
    config_schema: { type: 'object', properties: { base_url: { type: 'string' }, ...secret('secret_key') } },
    auth: { type: 'bearer', token: '{{config.secret_key}}' },
    streams: {
      customers: {
        request: { path: '/v1/customers', query: { limit: 100 } },
        records: 'data',
        primary_key: 'id',
        pagination: { type: 'cursor', cursor_from_last_record: 'id', cursor_param: 'starting_after', has_more_path: 'has_more' },
      },
    },
    actions: {
      create_customer: {
        request: { method: 'POST', path: '/v1/customers', body_format: 'form', body: { email: '{{record.email}}', name: '{{record.name}}', metadata: '{{record.metadata}}' } },
        external_id: 'id',
      },
    },
  });

export const shopifyDefinition = (): ConnectorDefinition =>
  connector('shopify', {
    config_schema: { type: 'object', properties: { base_url: { type: 'string' }, ...secret('access_token') } },
    auth: { type: 'api_key', name: 'X-Shopify-Access-Token', value: '{{config.access_token}}' },
    streams: {
      customers: {
        request: { path: '/admin/api/2024-01/customers.json', query: { limit: 50 } },
        records: 'customers',
        pagination: { type: 'link_header' },
        incremental: { cursor_field: 'updated_at', param: 'updated_at_min', format: 'iso8601' },
      },
    },
  });

export const zendeskDefinition = (): ConnectorDefinition =>
  connector('zendesk', {
    config_schema: { type: 'object', properties: { base_url: { type: 'string' }, email: { type: 'string' }, ...secret('api_token') } },
    auth: { type: 'basic', username: '{{config.email}}/token', password: '{{config.api_token}}' },
    streams: {
      users: {
        request: { path: '/api/v2/users.json', query: { 'page[size]': 100 } },
        records: 'users',
        pagination: { type: 'cursor', cursor_path: 'meta.after_cursor', cursor_param: 'page[after]', has_more_path: 'meta.has_more' },
      },
      tickets: {
        request: { path: '/api/v2/incremental/tickets/cursor.json' },
        records: 'tickets',
        pagination: { type: 'cursor', cursor_path: 'after_cursor', cursor_param: 'cursor', done_path: 'end_of_stream' },
        incremental: { cursor_field: 'updated_at', param: 'start_time', format: 'unix', start: '2020-01-01T00:00:00Z' },
      },
    },
  });

export const mailchimpDefinition = (extra: Partial<ConnectorDefinition> = {}): ConnectorDefinition =>
  connector('mailchimp', {
    config_schema: { type: 'object', properties: { base_url: { type: 'string' }, list_id: { type: 'string' }, ...secret('api_key') } },
    auth: { type: 'basic', username: 'anystring', password: '{{config.api_key}}' },
    streams: {
      members: {
        request: { path: '/3.0/lists/{{config.list_id}}/members' },
        records: 'members',
        pagination: { type: 'offset', limit: 100, limit_param: 'count', offset_param: 'offset', total_path: 'total_items' },
        incremental: { cursor_field: 'last_changed', param: 'since_last_changed' },
      },
    },
    ...extra,
  });

/** A client with its own in-memory rate limiters (tests never share the process-wide ones). */
export function client(definition: ConnectorDefinition, config: Record<string, unknown>, options: Partial<ConnectorClientOptions> = {}): ConnectorClient {
  return new ConnectorClient({ connector: definition, config, rateLimiters: new RateLimiters(), ...options });
}

/** Reads a stream to the end; returns every page. */
export async function readAll(c: ConnectorClient, stream: string, options: ReadOptions = {}): Promise<StreamPage[]> {
  const pages: StreamPage[] = [];
  for await (const page of readStream(c, stream, options)) pages.push(page);
  return pages;
}

/** The records of some pages, flattened. */
export function recordsOf(pages: readonly StreamPage[]): unknown[] {
  return pages.flatMap((p) => p.records);
}

/** Asserts helper: the ids, in order, and that none repeats. */
export function idsOf(records: readonly unknown[], key = 'id'): unknown[] {
  return records.map((r) => (r as Record<string, unknown>)[key]);
}

/** The SwitchboardError a promise rejects with (anything else fails the test). */
export async function failure(p: Promise<unknown>): Promise<SwitchboardError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSwitchboardError(err)) throw new Error(`expected a SwitchboardError, got ${String(err)}`);
  return err;
}
