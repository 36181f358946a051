// The engine's own tables: connections, schedules, record links, pending references, sync
// state, sync runs, rejected records, the change outbox and API clients.
import type { Knex } from 'knex';

export const name = '20261128090100_engine_tables';

function timestamps(t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
  t.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('connections', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable().unique({ indexName: 'connections_name_unique' });
    t.string('connector_id', 100).notNullable().index('connections_connector_id_idx');
    // Non-secret settings as plain JSON; secret ones and OAuth tokens encrypted (AES-256-GCM).
    t.jsonb('config').notNullable().defaultTo('{}');
    t.text('secrets');
    t.text('tokens');
    // Bumped on every token write: rotation is a compare-and-set on this version.
    t.integer('tokens_version').notNullable().defaultTo(0);
    t.string('status', 20).notNullable().defaultTo('active');
    timestamps(t);
  });

  await knex.schema.createTable('schedules', (t) => {
    t.string('id', 36).primary();
    // One schedule per key (connection, mapping or all mappings, direction).
    t.string('key', 300).notNullable().unique({ indexName: 'schedules_key_unique' });
    t.string('connection_id', 36).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('mapping_id', 100);
    t.string('direction', 10).notNullable().defaultTo('pull');
    t.string('mode', 20).notNullable().defaultTo('incremental');
    t.string('cron', 100).notNullable();
    t.string('timezone', 64).notNullable().defaultTo('UTC');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.index(['connection_id'], 'schedules_connection_id_idx');
    timestamps(t);
  });

  await knex.schema.createTable('record_links', (t) => {
    t.bigIncrements('id').primary();
    t.string('connection_id', 36).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('entity', 20).notNullable();
    t.string('crm_id', 36).notNullable();
    t.string('external_id', 255).notNullable();
    // Hash of the values last written by a pull, and of the values last pushed: equal hashes
    // mean "nothing changed", which is how nothing ping-pongs between systems.
    t.string('hash', 64);
    t.string('pushed_hash', 64);
    // The last full run that saw the record at the source (mark-and-sweep deletions).
    t.string('seen_run_id', 36);
    t.timestamp('synced_at', { useTz: true, precision: 3 });
    timestamps(t);
    t.unique(['connection_id', 'entity', 'external_id'], { indexName: 'record_links_external_unique' });
    // No index on seen_run_id: every full run rewrites it for every record, and the sweep that
    // reads it walks all of an entity's links anyway (through the unique index's prefix).
    t.index(['connection_id', 'entity', 'crm_id'], 'record_links_crm_idx');
  });

  // A `ref` whose target has not arrived yet: resolved when a record with that external id
  // is linked, so the order in which streams run never loses a link.
  await knex.schema.createTable('pending_refs', (t) => {
    t.bigIncrements('id').primary();
    t.string('connection_id', 36).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('entity', 20).notNullable();
    t.string('crm_id', 36).notNullable();
    t.string('field', 100).notNullable();
    t.string('target_entity', 20).notNullable();
    t.string('external_id', 255).notNullable();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    t.unique(['connection_id', 'entity', 'crm_id', 'field'], { indexName: 'pending_refs_source_unique' });
    t.index(['connection_id', 'target_entity', 'external_id'], 'pending_refs_target_idx');
  });

  await knex.schema.createTable('sync_state', (t) => {
    t.string('connection_id', 36).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('mapping_id', 100).notNullable();
    t.string('direction', 10).notNullable().defaultTo('pull');
    // Durable state between runs (`state.cursor`, ...).
    t.jsonb('state').notNullable().defaultTo('{}');
    // Where an unfinished run stopped (page checkpoint), and which run it belongs to.
    t.jsonb('checkpoint');
    t.string('checkpoint_run_id', 36);
    t.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
    t.primary(['connection_id', 'mapping_id', 'direction']);
  });

  await knex.schema.createTable('sync_runs', (t) => {
    t.string('id', 36).primary();
    t.string('connection_id', 36).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('mapping_id', 100).notNullable();
    t.string('direction', 10).notNullable().defaultTo('pull');
    t.string('mode', 20).notNullable().defaultTo('incremental');
    t.string('trigger', 20).notNullable().defaultTo('manual');
    t.string('status', 20).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.boolean('cancel_requested').notNullable().defaultTo(false);
    for (const c of ['records_read', 'records_created', 'records_updated', 'records_unchanged', 'records_deleted', 'records_rejected', 'pages', 'requests', 'retries']) {
      t.integer(c).notNullable().defaultTo(0);
    }
    t.jsonb('progress');
    t.string('error_code', 64);
    t.text('error_message');
    t.string('worker', 200);
    t.timestamp('heartbeat_at', { useTz: true, precision: 3 });
    t.timestamp('queued_at', { useTz: true, precision: 3 }).notNullable();
    t.timestamp('started_at', { useTz: true, precision: 3 });
    t.timestamp('finished_at', { useTz: true, precision: 3 });
    timestamps(t);
    // At most one queued-or-running run per connection and mapping.
    t.unique(['connection_id', 'mapping_id'], {
      indexName: 'sync_runs_one_active_unique',
      predicate: knex.whereRaw("status in ('queued', 'running')"),
    });
    t.index(['status', 'queued_at'], 'sync_runs_status_idx');
    t.index(['connection_id', 'created_at'], 'sync_runs_connection_idx');
  });

  await knex.schema.createTable('rejected_records', (t) => {
    t.bigIncrements('id').primary();
    t.string('run_id', 36).notNullable().references('id').inTable('sync_runs').onDelete('CASCADE');
    t.string('connection_id', 36).notNullable();
    t.string('mapping_id', 100).notNullable();
    t.string('external_id', 255);
    t.jsonb('record');
    t.string('code', 64).notNullable();
    t.string('field', 200);
    t.text('reason').notNullable();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    t.index(['run_id', 'id'], 'rejected_records_run_idx');
    t.index(['connection_id', 'mapping_id', 'external_id'], 'rejected_records_external_idx');
  });

  // Every CRM write that did not come from a sync, in commit order, for push runs.
  await knex.schema.createTable('change_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.string('entity', 20).notNullable();
    t.string('record_id', 36).notNullable();
    t.string('operation', 10).notNullable();
    t.jsonb('changes').notNullable();
    t.string('origin', 20).notNullable();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    t.index(['entity', 'record_id'], 'change_outbox_record_idx');
  });

  await knex.schema.createTable('api_clients', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable();
    t.string('client_id', 100).notNullable().unique({ indexName: 'api_clients_client_id_unique' });
    t.string('secret_hash', 200).notNullable();
    t.jsonb('scopes').notNullable().defaultTo('[]');
    t.timestamp('last_used_at', { useTz: true, precision: 3 });
    t.timestamp('disabled_at', { useTz: true, precision: 3 });
    timestamps(t);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['api_clients', 'change_outbox', 'rejected_records', 'sync_runs', 'sync_state', 'pending_refs', 'record_links', 'schedules', 'connections']) {
    await knex.schema.dropTableIfExists(table);
  }
}
