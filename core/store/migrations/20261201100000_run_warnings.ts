// What a run that succeeded wants its reader to know (a sweep skipped because the run looked
// truncated, ...): a JSON list of `{ code, message }` on the run's row, null when there is none.
import type { Knex } from 'knex';

export const name = '20261201100000_run_warnings';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_runs', (t) => {
    t.jsonb('warnings');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_runs', (t) => {
    t.dropColumn('warnings');
  });
}
