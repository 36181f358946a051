// First start: with no API client at all, an `admin` client holding every scope is created, so
// a fresh server can be used at once; its secret is returned once for the caller to print.
import type { Knex } from 'knex';
import * as apiClients from '../core/store/tables/api-clients';
import { ALL_SCOPES } from './auth/scopes';

export async function ensureAdminClient(db: Knex): Promise<{ client: apiClients.ApiClient; clientSecret: string } | undefined> {
  if ((await apiClients.count(db)) > 0) return undefined;
  return apiClients.create(db, { name: 'admin', scopes: ALL_SCOPES });
}
