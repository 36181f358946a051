// `switchboard migrate`: brings the database up to date.
import type { Command } from '../command';
import { openDatabase, redactUrl, resolveDatabaseTarget } from '../../core/store/db';
import { migrate, pendingMigrations } from '../../core/store/migrate';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the database up to date',
  usage: `Usage: switchboard migrate [--status]

Applies every pending migration to the database (--db, else DATABASE_URL, else
./data/switchboard.db). Running it again changes nothing.

Options:
  --status   list pending migrations without applying them`,
  options: { status: { type: 'boolean' } },
  async run({ values, global, io, config }) {
    const target = resolveDatabaseTarget(global.db ?? config.databaseUrl, io.cwd);
    const where = target.dialect === 'postgres' ? `${redactUrl(target.location)}${target.schema ? ` (schema ${target.schema})` : ''}` : target.location;
    const knex = openDatabase(target, { debug: config.debug });
    try {
      if (values['status'] === true) {
        const pending = await pendingMigrations(knex);
        io.stdout.write(pending.length === 0 ? `${where}: up to date\n` : `${where}: ${pending.length} pending\n${pending.map((p) => `  ${p}\n`).join('')}`);
        return 0;
      }
      const { applied } = await migrate(knex);
      io.stdout.write(
        applied.length === 0 ? `${where}: already up to date\n` : `${where}: applied ${applied.length} migration(s)\n${applied.map((a) => `  ${a}\n`).join('')}`,
      );
      return 0;
    } finally {
      await knex.destroy();
    }
  },
};
