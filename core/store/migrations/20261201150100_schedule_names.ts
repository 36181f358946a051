// Several schedules per connection, mapping and direction (an incremental run every 15 minutes
// and a full run every night): schedules get a name to tell them apart. Their `key` stays
// unique; schedules added since carry their own id in it.
import type { Knex } from 'knex';

export const name = '20261201150100_schedule_names';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('schedules', (t) => {
    t.string('name', 100);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('schedules', (t) => {
    t.dropColumn('name');
  });
}
