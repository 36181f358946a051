// `switchboard clients`: create prints the secret once (stored hashed), list never shows it,
// disable revokes; on SQLite and PostgreSQL.
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/db';
import { runCli } from '../helpers/cli';
import * as apiClients from '../../core/store/tables/api-clients';

describe.each(DIALECTS)('switchboard clients on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => db.cleanup());

  it('creates a client, printing its secret once; the database keeps only a hash', async () => {
    const r = await runCli(['clients', 'create', '--name', 'ci robot', '--scopes', 'crm:read,runs:read', '--db', db.url]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const clientId = /client_id:\s+(\S+)/.exec(r.stdout)![1]!;
    const secret = /client_secret:\s+(\S+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain('scopes:        crm:read runs:read');
    expect(r.stdout).toContain('shown only now');
    expect(await apiClients.authenticate(db.knex, clientId, secret)).toMatchObject({ name: 'ci robot', scopes: ['crm:read', 'runs:read'] });
    const row = (await db.knex('api_clients').where('client_id', clientId).first()) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(secret);

    const list = await runCli(['clients', 'list', '--db', db.url]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(clientId);
    expect(list.stdout).toContain('ci robot');
    expect(list.stdout).not.toContain(secret);

    const disabled = await runCli(['clients', 'disable', clientId, '--db', db.url]);
    expect(disabled).toMatchObject({ code: 0, stdout: `disabled ${clientId}\n` });
    expect(await apiClients.authenticate(db.knex, clientId, secret)).toBeUndefined();
  });

  it('prints JSON on request and accepts "all"', async () => {
    const r = await runCli(['clients', 'create', '--name', 'everything', '--scopes', 'all', '--json', '--db', db.url]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { client_id: string; client_secret: string; scopes: string[] };
    expect(out.scopes).toEqual(expect.arrayContaining(['crm:read', 'crm:write', 'connections:admin', 'runs:write', 'metrics:read']));
    expect(out.client_secret.length).toBeGreaterThan(30);
    const list = JSON.parse((await runCli(['clients', 'list', '--json', '--db', db.url])).stdout) as Array<Record<string, unknown>>;
    expect(list.map((c) => c['clientId'])).toContain(out.client_id);
    expect(JSON.stringify(list)).not.toContain(out.client_secret);
  });

  it('refuses unknown scopes, a missing name, unknown actions and unknown clients', async () => {
    const unknown = await runCli(['clients', 'create', '--name', 'x', '--scopes', 'crm:read,crm:everything', '--db', db.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('crm:everything');
    expect((await runCli(['clients', 'create', '--scopes', 'crm:read', '--db', db.url])).code).toBe(1);
    expect((await runCli(['clients', 'create', '--name', 'x', '--db', db.url])).code).toBe(1);
    expect((await runCli(['clients', 'rotate', '--db', db.url])).code).toBe(1);
    const missing = await runCli(['clients', 'disable', 'sb_nope', '--db', db.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('sb_nope');
  });
});
