// What each run's requests cost: requests per endpoint, and requests and waiting time per rate
// budget, so an admin can see which limit a run is bound by. Rows are added to as the run goes.
import type { Knex } from 'knex';

export const name = '20261201130000_run_costs';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_run_costs', (t) => {
    t.string('run_id', 36).notNullable().references('id').inTable('sync_runs').onDelete('CASCADE');
    // `endpoint` (name: the method and path as written) or `budget` (a budget's name, `concurrency` or `api`).
    t.string('kind', 16).notNullable();
    t.string('name', 500).notNullable();
    t.bigInteger('requests').notNullable().defaultTo(0);
    t.bigInteger('retries').notNullable().defaultTo(0);
    t.bigInteger('wait_ms').notNullable().defaultTo(0);
    t.primary(['run_id', 'kind', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sync_run_costs');
}
