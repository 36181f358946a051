// People who sign in to the console: users (bcrypt password hashes, a role, failed sign-ins
// and the lockout they lead to) and their sessions (stored as SHA-256 hashes of the cookie).
import type { Knex } from 'knex';

export const name = '20261201150000_console_users';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    t.string('username', 100).notNullable().unique({ indexName: 'users_username_unique' });
    t.string('password_hash', 200).notNullable();
    // `admin` or `viewer`; the role decides the API scopes a session carries.
    t.string('role', 20).notNullable();
    // Failed sign-ins in a row; at the limit the account is locked until locked_until.
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true, precision: 3 });
    t.timestamp('last_login_at', { useTz: true, precision: 3 });
    t.timestamp('disabled_at', { useTz: true, precision: 3 });
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    t.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
  });
  await knex.schema.createTable('user_sessions', (t) => {
    // SHA-256 of the session token (hex): a leaked table cannot be replayed as cookies.
    t.string('token_hash', 64).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    t.timestamp('last_seen_at', { useTz: true, precision: 3 }).notNullable();
    // Absolute end of the session, whatever its use.
    t.timestamp('expires_at', { useTz: true, precision: 3 }).notNullable();
    t.index(['user_id'], 'user_sessions_user_idx');
    t.index(['expires_at'], 'user_sessions_expires_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('user_sessions');
  await knex.schema.dropTableIfExists('users');
}
