// Webhook replay memory: the deliveries accepted recently, by connection and key (a digest of a
// delivery's signed payload or of its delivery id), until they expire. The primary key makes
// the insert that records a delivery the replay check itself, in every server process at once.
import type { Knex } from 'knex';

export const name = '20261201110000_webhook_deliveries';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.string('connection_id', 36).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    // SHA-256 (hex) of "payload:<signed bytes>" or "id:<delivery id>": no delivery content is kept.
    t.string('delivery_key', 64).notNullable();
    t.timestamp('received_at', { useTz: true, precision: 3 }).notNullable();
    t.timestamp('expires_at', { useTz: true, precision: 3 }).notNullable();
    t.primary(['connection_id', 'delivery_key']);
    t.index(['expires_at'], 'webhook_deliveries_expires_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_deliveries');
}
