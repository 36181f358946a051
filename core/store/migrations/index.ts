// The migrations, in order. Append only: a released migration is never edited; a change to
// the schema is a new file here with a later timestamp.
import type { Knex } from 'knex';
import * as crmTables from './20261128090000_crm_tables';
import * as engineTables from './20261128090100_engine_tables';
import * as oauthStates from './20261128150000_oauth_states';
import * as runWarnings from './20261201100000_run_warnings';
import * as webhookDeliveries from './20261201110000_webhook_deliveries';
import * as runLifecycle from './20261201120000_run_lifecycle';
import * as runCosts from './20261201130000_run_costs';
import * as childStreams from './20261201140000_child_streams';
import * as consoleUsers from './20261201150000_console_users';
import * as scheduleNames from './20261201150100_schedule_names';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [crmTables, engineTables, oauthStates, runWarnings, webhookDeliveries, runLifecycle, runCosts, childStreams, consoleUsers, scheduleNames];
