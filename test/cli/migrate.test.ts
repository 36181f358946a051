import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS, createTestDatabase } from '../helpers/db';
import { runCli } from '../helpers/cli';
import { MIGRATIONS } from '../../core/store/migrations';

describe('switchboard --help', () => {
  it('lists the commands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: switchboard <command>/);
    expect(r.stdout).toMatch(/migrate\s+bring the database up to date/);
  });

  it('refuses an unknown command and an unknown option with exit 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['migrate', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--bogus'/);
  });
});

describe('switchboard migrate', () => {
  it('creates the default SQLite file under ./data/ when no database is named', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
    try {
      const r = await runCli(['migrate'], { cwd });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain(`applied ${MIGRATIONS.length} migration(s)`);
      expect(existsSync(join(cwd, 'data', 'switchboard.db'))).toBe(true);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it.each(DIALECTS)('migrates %s from --db and DATABASE_URL; twice changes nothing', async (dialect) => {
    const db = await createTestDatabase(dialect);
    try {
      const first = await runCli(['migrate', '--db', db.url]);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`applied ${MIGRATIONS.length} migration(s)`);
      const second = await runCli(['migrate'], { env: { DATABASE_URL: db.url } });
      expect(second.stdout).toMatch(/already up to date/);
      expect((await runCli(['migrate', '--status', '--db', db.url])).stdout).toMatch(/up to date/);
      expect(await db.knex.schema.hasTable('contacts')).toBe(true);
    } finally {
      await db.cleanup();
    }
  });

  it('says clearly when the database cannot be reached, and never prints the password', async () => {
    const r = await runCli(['migrate', '--db', 'postgres://user:hunter2@127.0.0.1:1/nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SB_DB_UNAVAILABLE: migrating: the database is unavailable/);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });
});
