// The run lifecycle (core/runs): `sync_runs.failures` counts the attempts of a run that failed
// (retryable errors and workers lost mid-run) against its retry policy, apart from `attempts`
// (every take, interruptions included, which is also the holder's fencing token); `leases` are
// named, expiring locks any process can take, so that one reconciler at a time works, on SQLite
// and PostgreSQL alike.
import type { Knex } from 'knex';

export const name = '20261201120000_run_lifecycle';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_runs', (t) => {
    t.integer('failures').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('leases', (t) => {
    t.string('name', 100).primary();
    t.string('holder', 200).notNullable();
    // Epoch milliseconds: compared as numbers on both databases.
    t.bigInteger('expires_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('leases');
  await knex.schema.alterTable('sync_runs', (t) => {
    t.dropColumn('failures');
  });
}
