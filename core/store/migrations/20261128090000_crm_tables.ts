// The CRM entity tables of FORMAT.md: companies, contacts, deals, activities.
import type { Knex } from 'knex';

export const name = '20261128090000_crm_tables';

function systemColumns(t: Knex.CreateTableBuilder): void {
  t.string('id', 36).primary();
  t.jsonb('custom').notNullable().defaultTo('{}');
  t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
  t.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
  t.timestamp('deleted_at', { useTz: true, precision: 3 }).nullable();
}

function listIndexes(t: Knex.CreateTableBuilder, table: string): void {
  // Keyset pagination and "changed since" filters walk (updated_at, id) and (created_at, id).
  t.index(['updated_at', 'id'], `${table}_updated_at_id_idx`);
  t.index(['created_at', 'id'], `${table}_created_at_id_idx`);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('companies', (t) => {
    systemColumns(t);
    t.text('name');
    t.text('domain');
    t.text('industry');
    t.text('phone');
    t.text('website');
    t.text('address');
    t.index(['domain'], 'companies_domain_idx');
    listIndexes(t, 'companies');
  });

  await knex.schema.createTable('contacts', (t) => {
    systemColumns(t);
    t.text('first_name');
    t.text('last_name');
    t.text('email');
    t.text('phone');
    t.text('title');
    t.string('company_id', 36).references('id').inTable('companies').onDelete('SET NULL');
    t.text('lifecycle_stage');
    t.text('owner');
    t.index(['email'], 'contacts_email_idx');
    t.index(['company_id'], 'contacts_company_id_idx');
    listIndexes(t, 'contacts');
  });

  await knex.schema.createTable('deals', (t) => {
    systemColumns(t);
    t.text('name');
    t.decimal('amount', 20, 4);
    t.string('currency', 16);
    t.text('stage');
    t.double('probability');
    t.date('close_date');
    t.string('contact_id', 36).references('id').inTable('contacts').onDelete('SET NULL');
    t.string('company_id', 36).references('id').inTable('companies').onDelete('SET NULL');
    t.index(['contact_id'], 'deals_contact_id_idx');
    t.index(['company_id'], 'deals_company_id_idx');
    listIndexes(t, 'deals');
  });

  await knex.schema.createTable('activities', (t) => {
    systemColumns(t);
    t.string('type', 16);
    t.text('subject');
    t.text('body');
    t.timestamp('occurred_at', { useTz: true, precision: 3 });
    t.string('direction', 16);
    t.string('contact_id', 36).references('id').inTable('contacts').onDelete('SET NULL');
    t.string('company_id', 36).references('id').inTable('companies').onDelete('SET NULL');
    t.string('deal_id', 36).references('id').inTable('deals').onDelete('SET NULL');
    t.index(['occurred_at'], 'activities_occurred_at_idx');
    t.index(['contact_id'], 'activities_contact_id_idx');
    t.index(['company_id'], 'activities_company_id_idx');
    t.index(['deal_id'], 'activities_deal_id_idx');
    listIndexes(t, 'activities');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['activities', 'deals', 'contacts', 'companies']) {
    await knex.schema.dropTableIfExists(table);
  }
}
