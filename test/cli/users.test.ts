// `switchboard users`: console users made from the command line, passwords from standard input
// or generated (printed once), stored as bcrypt hashes; on SQLite and PostgreSQL.
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/db';
import { runCli } from '../helpers/cli';
import * as userSessions from '../../core/store/tables/user-sessions';
import * as users from '../../core/store/tables/users';

describe.each(DIALECTS)('switchboard users on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => db.cleanup());

  it('creates the first admin with a password from stdin; the database keeps a bcrypt hash', async () => {
    const r = await runCli(['users', 'create', '--username', 'ada', '--password-stdin', '--db', db.url], { stdin: 'a long enough password\n' });
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'user created: ada (admin)\n' });
    expect(await users.signIn(db.knex, 'ada', 'a long enough password')).toMatchObject({ ok: true, user: { username: 'ada', role: 'admin' } });
    const row = (await db.knex('users').where('username', 'ada').first()) as { password_hash: string };
    expect(row.password_hash).toMatch(/^\$2[aby]\$12\$/);
    expect(row.password_hash).not.toContain('a long enough password');
  });

  it('generates a password when none is piped, shown once', async () => {
    const r = await runCli(['users', 'create', '--username', 'vic', '--role', 'viewer', '--json', '--db', db.url]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { username: string; role: string; password: string };
    expect(out).toMatchObject({ username: 'vic', role: 'viewer' });
    expect(await users.signIn(db.knex, 'vic', out.password)).toMatchObject({ ok: true });
    const list = await runCli(['users', 'list', '--db', db.url]);
    expect(list.stdout).toMatch(/^ada {2}admin {2}enabled/m);
    expect(list.stdout).toMatch(/^vic {2}viewer {2}enabled/m);
    expect(list.stdout).not.toContain(out.password);
  });

  it('refuses short passwords, bad roles and duplicate names, with the reason', async () => {
    expect(await runCli(['users', 'create', '--username', 'bob', '--password-stdin', '--db', db.url], { stdin: 'short' })).toMatchObject({ code: 1, stderr: expect.stringContaining('at least 12 characters') });
    // bcrypt reads 72 bytes: a longer password is refused rather than cut.
    expect(await runCli(['users', 'create', '--username', 'bob', '--password-stdin', '--db', db.url], { stdin: 'é'.repeat(37) })).toMatchObject({ code: 1, stderr: expect.stringContaining('at most 72 bytes') });
    expect(await runCli(['users', 'create', '--username', 'bob', '--role', 'root', '--db', db.url])).toMatchObject({ code: 1, stderr: expect.stringContaining('--role must be admin or viewer') });
    expect((await runCli(['users', 'create', '--username', 'ada', '--db', db.url])).code).toBe(1);
  });

  it('disabling a user or changing a password ends their sessions', async () => {
    const ada = await users.get(db.knex, 'ada');
    const { token } = await userSessions.create(db.knex, ada.id);
    expect(await userSessions.find(db.knex, token)).toBeDefined();
    expect((await runCli(['users', 'set-password', 'ada', '--password-stdin', '--db', db.url], { stdin: 'another long password' })).code).toBe(0);
    expect(await userSessions.find(db.knex, token)).toBeUndefined();
    expect(await users.signIn(db.knex, 'ada', 'another long password')).toMatchObject({ ok: true });
    const second = await userSessions.create(db.knex, ada.id);
    expect(await runCli(['users', 'disable', 'ada', '--db', db.url])).toMatchObject({ code: 0, stdout: 'disabled ada\n' });
    expect(await userSessions.find(db.knex, second.token)).toBeUndefined();
    expect(await users.signIn(db.knex, 'ada', 'another long password')).toEqual({ ok: false, reason: 'invalid' });
    expect((await runCli(['users', 'enable', 'ada', '--db', db.url])).code).toBe(0);
    expect(await users.signIn(db.knex, 'ada', 'another long password')).toMatchObject({ ok: true });
  });
});
