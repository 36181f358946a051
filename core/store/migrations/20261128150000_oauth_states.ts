// Pending OAuth2 authorization-code flows of connections: the `state` sent to the provider,
// stored hashed, single-use and short-lived, so the callback knows which connection it completes.
import type { Knex } from 'knex';

export const name = '20261128150000_oauth_states';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth_states', (t) => {
    // SHA-256 of the state (hex): a leaked table cannot be replayed against the callback.
    t.string('state_hash', 64).primary();
    t.string('connection_id', 36).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('redirect_uri', 2000).notNullable();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    t.timestamp('expires_at', { useTz: true, precision: 3 }).notNullable();
    t.index(['expires_at'], 'oauth_states_expires_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('oauth_states');
}
