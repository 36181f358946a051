// Child streams: each record link remembers the parent record its child came from (a skipped
// parent keeps its children for that run, found by this key), and runs count the records a
// stream's `filter` skipped and the parents skipped because they were gone.
import type { Knex } from 'knex';

export const name = '20261201140000_child_streams';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('record_links', (t) => {
    t.string('parent_key', 255).nullable();
    t.index(['connection_id', 'entity', 'parent_key'], 'record_links_parent_idx');
  });
  await knex.schema.alterTable('sync_runs', (t) => {
    t.integer('records_skipped').notNullable().defaultTo(0);
    t.integer('parents_skipped').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_runs', (t) => {
    t.dropColumn('parents_skipped');
    t.dropColumn('records_skipped');
  });
  await knex.schema.alterTable('record_links', (t) => {
    t.dropIndex(['connection_id', 'entity', 'parent_key'], 'record_links_parent_idx');
    t.dropColumn('parent_key');
  });
}
